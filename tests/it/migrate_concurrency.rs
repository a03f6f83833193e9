//! Migrators started at the same moment (app replicas at deploy): the lock makes each
//! migration apply exactly once and every migrator succeed.

use crate::migrate_support as support;

use std::sync::Arc;

use schema_core::testing::TestDatabase;
use schema_core::{
    connection::DatabaseConfig,
    migrate::{Migrator, Report},
};
use support::{config, drop_keeping_name, ledger, until_seen, Fixture};
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
    drop_keeping_name(&db).await;

    let fixture = fixture();
    let db_config = config(&db).create_database(true);
    let reports = run_all_at_once(fixture.migrator(), db_config).await;
    let created = reports.iter().filter(|r| r.created_database).count();
    assert_eq!(created, 1, "{reports:?}");
    assert_eq!(applied_names(&reports).len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migrator_waits_for_the_lock_and_says_so() {
    let db = TestDatabase::create().await.unwrap();
    let holder = db.connect().await.unwrap();
    holder
        .execute(
            "SELECT pg_advisory_lock($1)",
            &[&schema_core::migrate::LOCK_KEY],
        )
        .await
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let migrator = fixture().migrator().on_progress(move |event| {
        let _ = tx.send(event.clone());
    });
    let db_config = config(&db);
    let run = tokio::spawn(async move { migrator.run(&db_config).await });

    assert_eq!(
        rx.recv().await,
        Some(schema_core::migrate::Progress::WaitingForLock)
    );
    let client = db.connect().await.unwrap();
    assert!(
        !support::table_exists(&client, "schema_migrations.ledger").await,
        "nothing happens before the lock is granted"
    );
    holder
        .execute(
            "SELECT pg_advisory_unlock($1)",
            &[&schema_core::migrate::LOCK_KEY],
        )
        .await
        .unwrap();
    let report = run.await.unwrap().unwrap();
    assert!(report.waited_for_lock);
    assert_eq!(report.applied.len(), 3);
}

/// The run's own connection to `db`, under a name `pg_stat_activity` shows.
fn named(db: &TestDatabase, name: &str) -> DatabaseConfig {
    let mut config = db.config().clone();
    config.application_name(name);
    DatabaseConfig::from(config)
}

/// A concurrent index build waits for every transaction whose snapshot is older than its
/// own, so a migrator that waits for the lock while holding a snapshot deadlocks with the
/// migrator that holds the lock and builds the index (app replicas at deploy, with a pending
/// `generate`d CREATE INDEX CONCURRENTLY). The order is forced: an open write makes the build
/// wait before it starts; the second migrator starts waiting for the lock meanwhile; then the
/// write commits and the build goes on to wait for older snapshots.
#[tokio::test(flavor = "multi_thread")]
async fn a_migrator_waiting_for_the_lock_does_not_deadlock_a_concurrent_index_build() {
    let db = TestDatabase::create().await.unwrap();
    let table = (
        "0000_items.sql",
        "CREATE TABLE \"items\" (\"id\" integer);\n",
    );
    Fixture::new(&[table])
        .migrator()
        .run(&config(&db))
        .await
        .unwrap();
    let fixture = Fixture::new(&[
        table,
        (
            "0001_items_id_idx.sql",
            "-- schema:no-transaction\n\
             CREATE INDEX CONCURRENTLY IF NOT EXISTS \"items_id_idx\" ON \"items\" (\"id\");\n",
        ),
    ]);
    let writer = db.connect().await.unwrap();
    writer
        .batch_execute("BEGIN; INSERT INTO items VALUES (1)")
        .await
        .unwrap();
    let watcher = db.connect().await.unwrap();

    let (migrator, a) = (fixture.migrator(), named(&db, "migrator-a"));
    let first = tokio::spawn(async move { migrator.run(&a).await });
    until_seen(
        &watcher,
        "application_name = 'migrator-a' AND query LIKE '%CREATE INDEX CONCURRENTLY%' \
         AND wait_event_type = 'Lock'",
    )
    .await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let migrator = fixture.migrator().on_progress(move |event| {
        let _ = tx.send(event.clone());
    });
    let b = named(&db, "migrator-b");
    let second = tokio::spawn(async move { migrator.run(&b).await });
    while rx.recv().await != Some(schema_core::migrate::Progress::WaitingForLock) {}
    // Past the look at who holds the lock: the second migrator is asking for the lock again.
    until_seen(
        &watcher,
        "application_name = 'migrator-b' AND query LIKE '%advisory_lock(%' \
         AND query NOT LIKE '%pg_locks%'",
    )
    .await;
    writer.batch_execute("COMMIT").await.unwrap();

    let first = first.await.unwrap();
    let second = second.await.unwrap();
    let describe = |r: &Result<Report, schema_core::migrate::MigrateError>| match r {
        Ok(report) => format!("{report:?}"),
        Err(e) => schema_core::error_chain(e),
    };
    let (first, second) = match (first, second) {
        (Ok(first), Ok(second)) => (first, second),
        (first, second) => panic!(
            "a migrator failed:\n  first: {}\n  second: {}",
            describe(&first),
            describe(&second)
        ),
    };
    assert_eq!(applied_names(&[first]), ["0001_items_id_idx.sql"]);
    assert!(
        second.waited_for_lock && second.applied.is_empty(),
        "{second:?}"
    );
    let valid: bool = watcher
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_id_idx'::regclass",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(valid);
}
