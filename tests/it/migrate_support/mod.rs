//! Shared by the `migrate_*` tests: migration folders written into temp dirs, and catalog
//! and ledger reads that show what a run left behind.
#![allow(dead_code)] // each test file uses a different part

pub mod cli;

use std::path::Path;

use schema_core::testing::TestDatabase;
use schema_core::{connection::DatabaseConfig, migrate::Migrator};
use tokio_postgres::Client;

/// A migrations folder of the test's own.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let fixture = Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::create_dir(fixture.path().join("meta")).expect("meta dir");
        for (name, sql) in files {
            fixture.write(name, sql);
        }
        fixture
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, sql: &str) {
        std::fs::write(self.path().join(name), sql).expect("write migration");
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.path().join(name)).expect("remove migration");
    }

    pub fn migrator(&self) -> Migrator {
        Migrator::from_dir(self.path()).expect("fixture migrations are valid")
    }
}

pub fn config(db: &TestDatabase) -> DatabaseConfig {
    DatabaseConfig::from(db.config().clone())
}

/// (version, name, checksum, applied_at) of every ledger row, in order.
pub async fn ledger(client: &Client) -> Vec<(i64, String, String, String)> {
    client
        .query(
            "SELECT version, name, checksum, applied_at::text \
             FROM schema_migrations.ledger ORDER BY version",
            &[],
        )
        .await
        .expect("read ledger")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// Every user relation and column outside the ledger's schema, as text: a cheap picture of
/// the database to compare before and after.
pub async fn catalog(client: &Client) -> Vec<String> {
    client
        .query(
            "SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname || ' ' || \
                    coalesce(string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), \
                    ',' ORDER BY a.attnum), '') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
                  AND NOT a.attisdropped \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
             GROUP BY c.relkind, n.nspname, c.relname ORDER BY 1",
            &[],
        )
        .await
        .expect("read catalog")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

pub async fn table_exists(client: &Client, name: &str) -> bool {
    client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .await
        .expect("to_regclass")
        .get(0)
}

/// SHA-256 of a file's bytes, computed here rather than by the runner.
pub fn sha256_of(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(
        std::fs::read(path).expect("read file"),
    ))
}

/// Drops `db` on the server while keeping its name, for tests of a database that does not
/// exist yet; the `TestDatabase` drops it again at the end, whoever created it meanwhile.
pub async fn drop_keeping_name(db: &TestDatabase) {
    let mut admin = db.config().clone();
    admin.dbname("postgres");
    let (client, connection) = admin.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP DATABASE \"{}\"", db.name()))
        .await
        .unwrap();
}

/// Waits until a session of the current database in `pg_stat_activity` matches `condition`
/// (SQL over its columns); fails the test after 30 s.
pub async fn until_seen(watcher: &Client, condition: &str) {
    until(watcher, &format!("EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND {condition})"), condition).await
}

/// Waits until no session of the current database matches `condition`; fails after 30 s.
pub async fn until_gone(watcher: &Client, condition: &str) {
    until(watcher, &format!("NOT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND {condition})"), condition).await
}

async fn until(watcher: &Client, test: &str, condition: &str) {
    let sql = format!("SELECT {test}");
    for _ in 0..1200 {
        if watcher
            .query_one(&sql, &[])
            .await
            .unwrap()
            .get::<_, bool>(0)
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("still waiting after 30 s for `{test}` ({condition})");
}

/// Whether the migration lock is free: taken and given back at once.
pub async fn lock_is_free(client: &Client) -> bool {
    let free: bool = client
        .query_one(
            "SELECT pg_try_advisory_lock($1)",
            &[&schema_core::migrate::LOCK_KEY],
        )
        .await
        .unwrap()
        .get(0);
    if free {
        client
            .query_one(
                "SELECT pg_advisory_unlock($1)",
                &[&schema_core::migrate::LOCK_KEY],
            )
            .await
            .unwrap();
    }
    free
}
