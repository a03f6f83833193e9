//! Real connections: TLS in each `sslmode`, passwords, and the libpq environment.
//!
//! These need the local server to have a certificate for `localhost` signed by a test
//! authority, and a role that must give its password; the first test that needs them makes
//! them (`support::test_server`, which runs `scripts/test-server-setup.sh`).

use crate::migrate_support as support;
use crate::support::test_server::{self, PASSWORD, PASSWORD_ROLE};

use std::path::{Path, PathBuf};
use std::process::Command;

use schema_core::connection::{ConnectError, DatabaseConfig};
use schema_core::testing::TestDatabase;
use schema_core::MigrateError;
use support::cli::{assert_user_error, migrate_bin, text};

/// The test authority's certificate, beside the certificate the server uses.
async fn test_ca() -> PathBuf {
    test_server::prepared().await.ca.clone()
}

/// The URL of `db` on `host` with extra query parameters.
fn url_on(db: &TestDatabase, host: &str, query: &str) -> String {
    format!("postgres://postgres@{host}:5432/{}?{query}", db.name())
}

async fn uses_tls(config: &DatabaseConfig) -> Result<bool, MigrateError> {
    let client = config.connect().await?;
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    Ok(row.get(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_full_connects_encrypted_to_the_name_on_the_certificate() {
    let db = TestDatabase::create().await.unwrap();
    let ca = test_ca().await;
    let query = format!("sslmode=verify-full&sslrootcert={}", ca.display());
    let config = DatabaseConfig::from_url(&url_on(&db, "localhost", &query)).unwrap();
    assert!(uses_tls(&config).await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_full_refuses_a_host_the_certificate_does_not_name_and_verify_ca_accepts_it() {
    let db = TestDatabase::create().await.unwrap();
    let ca = test_ca().await;
    let full = format!("sslmode=verify-full&sslrootcert={}", ca.display());
    let config = DatabaseConfig::from_url(&url_on(&db, "127.0.0.1", &full)).unwrap();
    let err = uses_tls(&config).await.expect_err("the name is checked");
    assert!(
        matches!(
            err,
            MigrateError::Connection(ConnectError::TlsHandshake { .. })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
    assert!(err.help().contains("verify-ca"), "{}", err.help());

    let ca_only = format!("sslmode=verify-ca&sslrootcert={}", ca.display());
    let config = DatabaseConfig::from_url(&url_on(&db, "127.0.0.1", &ca_only)).unwrap();
    assert!(uses_tls(&config).await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_full_against_the_systems_roots_refuses_a_private_authority() {
    let db = TestDatabase::create().await.unwrap();
    test_ca().await;
    let config =
        DatabaseConfig::from_url(&url_on(&db, "localhost", "sslmode=verify-full")).unwrap();
    let err = uses_tls(&config).await.expect_err("unknown issuer");
    assert!(
        matches!(
            err,
            MigrateError::Connection(ConnectError::TlsHandshake { .. })
        ),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn require_encrypts_without_checking_and_disable_does_not_encrypt() {
    let db = TestDatabase::create().await.unwrap();
    test_ca().await;
    let require = DatabaseConfig::from_url(&url_on(&db, "127.0.0.1", "sslmode=require")).unwrap();
    assert!(uses_tls(&require).await.unwrap());
    let prefer = DatabaseConfig::from_url(&url_on(&db, "127.0.0.1", "sslmode=prefer")).unwrap();
    assert!(uses_tls(&prefer).await.unwrap());
    let disable = DatabaseConfig::from_url(&url_on(&db, "127.0.0.1", "sslmode=disable")).unwrap();
    assert!(!uses_tls(&disable).await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_told_apart_from_an_unreachable_server_and_never_printed() {
    test_server::prepared().await;
    let db = TestDatabase::create().await.unwrap();
    let url = format!(
        "postgres://{PASSWORD_ROLE}:not-the-password@127.0.0.1:5432/{}",
        db.name()
    );
    let err = DatabaseConfig::from_url(&url)
        .unwrap()
        .connect()
        .await
        .expect_err("wrong password");
    assert!(
        matches!(err, ConnectError::Authentication { .. }),
        "{err:?}"
    );
    let text = format!("{err}\n{}\n{err:?}", err.help());
    assert!(text.contains(PASSWORD_ROLE), "{text}");
    assert!(!text.contains("not-the-password"), "{text}");

    let right = format!(
        "postgres://{PASSWORD_ROLE}:{}@127.0.0.1:5432/{}",
        PASSWORD.replace(' ', "%20"),
        db.name()
    );
    DatabaseConfig::from_url(&right)
        .unwrap()
        .connect()
        .await
        .expect("the right password");
}

/// The migrate example with no DATABASE_URL, only libpq's variables.
fn migrate_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(migrate_bin());
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL");
    for var in [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "PGSSLMODE",
        "PGAPPNAME",
    ] {
        command.env_remove(var);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run the migrate example")
}

#[tokio::test(flavor = "multi_thread")]
async fn without_database_url_the_libpq_variables_and_pgpassword_are_used() {
    test_server::prepared().await;
    let db = TestDatabase::create().await.unwrap();
    // The role owns the database, so it may create the ledger's schema and the tables.
    let admin = db.connect().await.unwrap();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{}\" OWNER TO {PASSWORD_ROLE}",
            db.name()
        ))
        .await
        .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let output = migrate_with_env(
        cwd.path(),
        &[],
        &[
            ("PGHOST", "127.0.0.1"),
            ("PGPORT", "5432"),
            ("PGUSER", PASSWORD_ROLE),
            ("PGPASSWORD", PASSWORD),
            ("PGDATABASE", db.name()),
            ("PGSSLMODE", "require"),
        ],
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("`{}` at 127.0.0.1:5432", db.name())),
        "{stdout}"
    );
    let client = db.connect().await.unwrap();
    let owner: String = client
        .query_one(
            "SELECT tableowner::text FROM pg_tables WHERE tablename = 'users'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner, PASSWORD_ROLE);

    let wrong = migrate_with_env(
        cwd.path(),
        &["status"],
        &[
            ("PGHOST", "127.0.0.1"),
            ("PGUSER", PASSWORD_ROLE),
            ("PGPASSWORD", "wrong horse"),
            ("PGDATABASE", db.name()),
        ],
    );
    assert_user_error(&wrong, &["refused user `schema_test_password`", "password"]);
    assert!(!text(&wrong).1.contains("wrong horse"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_the_server_asks_for_and_nobody_gave_is_reported_as_missing() {
    let db = TestDatabase::create().await.unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let output = migrate_with_env(
        cwd.path(),
        &["status"],
        &[
            ("PGHOST", "127.0.0.1"),
            ("PGUSER", PASSWORD_ROLE),
            ("PGDATABASE", db.name()),
        ],
    );
    assert_user_error(
        &output,
        &[
            "PostgreSQL at 127.0.0.1:5432",
            "asks user `schema_test_password` for a password, and none was given",
            "PGPASSWORD",
        ],
    );
    assert!(
        !text(&output).1.contains("cannot reach"),
        "{:?}",
        text(&output)
    );
}
