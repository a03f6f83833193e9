//! What `generate` writes for a change to a table that already holds rows: the online forms,
//! in up to three migrations, accepted by `--check` and by the lint, applied by the runner to
//! the same catalog as a fresh build; and the hazards that no online form avoids.

use crate::support;

use schema_core::catalog;
use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{check, generate, generate_report, GenerateOptions};
use schema_core::lint::{lint_dir, lint_folder};
use schema_core::migrate::Migrator;
use schema_core::model::*;
use schema_core::testing::TestDatabase;
use support::build::*;

fn base() -> Schema {
    let users = table("users", vec![uuid_pk(), varchar("email", 320)]);
    let attempts = fk(
        table(
            "attempts",
            vec![
                uuid_pk(),
                col("user_id", SqlType::Uuid),
                null(col("seconds", SqlType::Integer)),
                col("score", SqlType::Integer),
            ],
        ),
        "user_id",
        "users",
        OnDelete::Cascade,
    );
    Schema {
        enums: Vec::new().into(),
        tables: vec![users, attempts].into(),
        ..Default::default()
    }
}

/// An index, a NOT NULL and an ON DELETE change on `attempts`, and a new table with its own
/// key and index: the three online changes of the benchmark, and a table that needs none.
fn changed() -> Schema {
    let mut s = base();
    let attempts = table_mut(&mut s, "attempts");
    col_mut(attempts, "seconds").nullable = false;
    attempts.foreign_keys.to_mut()[0].on_delete = OnDelete::Restrict;
    let attempts = index(attempts.clone(), "attempts_score_idx", false, &["score"]);
    *table_mut(&mut s, "attempts") = attempts;
    let notes = fk(
        table("notes", vec![uuid_pk(), col("user_id", SqlType::Uuid)]),
        "user_id",
        "users",
        OnDelete::Cascade,
    );
    let notes = index(notes, "notes_user_idx", false, &["user_id"]);
    s.tables.to_mut().push(notes);
    s
}

fn options(name: &str) -> GenerateOptions {
    GenerateOptions {
        name: Some(name.into()),
        allow_destructive: true,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_to_a_live_table_is_written_in_online_forms_and_reaches_the_fresh_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    generate(&base(), &dir, &options("initial")).unwrap();
    let files = support::written_sql(
        &dir,
        &generate(&changed(), &dir, &options("online")).unwrap(),
    );
    assert_eq!(files.len(), 3, "{files:#?}");

    let [change, validate, concurrent] = [&files[0], &files[1], &files[2]];
    // The new table keeps the plain forms, in the transaction.
    assert!(change.contains("CREATE TABLE \"notes\""));
    assert!(change.contains("ADD CONSTRAINT \"notes_user_id_users_id_fk\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE cascade ON UPDATE no action;"));
    assert!(
        change.contains("CREATE INDEX \"notes_user_idx\" ON \"notes\" USING btree (\"user_id\");")
    );
    // The live table: a replacement key under a temporary name and a check, both NOT VALID;
    // the old key stays in force.
    assert!(change.contains("ALTER TABLE \"attempts\" ADD CONSTRAINT \"attempts_user_id_users_id_fk_new\" FOREIGN KEY (\"user_id\") REFERENCES \"public\".\"users\"(\"id\") ON DELETE restrict ON UPDATE no action NOT VALID;"));
    assert!(change.contains("ALTER TABLE \"attempts\" ADD CONSTRAINT \"attempts_seconds_not_null\" CHECK (\"seconds\" IS NOT NULL) NOT VALID;"));
    assert!(!change.contains("DROP CONSTRAINT"));
    assert!(!change.contains("SET NOT NULL"));
    // Validation in a transaction of its own, before the brief ACCESS EXCLUSIVE statements.
    assert_eq!(
        validate.trim_end().split("\n--> statement-breakpoint\n").collect::<Vec<_>>(),
        [
            "ALTER TABLE \"attempts\" VALIDATE CONSTRAINT \"attempts_seconds_not_null\";",
            "ALTER TABLE \"attempts\" VALIDATE CONSTRAINT \"attempts_user_id_users_id_fk_new\";",
            "ALTER TABLE \"attempts\" DROP CONSTRAINT \"attempts_user_id_users_id_fk\";",
            "ALTER TABLE \"attempts\" ALTER COLUMN \"seconds\" SET NOT NULL;",
            "ALTER TABLE \"attempts\" DROP CONSTRAINT \"attempts_seconds_not_null\";",
            "ALTER TABLE \"attempts\" RENAME CONSTRAINT \"attempts_user_id_users_id_fk_new\" TO \"attempts_user_id_users_id_fk\";",
        ]
    );
    assert_eq!(
        concurrent.as_str(),
        "-- schema:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS \"attempts_score_idx\" ON \"attempts\" USING btree (\"score\");\n"
    );

    assert_eq!(check(&changed(), &dir).unwrap(), Vec::<String>::new());
    let lint = lint_folder(dir.root(), false).unwrap();
    assert!(lint.is_clean(), "{lint}");
    // The downs too: the index is dropped concurrently by the down of the part that built
    // it; only putting back the old foreign key still scans under a lock.
    let lint = lint_dir(dir.root()).unwrap();
    let found: Vec<(String, &str)> = (lint.findings.iter())
        .map(|f| {
            (
                f.file.file_name().unwrap().to_string_lossy().into_owned(),
                f.kind.code,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "0001_online.down.sql".to_string(),
                "scan-under-access-exclusive"
            ),
            (
                "0001_online.down.sql".to_string(),
                "constraint-without-not-valid"
            ),
        ],
        "{lint}"
    );

    // Applied over rows, the migrations reach the catalog of a fresh build.
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let first = tempfile::tempdir().unwrap();
    let first_dir = MigrationsDir::new(first.path());
    generate(&base(), &first_dir, &options("initial")).unwrap();
    Migrator::from_dir(first.path())
        .unwrap()
        .run_on_client(&client)
        .await
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'a@b.c');
             INSERT INTO attempts (user_id, seconds, score)
               SELECT '00000000-0000-0000-0000-000000000001', g, g FROM generate_series(1, 100) g;",
        )
        .await
        .unwrap();
    let report = Migrator::from_dir(dir.root())
        .unwrap()
        .run_on_client(&client)
        .await
        .unwrap();
    assert_eq!(report.applied.len(), 3);
    let fresh_db = TestDatabase::create().await.unwrap();
    let fresh_client = fresh_db.connect().await.unwrap();
    let fresh = tempfile::tempdir().unwrap();
    generate(
        &changed(),
        &MigrationsDir::new(fresh.path()),
        &options("initial"),
    )
    .unwrap();
    Migrator::from_dir(fresh.path())
        .unwrap()
        .run_on_client(&fresh_client)
        .await
        .unwrap();
    // The new column of `attempts` is none: column order is the same.
    let migrated = catalog::read(&client, "public").await.unwrap();
    let built = catalog::read(&fresh_client, "public").await.unwrap();
    assert!(migrated == built, "{}", catalog::compare(&migrated, &built));
}

