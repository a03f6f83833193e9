//! The library never picks a database by accident: without a URL or a PG* variable it
//! refuses, naming the variables it looked at; a missing database is created only when asked
//! (the program's own default excepted); every report names the database and server.
//!
//! The environment is read by the code under test, so the tests that set variables run in a
//! child process of this binary, alone (see `migrate_test_database`).

use crate::migrate_support as support;

use std::process::Command;

use schema_core::connection::{ConnectError, DatabaseConfig};
use schema_core::testing::TestDatabase;
use schema_core::MigrateError;
use support::cli::{assert_user_error, migrate, text};
use support::{drop_keeping_name, Fixture};
use tokio_postgres::Client;

/// Set only in the child process, where the variables may be changed.
const IN_OWN_PROCESS_VAR: &str = "SCHEMA_TEST_IN_OWN_PROCESS";

const LIBPQ_VARS: [&str; 10] = [
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGAPPNAME",
    "PGCONNECT_TIMEOUT",
];

fn fixture() -> Fixture {
    Fixture::new(&[("0000_initial.sql", "CREATE TABLE \"a\" (\"id\" int);\n")])
}

#[test]
fn the_environment_chooses_a_database_or_nothing() {
    let name = concat!(module_path!(), "::choice_in_a_process_of_its_own");
    let name = name.split_once("::").map_or(name, |(_, rest)| rest);
    let empty = tempfile::tempdir().unwrap();
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args([name, "--exact", "--ignored", "--test-threads=1"])
        .current_dir(empty.path())
        .env(IN_OWN_PROCESS_VAR, "1")
        .env_remove("DATABASE_URL");
    for var in LIBPQ_VARS {
        command.env_remove(var);
    }
    let output = command.output().expect("run the test binary");
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the test did not run:\n{stdout}{stderr}"
    );
}

/// The body of the test above; it changes the process's environment, so it is ignored unless
/// that test runs it in a process of its own.
#[test]
#[ignore = "changes environment variables: run in a child process by \
            `the_environment_chooses_a_database_or_nothing`"]
fn choice_in_a_process_of_its_own() {
    if std::env::var(IN_OWN_PROCESS_VAR).as_deref() != Ok("1") {
        return;
    }
    the_program_s_default_database_is_created();

    // Nothing set: no database, and the message names what was looked at.
    let err = DatabaseConfig::from_env().expect_err("nothing names a database");
    assert!(matches!(err, ConnectError::NoDatabase), "{err:?}");
    let text = err.to_string();
    for var in [
        "DATABASE_URL",
        ".env",
        "PGHOST",
        "PGHOSTADDR",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
    ] {
        assert!(text.contains(var), "{var} in {text}");
    }
    assert!(err.help().contains("--database-url"), "{}", err.help());
    assert!(matches!(
        DatabaseConfig::from_libpq_env(),
        Err(ConnectError::NoDatabase)
    ));

    // Empty variables count as unset, DATABASE_URL as the PG* ones.
    std::env::set_var("DATABASE_URL", "");
    std::env::set_var("PGHOST", "");
    let err = DatabaseConfig::from_env().expect_err("empty is unset");
    assert!(matches!(err, ConnectError::NoDatabase), "{err:?}");

    // The program's default is its own database: created when missing.
    let default = DatabaseConfig::from_env_or(Some("postgres://app@db/qb")).unwrap();
    assert_eq!(default.database(), "qb");
    assert!(default.creates_missing_database());
    assert!(default.origin().contains("default"), "{}", default.origin());

    // A database named by the environment is not created.
    std::env::set_var("PGDATABASE", "from_env");
    std::env::set_var("PGUSER", "app");
    let named = DatabaseConfig::from_env_or(Some("postgres://app@db/qb")).unwrap();
    assert_eq!(named.database(), "from_env");
    assert!(!named.creates_missing_database());
    assert!(named.origin().contains("PG*"), "{}", named.origin());

    // An empty DATABASE_URL falls through to the PG* variables.
    let config = DatabaseConfig::from_env().unwrap();
    assert_eq!(config.database(), "from_env");

    // No user name anywhere: refused, not the `postgres` superuser and its database.
    std::env::remove_var("PGUSER");
    std::env::remove_var("USER");
    let err = DatabaseConfig::from_env().expect_err("no user");
    let text = err.to_string();
    assert!(text.contains("PGUSER") && text.contains("USER"), "{text}");
}

async fn database_exists(db: &TestDatabase) -> bool {
    let mut admin = db.config().clone();
    admin.dbname("postgres");
    let (client, connection) = admin.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    exists(&client, db.name()).await
}

