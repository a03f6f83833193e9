//! Migrated test databases taken from a pool of ready spare copies of the template: each a
//! database of its own with the schema, never a copy cut off half-way, and the pool bounded.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use schema_core::migrate::Migrator;
use schema_core::testing::{
    admin_url, drop_template, refills_settled, TestDatabase, DEFAULT_SPARES, MAKING_PREFIX,
    SPARES_VAR, SPARE_PREFIX, TEMPLATE_PREFIX,
};
use tokio_postgres::{Client, NoTls};

use crate::migrate_support::Fixture;

/// Longer than a refill of a few copies of a small template takes on a loaded machine.
const SETTLE: Duration = Duration::from_secs(120);

/// Migrations no other test has, so the template and its spares are this test's alone.
fn fixture() -> Fixture {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    Fixture::new(&[
        (
            "0000_first.sql",
            &format!(
                "-- {}_{nanos}\nCREATE TABLE item (id int PRIMARY KEY);",
                std::process::id()
            ),
        ),
        ("0001_second.sql", "INSERT INTO item VALUES (1), (2);"),
    ])
}

/// The pool's size in this process, as the library reads it.
fn pool_size() -> usize {
    std::env::var(SPARES_VAR).map_or(DEFAULT_SPARES, |v| v.trim().parse().unwrap())
}

async fn admin() -> Client {
    let (client, connection) = tokio_postgres::connect(&admin_url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// The template's key, which names its spares.
fn key(template: &str) -> &str {
    template.strip_prefix(TEMPLATE_PREFIX).unwrap()
}

/// The databases whose name starts with `prefix`, by oid (kept through a rename).
async fn oids(admin: &Client, prefix: &str) -> HashSet<u32> {
    admin
        .query(
            "SELECT oid FROM pg_database WHERE starts_with(datname, $1)",
            &[&prefix],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn ready_spares(admin: &Client, template: &str) -> HashSet<u32> {
    oids(admin, &format!("{SPARE_PREFIX}{}_", key(template))).await
}

async fn oid_of(admin: &Client, name: &str) -> u32 {
    admin
        .query_one("SELECT oid FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap()
        .get(0)
}

/// Every database on the server whose name carries the template's key.
async fn of_template(admin: &Client, template: &str) -> Vec<String> {
    admin
        .query(
            "SELECT datname::text FROM pg_database WHERE strpos(datname, $1) > 0 ORDER BY 1",
            &[&key(template)],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The database holds the migrated schema: the table, its rows and the ledger.
async fn assert_migrated(db: &TestDatabase) {
    let client = db.connect().await.unwrap();
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM item), \
                    (SELECT count(*) FROM schema_migrations.ledger)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (2, 2));
}

async fn settle() {
    assert!(refills_settled(SETTLE).await, "the refill did not finish");
}

/// `count` test databases asked for at once, each on a task of its own.
async fn claim_concurrently(migrator: &Migrator, count: usize) -> Vec<TestDatabase> {
    let tasks: Vec<_> = (0..count)
        .map(|_| {
            let migrator = migrator.clone();
            tokio::spawn(async move { TestDatabase::migrated(&migrator).await })
        })
        .collect();
    let mut dbs = Vec::new();
    for task in tasks {
        dbs.push(task.await.unwrap().unwrap());
    }
    dbs
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_claims_get_distinct_migrated_databases_and_the_pool_stays_bounded() {
    let fixture = fixture();
    let migrator = fixture.migrator();
    let template = TestDatabase::template_name(&migrator).await.unwrap();
    let admin = admin().await;

    // The first builds the template and copies it; the pool fills behind it.
    let first = TestDatabase::migrated(&migrator).await.unwrap();
    settle().await;
    let spares = ready_spares(&admin, &template).await;
    assert_eq!(spares.len(), pool_size(), "the pool is filled to its size");

    let dbs = claim_concurrently(&migrator, 8).await;
    let names: HashSet<&str> = dbs.iter().map(|d| d.name()).collect();
    assert_eq!(names.len(), 8, "eight databases of their own: {names:?}");
    let mut claimed = HashSet::new();
    for db in &dbs {
        assert_migrated(db).await;
        claimed.insert(oid_of(&admin, db.name()).await);
    }
    assert_eq!(claimed.len(), 8, "eight distinct databases");
    assert!(!claimed.is_disjoint(&spares), "ready spares were taken");
    assert!(ready_spares(&admin, &template).await.len() <= pool_size());

    settle().await;
    let refilled = ready_spares(&admin, &template).await;
    assert_eq!(refilled.len(), pool_size(), "refilled, and no further");

    let mut left: Vec<String> = dbs.iter().map(|d| d.name().to_string()).collect();
    left.push(first.name().to_string());
    drop(dbs);
    drop(first);
    settle().await;
    let remaining = of_template(&admin, &template).await;
    assert_eq!(
        remaining.len(),
        1 + pool_size(),
        "the template and its pool, nothing else: {remaining:?}"
    );
    let owned = format!("{SPARE_PREFIX}{}_", key(&template));
    assert!(remaining
        .iter()
        .all(|n| *n == template || n.starts_with(&owned)));
    for name in &left {
        assert!(!remaining.contains(name), "{name} dropped");
    }

    drop_template(&template).await.unwrap();
    assert_eq!(of_template(&admin, &template).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spare_cut_off_while_being_made_is_never_claimed() {
    let fixture = fixture();
    let migrator = fixture.migrator();
    let template = TestDatabase::template_name(&migrator).await.unwrap();
    let admin = admin().await;
    drop(TestDatabase::migrated(&migrator).await.unwrap());
    settle().await;

    // What a refill cut off before its rename leaves; empty, the worst it could hold.
    let cut_off = format!("{MAKING_PREFIX}{}_0000dead", key(&template));
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {} ALLOW_CONNECTIONS false",
            schema_core::sql::quote_ident(&cut_off)
        ))
        .await
        .unwrap();
    let cut_off_oid = oid_of(&admin, &cut_off).await;

    // More claims than there are spares: the spares, then copies; never the cut-off one.
    let dbs = claim_concurrently(&migrator, pool_size() + 2).await;
    for db in &dbs {
        assert_ne!(
            oid_of(&admin, db.name()).await,
            cut_off_oid,
            "{}",
            db.name()
        );
        assert_migrated(db).await;
    }
    settle().await;
    assert!(
        oids(&admin, &cut_off).await.is_empty(),
        "the next refill drops it"
    );
    assert_eq!(ready_spares(&admin, &template).await.len(), pool_size());
    drop(dbs);
    drop_template(&template).await.unwrap();
    assert_eq!(of_template(&admin, &template).await, Vec::<String>::new());
}