#[test]
fn changes_no_online_form_avoids_are_written_and_listed_as_hazards() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    generate(&base(), &dir, &options("initial")).unwrap();
    let mut next = base();
    let attempts = table_mut(&mut next, "attempts");
    col_mut(attempts, "score").sql_type = SqlType::BigInt;
    attempts.columns.to_mut().push(def(
        col("token", SqlType::Uuid),
        ColumnDefault::GenRandomUuid,
    ));
    col_mut(table_mut(&mut next, "users"), "email").sql_type = SqlType::Text;

    let report = generate_report(&next, &dir, &options("risky")).unwrap();
    let hazards: Vec<(&str, &str, &str)> = report
        .hazards
        .iter()
        .map(|(_, h)| (h.table.as_str(), h.lock, h.work))
        .collect();
    assert_eq!(
        hazards,
        [
            ("attempts", "ACCESS EXCLUSIVE", "rewritten"),
            (
                "attempts",
                "ACCESS EXCLUSIVE",
                "rewritten and its indexes rebuilt"
            ),
        ],
        "widening varchar to text rewrites nothing and is no hazard: {report}"
    );
    let text = report.to_string();
    for expected in [
        "hazard: 2 statement(s) cannot be made online",
        "0001_risky.sql",
        "ALTER TABLE \"attempts\" ADD COLUMN \"token\" uuid DEFAULT gen_random_uuid() NOT NULL;",
        "blocks reads and writes",
        "integer to bigint is not binary-compatible",
        "the default gen_random_uuid() is volatile",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert!(
        tmp.path().join("0001_risky.sql").exists(),
        "hazards are written, for the reviewer to decide"
    );

    // The command prints them after the files it wrote.
    let mut again = next.clone();
    col_mut(table_mut(&mut again, "attempts"), "seconds").sql_type = SqlType::BigInt;
    let args = schema_core::generate::CommandArgs {
        dir: tmp.path().to_path_buf(),
        check: false,
        options: options("wider"),
        ..Default::default()
    };
    let mut out = Vec::new();
    assert!(schema_core::generate::run(&again, &args, &mut out).unwrap());
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("wrote `"), "{out}");
    assert!(
        out.contains("hazard: 1 statement(s) cannot be made online")
            && out.contains("0002_wider.sql")
            && out.contains("SET DATA TYPE bigint"),
        "{out}"
    );
}