async fn exists(admin: &Client, name: &str) -> bool {
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
async fn a_run_refuses_a_missing_database_unless_asked_to_create_it() {
    let db = TestDatabase::create().await.unwrap();
    drop_keeping_name(&db).await;
    let config = DatabaseConfig::from_url(&db.url()).unwrap();
    let migrator = fixture().migrator();

    let err = migrator.run(&config).await.expect_err("missing");
    assert!(
        matches!(&err, MigrateError::Connection(ConnectError::DatabaseMissing { database, .. }) if database == db.name()),
        "{err:?}"
    );
    assert!(err.help().contains("--create-database"), "{}", err.help());
    // What a run would do, the read-only views say too.
    let status = migrator.status(&config).await.expect_err("missing");
    assert!(
        matches!(
            status,
            MigrateError::Connection(ConnectError::DatabaseMissing { .. })
        ),
        "{status:?}"
    );
    let dry = migrator.dry_run(&config).await.expect_err("missing");
    assert!(
        matches!(
            dry,
            MigrateError::Connection(ConnectError::DatabaseMissing { .. })
        ),
        "{dry:?}"
    );
    assert!(!database_exists(&db).await, "a refused run created it");

    let report = migrator
        .run(&config.create_database(true))
        .await
        .expect("asked to create it");
    assert!(report.created_database);
    assert_eq!(report.database, db.name());
    assert_eq!(report.server, "127.0.0.1:5432");
    let line = report.to_string();
    assert!(
        line.contains(&format!("applied to `{}` at 127.0.0.1:5432", db.name())),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_on_a_caller_s_connection_names_the_database_and_server() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let report = fixture().migrator().run_on_client(&client).await.unwrap();
    assert_eq!(report.database, db.name());
    assert_eq!(report.server, "127.0.0.1:5432");
    let again = fixture().migrator().run_on_client(&client).await.unwrap();
    assert_eq!(
        again.to_string(),
        format!(
            "nothing pending: `{}` at 127.0.0.1:5432 is up to date (1 migration applied)",
            db.name()
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_refuses_a_missing_database_and_names_the_flag() {
    let db = TestDatabase::create().await.unwrap();
    drop_keeping_name(&db).await;
    let fixture = fixture();
    let url = db.url();
    for command in ["migrate", "status", "dry-run"] {
        let output = migrate(
            fixture.path(),
            &[command, "--database-url", &url, "--dir", "."],
        );
        assert_user_error(
            &output,
            &[
                &format!("database `{}` does not exist on 127.0.0.1:5432", db.name()),
                "--create-database",
            ],
        );
    }
    assert!(!database_exists(&db).await, "a refused command created it");

    let dry = migrate(
        fixture.path(),
        &[
            "dry-run",
            "--database-url",
            &url,
            "--dir",
            ".",
            "--create-database",
        ],
    );
    let (stdout, stderr) = text(&dry);
    assert!(dry.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "-- dry run against `{}` at 127.0.0.1:5432",
            db.name()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("a run creates it"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_line_report_names_the_database_and_server() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    let url = db.url();
    let place = format!("`{}` at 127.0.0.1:5432", db.name());
    for (command, line) in [
        ("status", format!("status of {place}")),
        ("dry-run", format!("-- dry run against {place}")),
        ("migrate", format!("applied to {place}")),
        ("revert", format!("reverting on {place}")),
    ] {
        let output = migrate(
            fixture.path(),
            &[command, "--database-url", &url, "--dir", "."],
        );
        let (stdout, stderr) = text(&output);
        assert!(stdout.contains(&line), "{command}: {stdout}{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_value_string_with_spaces_and_quotes_connects() {
    let db = TestDatabase::create().await.unwrap();
    let conninfo = format!(
        "host = 127.0.0.1 port= 5432 user =postgres dbname = '{}' sslmode = disable \
         application_name = 'it\\'s a test'",
        db.name()
    );
    let client = DatabaseConfig::from_url(&conninfo)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let name: String = client
        .query_one("SELECT current_setting('application_name')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(name, "it's a test");
}

/// The Quick start on a fresh machine: a program's own default database, missing, is created
/// by `migrate` without a flag (the question bank's is `question_bank`; a test database of
/// its own stands for it here).
fn the_program_s_default_database_is_created() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(async {
        let db = TestDatabase::create().await.unwrap();
        drop_keeping_name(&db).await;
        db
    });
    let fixture = fixture();
    schema_core::cli::Cli::new(&schema::SCHEMA)
        .default_database_url(db.url())
        .main_from(["migrate", "--dir", fixture.path().to_str().unwrap()]);
    assert!(
        runtime.block_on(database_exists(&db)),
        "the default database was not created"
    );
    drop(db);
}
