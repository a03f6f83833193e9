//! Taking over a database drizzle-kit built (`Migrator::adopt`): the catalog decides, the
//! ledger records what matched, `migrate` applies the rest, and a difference writes nothing.
//! The drizzle database is built from drizzle-kit's SQL for the question bank
//! (`tests/fixtures/drizzle/`), with a drizzle ledger hashed from the same files.

use std::path::{Path, PathBuf};

use schema_core::catalog;
use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{generate, GenerateOptions, Generated};
use schema_core::model::{ColumnDef, Schema, SqlType};
use schema_core::testing::TestDatabase;
use schema_core::{
    adopt::{AdoptError, AdoptOptions},
    migrate::Migrator,
};
use sha2::{Digest, Sha256};
use tokio_postgres::Client;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/drizzle");

/// Builds the database as a drizzle project would have: drizzle-kit's SQL (with the pgcrypto
/// line such a project adds by hand) and drizzle's ledger row for the file.
async fn drizzle_database() -> (TestDatabase, Client) {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let raw = std::fs::read(format!("{FIXTURE}/0000_initial.sql")).unwrap();
    let sql = String::from_utf8(raw.clone())
        .unwrap()
        .replace("--> statement-breakpoint", "");
    let journal: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIXTURE}/meta/_journal.json")).unwrap(),
    )
    .unwrap();
    let when = journal["entries"][0]["when"].as_i64().unwrap();
    let hash = hex::encode(Sha256::digest(&raw));
    client
        .batch_execute(&format!(
            "BEGIN;
             CREATE EXTENSION IF NOT EXISTS \"pgcrypto\";
             {sql}
             CREATE SCHEMA IF NOT EXISTS drizzle;
             CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations
                 (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
             INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('{hash}', {when});
             COMMIT;"
        ))
        .await
        .unwrap();
    (db, client)
}

