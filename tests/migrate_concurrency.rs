//! Migrators started at the same moment (app replicas at deploy): the lock makes each
//! migration apply exactly once and every migrator succeed.

#[path = "migrate_support/mod.rs"]
mod support;

use std::sync::Arc;

use schema::migrate::{DatabaseConfig, Migrator, Report};
use schema::testing::TestDatabase;
use support::{config, ledger, Fixture};
use tokio::sync::Barrier;

const MIGRATORS: usize = 8;

/// Statements that fail when run twice, and a pause so the runs overlap.
fn fixture() -> Fixture {
    Fixture::new(&[
        (
            "0000_initial.sql",
            "SELECT pg_sleep(0.2);\n--> statement-breakpoint\n\
             CREATE TABLE \"users\" (\"id\" serial PRIMARY KEY);\n",
        ),
        (
            "0001_posts.sql",
            "CREATE TABLE \"posts\" (\"id\" serial PRIMARY KEY);\n",
        ),
        (
            "0002_seed.sql",
            "INSERT INTO \"users\" (\"id\") VALUES (1);\n",
        ),
    ])
}

async fn run_all_at_once(migrator: Migrator, db: DatabaseConfig) -> Vec<Report> {
    let barrier = Arc::new(Barrier::new(MIGRATORS));
    let tasks: Vec<_> = (0..MIGRATORS)
        .map(|_| {
            let (migrator, db, barrier) = (migrator.clone(), db.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                migrator.run(&db).await
            })
        })
        .collect();
    let mut reports = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(report) => reports.push(report),
            Err(e) => panic!("a migrator failed: {e}\n{}", e.help()),
        }
    }
    reports
}

fn applied_names(reports: &[Report]) -> Vec<String> {
    let mut names: Vec<String> = reports
        .iter()
        .flat_map(|r| r.applied.iter().map(|a| a.name.clone()))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_migrators_on_a_fresh_database_apply_each_migration_once() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    let reports = run_all_at_once(fixture.migrator(), config(&db)).await;

    assert_eq!(
        applied_names(&reports),
        ["0000_initial.sql", "0001_posts.sql", "0002_seed.sql"]
    );
    let client = db.connect().await.unwrap();
    let versions: Vec<i64> = ledger(&client).await.into_iter().map(|r| r.0).collect();
    assert_eq!(versions, [0, 1, 2]);
    let users: i64 = client
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(users, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_migrators_on_a_missing_database_create_it_once() {
    let db = TestDatabase::create().await.unwrap();
    // Drop the test database so the migrators find it missing; TestDatabase drops it again
    // at the end, whoever created it.
    let mut admin = db.config().clone();
    admin.dbname("postgres");
    let (client, connection) = admin.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP DATABASE \"{}\"", db.name()))
        .await
        .unwrap();

    let fixture = fixture();
    let reports = run_all_at_once(fixture.migrator(), config(&db)).await;
    let created = reports.iter().filter(|r| r.created_database).count();
    assert_eq!(created, 1, "{reports:?}");
    assert_eq!(applied_names(&reports).len(), 3);
}
