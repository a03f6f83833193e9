//! `migrate verify` as a user runs it: the live database against the question-bank schema in
//! code, through the built example.

use crate::migrate_support as support;

use std::path::Path;
use std::process::Output;

use schema_core::testing::TestDatabase;
use support::cli::{assert_user_error, migrate, text};
use tokio_postgres::Client;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

/// A database brought up to date with the repository's migrations by the example itself.
fn migrated(db: &TestDatabase) {
    let output = migrate(
        Path::new("/"),
        &["--database-url", &db.url(), "--dir", MIGRATIONS],
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
}

fn verify(db_url: &str) -> Output {
    migrate(Path::new("/"), &["--database-url", db_url, "verify"])
}

/// A connection to the server's `postgres` database, to look at databases from outside.
async fn admin(db: &TestDatabase) -> Client {
    let mut config = db.config().clone();
    config.dbname("postgres");
    let (client, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

async fn database_exists(admin: &Client, name: &str) -> bool {
    admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
        == 1
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_migrated_with_the_repository_migrations_verifies_clean() {
    let db = TestDatabase::create().await.unwrap();
    migrated(&db);

    // Same URL resolution as applying: here DATABASE_URL comes from a .env file.
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join(".env"),
        format!("DATABASE_URL={}\n", db.url()),
    )
    .unwrap();
    let output = migrate(project.path(), &["verify"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "verifying `{}` at {} against the schema in code \
                 (5 enums, 11 tables)",
                db.name(),
                db_target(&db)
            )
            .as_str(),
            "schema `public` matches the schema in code: no drift",
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_column_and_a_dropped_index_are_both_reported_and_the_exit_is_non_zero() {
    let db = TestDatabase::create().await.unwrap();
    migrated(&db);
    let client = db.connect().await.unwrap();
    client
        .batch_execute(
            "ALTER TABLE attempts DROP COLUMN time_spent_seconds; DROP INDEX questions_slug_uq;",
        )
        .await
        .unwrap();

    let output = verify(&db.url());
    assert_user_error(
        &output,
        &["schema `public` differs from the schema in code in 2 place(s):"],
    );
    let (_, stderr) = text(&output);
    let drifts: Vec<&str> = stderr.lines().filter(|l| l.starts_with("  - ")).collect();
    assert_eq!(drifts.len(), 2, "{stderr}");
    assert!(
        drifts.iter().any(
            |l| l.starts_with("  - add column `attempts.time_spent_seconds` (") && l.ends_with(")")
        ),
        "{stderr}"
    );
    assert!(
        drifts.contains(
            &"  - create index `questions_slug_uq` on table `questions` (UNIQUE btree (slug))"
        ),
        "{stderr}"
    );

    // Verifying changed nothing: the column is still gone, and so is the drift.
    let again = verify(&db.url());
    assert_eq!(text(&again).1, stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_database_is_reported_and_not_created() {
    let db = TestDatabase::create().await.unwrap();
    let admin = admin(&db).await;
    admin
        .batch_execute(&format!("DROP DATABASE \"{}\"", db.name()))
        .await
        .unwrap();

    let output = verify(&db.url());
    assert_user_error(
        &output,
        &[
            &format!("database `{}` does not exist on", db.name()),
            "Check the database name",
            "the `migrate` command",
        ],
    );
    assert!(!database_exists(&admin, db.name()).await);
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    // Port 1 on loopback: nothing listens there, and nothing leaves the machine.
    let output = verify("postgres://postgres@127.0.0.1:1/question_bank");
    assert_user_error(
        &output,
        &[
            "cannot reach PostgreSQL at 127.0.0.1:1",
            "Connection refused",
            "Start PostgreSQL",
        ],
    );
}

/// `host:port` as the example prints it for this database.
fn db_target(db: &TestDatabase) -> String {
    schema_core::connection::DatabaseConfig::from(db.config().clone()).target()
}