/// A copy of this project's migrations, to which a test may add the next one.
fn migrations_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    std::fs::create_dir(dir.path().join("meta")).unwrap();
    for file in [
        "0000_initial.sql",
        "meta/_journal.json",
        "meta/0000_snapshot.json",
    ] {
        std::fs::copy(from.join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// The question bank with one change made in code: a nullable `users.display_name`.
fn changed_schema() -> Schema {
    let mut schema = schema::SCHEMA.clone();
    let users = schema
        .tables
        .to_mut()
        .iter_mut()
        .find(|t| t.name == "users")
        .unwrap();
    users
        .columns
        .to_mut()
        .push(ColumnDef::new("display_name".into(), SqlType::Text).nullable());
    schema
}

/// Generates the migration for [`changed_schema`] into `dir`, as `generate` would.
fn generate_change(dir: &Path) {
    let options = GenerateOptions {
        name: Some("display_name".into()),
        ..GenerateOptions::default()
    };
    let written = generate(&changed_schema(), &MigrationsDir::new(dir), &options).unwrap();
    assert!(
        matches!(written, Generated::Written(ref w) if w.len() == 1),
        "{written:?}"
    );
}

fn drizzle_options() -> AdoptOptions {
    AdoptOptions {
        through: None,
        drizzle_dir: Some(PathBuf::from(FIXTURE)),
    }
}

async fn count(client: &Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

async fn schema_exists(client: &Client, name: &str) -> bool {
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&name],
        )
        .await
        .unwrap()
        .get(0)
}

async fn ledger_exists(client: &Client) -> bool {
    client
        .query_one(
            "SELECT to_regclass('schema_migrations.ledger') IS NOT NULL",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drizzle_database_is_adopted_verifies_clean_and_takes_the_next_migration() {
    let (db, client) = drizzle_database().await;
    let dir = migrations_copy();
    let migrator = Migrator::from_dir(dir.path()).unwrap();

    let report = migrator
        .adopt_on_client(&client, &drizzle_options())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    assert_eq!(report.through, "0000_initial.sql");
    assert_eq!(report.recorded, ["0000_initial.sql"]);
    assert_eq!(
        report.adopted_from,
        "drizzle-kit ledger drizzle.__drizzle_migrations: 0000_initial"
    );
    let row = client
        .query_one(
            "SELECT name, checksum, adopted_from FROM schema_migrations.ledger",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "0000_initial.sql");
    assert_eq!(row.get::<_, String>(1), migrator.migrations()[0].checksum);
    assert_eq!(row.get::<_, String>(2), report.adopted_from);
    // drizzle's ledger is left as it was, so the team can go back.
    assert_eq!(
        count(&client, "SELECT count(*) FROM drizzle.__drizzle_migrations").await,
        1
    );

    let verified = catalog::verify(&client, &schema::SCHEMA).await.unwrap();
    assert!(verified.is_clean(), "{verified}");
    // `status` tells an adopted migration from an applied one.
    let status = migrator
        .status(&schema_core::connection::DatabaseConfig::from(
            db.config().clone(),
        ))
        .await
        .unwrap();
    assert_eq!(status.entries[0].label(), "adopted", "{status}");
    assert!(
        status
            .to_string()
            .contains("adopted from drizzle-kit ledger drizzle.__drizzle_migrations"),
        "{status}"
    );
    let again = migrator
        .adopt_on_client(&client, &drizzle_options())
        .await
        .unwrap();
    assert!(
        again.recorded.is_empty(),
        "adopting twice is a no-op: {again}"
    );
    assert!(again
        .to_string()
        .starts_with("already adopted through 0000_initial.sql"));

    // A change made in code is generated and applied by `migrate`, and only that.
    generate_change(dir.path());
    let run = Migrator::from_dir(dir.path())
        .unwrap()
        .run_on_client(&client)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    assert_eq!(run.already_applied, 1);
    assert_eq!(run.applied.len(), 1);
    assert_eq!(run.applied[0].name, "0001_display_name.sql");
    let verified = catalog::verify(&client, &changed_schema()).await.unwrap();
    assert!(verified.is_clean(), "{verified}");
}

/// `migrate` on a drizzle-built database would fail on the first CREATE TYPE; it says to
/// adopt instead, having applied nothing.
#[tokio::test(flavor = "multi_thread")]
async fn migrate_on_a_drizzle_database_points_to_adopt() {
    let (_db, client) = drizzle_database().await;
    let dir = migrations_copy();
    let err = Migrator::from_dir(dir.path())
        .unwrap()
        .run_on_client(&client)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("built by drizzle-kit (its ledger drizzle.__drizzle_migrations holds 1"),
        "{err}"
    );
    assert!(err.help().contains("`adopt` command"), "{}", err.help());
    assert!(
        !schema_exists(&client, "schema_migrations").await,
        "a refused run writes nothing, the ledger's schema included"
    );

    // Doing as told works.
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let report = migrator
        .adopt_on_client(&client, &drizzle_options())
        .await
        .unwrap();
    assert_eq!(report.recorded, ["0000_initial.sql"]);
    assert!(
        report
            .to_string()
            .contains("drizzle-kit's ledger is left as it was"),
        "{report}"
    );
    let run = migrator.run_on_client(&client).await.unwrap();
    assert_eq!((run.already_applied, run.applied.len()), (1, 0));
}

/// `status` and `dry-run` say what `migrate` would do on a drizzle-built database: the same
/// refusal, the same exit status, and none of them writes anything.
#[tokio::test(flavor = "multi_thread")]
async fn status_dry_run_and_migrate_refuse_a_drizzle_database_alike_and_write_nothing() {
    use crate::migrate_support::cli::{migrate, text};
    let (db, client) = drizzle_database().await;
    let dir = migrations_copy();
    let url = db.url();
    let path = dir.path().to_str().unwrap();
    let config = schema_core::connection::DatabaseConfig::from(db.config().clone());
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let refused = |e: &schema_core::migrate::MigrateError| {
        matches!(
            e,
            schema_core::migrate::MigrateError::BuiltByDrizzle { entries: 1 }
        )
    };
    let status = migrator.status(&config).await.unwrap_err();
    assert!(refused(&status), "{status}");
    let dry_run = migrator.dry_run(&config).await.unwrap_err();
    assert!(refused(&dry_run), "{dry_run}");

    for command in [&["status"][..], &["dry-run"], &[]] {
        let mut args = vec!["--database-url", &url, "--dir", path];
        args.extend_from_slice(command);
        let out = migrate(dir.path(), &args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("built by drizzle-kit") && stderr.contains("`adopt` command"),
            "{command:?}: {stderr}"
        );
        assert!(
            !stdout.contains("pending") && !stdout.contains("CREATE TYPE"),
            "{command:?}: {stdout}"
        );
    }
    assert!(!schema_exists(&client, "schema_migrations").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_changed_by_hand_is_named_and_nothing_is_written() {
    let (_db, client) = drizzle_database().await;
    client
        .batch_execute(
            "DROP INDEX attempts_user_answered_at_idx;
             CREATE INDEX attempts_user_answered_at_idx ON attempts
                 (user_id, answered_at DESC NULLS LAST);",
        )
        .await
        .unwrap();
    let dir = migrations_copy();
    let err = Migrator::from_dir(dir.path())
        .unwrap()
        .adopt_on_client(&client, &drizzle_options())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, AdoptError::NotIdentical { drifts, .. } if drifts.len() == 1),
        "{message}"
    );
    assert!(
        message.contains("nothing was written")
            && message.contains("0000_initial.sql")
            && message.contains(
                "change index `attempts_user_answered_at_idx` of table `attempts` from \
                 `btree (user_id, answered_at DESC NULLS LAST)` to \
                 `btree (user_id, answered_at DESC)`"
            ),
        "{message}"
    );
    assert!(!ledger_exists(&client).await, "a refusal writes nothing");
    assert_eq!(
        count(&client, "SELECT count(*) FROM drizzle.__drizzle_migrations").await,
        1
    );
}

/// adopt compares owners and grants as verify does: a grant to PUBLIC nobody declared is
/// named, and nothing is written.
#[tokio::test(flavor = "multi_thread")]
async fn a_grant_nobody_declared_is_named_and_nothing_is_written() {
    let (_db, client) = drizzle_database().await;
    client
        .batch_execute("GRANT ALL ON stripe_events TO PUBLIC")
        .await
        .unwrap();
    let dir = migrations_copy();
    let err = Migrator::from_dir(dir.path())
        .unwrap()
        .adopt_on_client(&client, &drizzle_options())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, AdoptError::NotIdentical { drifts, .. } if drifts.len() == 1)
            && message.contains(
                "revoke ALL on table `stripe_events` from PUBLIC: the code does not grant it"
            ),
        "{message}"
    );
    assert!(!ledger_exists(&client).await, "a refusal writes nothing");
}

/// adopt compares what verify compares: an INCLUDE column or another operator class makes
/// an index differ, and nothing is written.
#[tokio::test(flavor = "multi_thread")]
async fn an_index_with_an_include_column_or_another_operator_class_is_not_adopted() {
    for (change, found) in [
        (
            "DROP INDEX attempts_user_answered_at_idx;
             CREATE INDEX attempts_user_answered_at_idx ON attempts
                 (user_id, answered_at DESC) INCLUDE (id)",
            "change index `attempts_user_answered_at_idx` of table `attempts` from \
             `btree (user_id, answered_at DESC) INCLUDE (id)` to",
        ),
        (
            "DROP INDEX users_email_uq;
             CREATE UNIQUE INDEX users_email_uq ON users (email varchar_pattern_ops)",
            "change index `users_email_uq` of table `users` from \
             `UNIQUE btree (email varchar_pattern_ops)` to",
        ),
    ] {
        let (_db, client) = drizzle_database().await;
        client.batch_execute(change).await.unwrap();
        let dir = migrations_copy();
        let err = Migrator::from_dir(dir.path())
            .unwrap()
            .adopt_on_client(&client, &drizzle_options())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AdoptError::NotIdentical { drifts, .. } if drifts.len() == 1),
            "{change}: {err}"
        );
        assert!(err.to_string().contains(found), "{err}");
        assert!(!ledger_exists(&client).await, "a refusal writes nothing");
    }
}

/// drizzle-kit's ledger claims two files, the database has the schema of the first only: the
/// record names that one, and the other is reported as not recorded.
#[tokio::test(flavor = "multi_thread")]
async fn the_record_names_only_the_drizzle_files_the_database_matches() {
    let dir = migrations_copy();
    generate_change(dir.path());
    // drizzle's folder with the same second migration, which its ledger says was applied.
    let drizzle = tempfile::tempdir().unwrap();
    std::fs::create_dir(drizzle.path().join("meta")).unwrap();
    std::fs::copy(
        format!("{FIXTURE}/0000_initial.sql"),
        drizzle.path().join("0000_initial.sql"),
    )
    .unwrap();
    let second = std::fs::read(dir.path().join("0001_display_name.sql")).unwrap();
    std::fs::write(drizzle.path().join("0001_display_name.sql"), &second).unwrap();
    let mut journal: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIXTURE}/meta/_journal.json")).unwrap(),
    )
    .unwrap();
    let when = journal["entries"][0]["when"].as_i64().unwrap() + 1000;
    journal["entries"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"idx": 1, "version": "7", "when": when,
                                 "tag": "0001_display_name", "breakpoints": true}));
    std::fs::write(
        drizzle.path().join("meta/_journal.json"),
        journal.to_string(),
    )
    .unwrap();
    let hash = hex::encode(Sha256::digest(&second));

    for drizzle_dir in [Some(drizzle.path().to_path_buf()), None] {
        let (_db, client) = drizzle_database().await;
        client
            .batch_execute(&format!(
                "INSERT INTO drizzle.__drizzle_migrations (hash, created_at) \
                 VALUES ('{hash}', {when})"
            ))
            .await
            .unwrap();
        let by_name = drizzle_dir.is_some();
        let report = Migrator::from_dir(dir.path())
            .unwrap()
            .adopt_on_client(
                &client,
                &AdoptOptions {
                    through: None,
                    drizzle_dir,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.recorded, ["0000_initial.sql"]);
        let (first, second) = if by_name {
            ("0000_initial".to_string(), "0001_display_name".to_string())
        } else {
            let first = hex::encode(Sha256::digest(
                std::fs::read(format!("{FIXTURE}/0000_initial.sql")).unwrap(),
            ));
            (
                format!("sha256 {}", &first[..12]),
                format!("sha256 {}", &hash[..12]),
            )
        };
        assert_eq!(
            report.adopted_from,
            format!("drizzle-kit ledger drizzle.__drizzle_migrations: {first}")
        );
        assert_eq!(
            report.warnings,
            [format!(
                "drizzle-kit's ledger lists {second}, but the database does not have the \
                 schema of 0001_display_name.sql: not recorded"
            )]
        );
        assert!(
            report
                .to_string()
                .contains(&format!("\nwarning: {}", report.warnings[0])),
            "{report}"
        );
    }
}

/// A drizzle ledger hash that is not its file's (the file changed after drizzle-kit applied
/// it) is said, in the report and in the record.
#[tokio::test(flavor = "multi_thread")]
async fn a_drizzle_hash_that_is_not_its_files_is_reported() {
    let (_db, client) = drizzle_database().await;
    let wrong = "ab".repeat(32);
    client
        .batch_execute(&format!(
            "UPDATE drizzle.__drizzle_migrations SET hash = '{wrong}'"
        ))
        .await
        .unwrap();
    let dir = migrations_copy();
    let report = Migrator::from_dir(dir.path())
        .unwrap()
        .adopt_on_client(&client, &drizzle_options())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.recorded, ["0000_initial.sql"]);
    let file = hex::encode(Sha256::digest(
        std::fs::read(format!("{FIXTURE}/0000_initial.sql")).unwrap(),
    ));
    assert_eq!(
        report.warnings,
        [format!(
            "drizzle-kit's ledger records 0000_initial with sha256 abababababab, but the file's \
             is {}: it changed after drizzle-kit applied it",
            &file[..12]
        )]
    );
    assert_eq!(
        report.adopted_from,
        "drizzle-kit ledger drizzle.__drizzle_migrations: \
         0000_initial (changed since drizzle-kit applied it)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_one_step_behind_is_adopted_where_it_is_and_migrate_applies_the_rest() {
    let (_db, client) = drizzle_database().await;
    let dir = migrations_copy();
    generate_change(dir.path());
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    assert_eq!(migrator.migrations().len(), 2);

    let report = migrator
        .adopt_on_client(&client, &drizzle_options())
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    assert_eq!(report.recorded, ["0000_initial.sql"]);
    let run = migrator.run_on_client(&client).await.unwrap();
    assert_eq!(run.applied.len(), 1);
    assert_eq!(run.applied[0].name, "0001_display_name.sql");
    let verified = catalog::verify(&client, &changed_schema()).await.unwrap();
    assert!(verified.is_clean(), "{verified}");

    // Asking for the newer migration on a database at the older one is refused, naming what
    // is missing.
    let (_db2, behind) = drizzle_database().await;
    let err = migrator
        .adopt_on_client(
            &behind,
            &AdoptOptions {
                through: Some(1),
                drizzle_dir: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("add column `users.display_name` (text)"),
        "{err}"
    );
    assert!(!ledger_exists(&behind).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_without_a_drizzle_ledger_needs_through() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let dir = migrations_copy();
    // Built by hand from this project's own SQL, no ledger of any kind.
    let sql = std::fs::read_to_string(dir.path().join("0000_initial.sql")).unwrap();
    client
        .batch_execute(&sql.replace("--> statement-breakpoint", ""))
        .await
        .unwrap();
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    let err = migrator
        .adopt_on_client(&client, &AdoptOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, AdoptError::NoDrizzleLedger), "{err}");
    assert!(err.help().contains("--through NNNN"));
    assert!(!ledger_exists(&client).await);

    let unknown = migrator
        .adopt_on_client(
            &client,
            &AdoptOptions {
                through: Some(7),
                drizzle_dir: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        unknown.to_string().contains("no migration numbered 0007"),
        "{unknown}"
    );

    let report = migrator
        .adopt_on_client(
            &client,
            &AdoptOptions {
                through: Some(0),
                drizzle_dir: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(report.recorded, ["0000_initial.sql"]);
    assert_eq!(
        report.adopted_from,
        "adopted with --through: no drizzle-kit ledger"
    );
    assert!(
        !report.to_string().contains("drizzle-kit's ledger"),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_migrate_already_manages_is_refused() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let dir = migrations_copy();
    let migrator = Migrator::from_dir(dir.path()).unwrap();
    migrator.run_on_client(&client).await.unwrap();
    let err = migrator
        .adopt_on_client(
            &client,
            &AdoptOptions {
                through: Some(0),
                drizzle_dir: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, AdoptError::LedgerInUse { entries: 1 }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("1 migration(s) applied by `migrate`"),
        "{err}"
    );
}
