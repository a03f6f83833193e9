//! Files the runner refuses or skips before anything runs, and failures in hand-written files
//! pinned to their line.

use crate::migrate_support as support;

use schema_core::testing::TestDatabase;
use schema_core::{
    files::{SourceError, SourceProblem},
    migrate::{MigrateError, Migrator},
};
use support::{config, ledger, table_exists, Fixture};

fn source_problems(fixture: &Fixture) -> Vec<SourceProblem> {
    match Migrator::from_dir(fixture.path()) {
        Err(MigrateError::Files(SourceError::Problems(problems))) => problems,
        other => panic!("expected the folder to be refused, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn transaction_control_in_a_transactional_migration_is_refused_before_anything_runs() {
    let db = TestDatabase::create().await.unwrap();
    // Without the check this file commits "a", then fails, and the runner reports that
    // nothing of it was applied.
    let half = "CREATE TABLE \"a\" (\"id\" int);\nCOMMIT;\nCREATE TABLE \"a\" (\"id\" int);\n";
    let fixture = Fixture::new(&[
        ("0000_first.sql", "CREATE TABLE \"first\" (\"id\" int);\n"),
        ("0001_half.sql", half),
        ("0002_begin.sql", "begin;\nSELECT 1;\nEND;\n"),
    ]);
    let problems = source_problems(&fixture);
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 3, "{text:#?}");
    assert!(
        text[0].contains("0001_half.sql` line 2: `COMMIT;`"),
        "{}",
        text[0]
    );
    assert!(text[0].contains("-- schema:no-transaction"), "{}", text[0]);
    assert!(
        text[1].contains("0002_begin.sql` line 1: `begin;`"),
        "{}",
        text[1]
    );
    assert!(
        text[2].contains("0002_begin.sql` line 3: `END;`"),
        "{}",
        text[2]
    );

    // Nothing ran: the database has neither the first migration nor a ledger.
    let client = db.connect().await.unwrap();
    assert!(!table_exists(&client, "public.first").await);
    assert!(!table_exists(&client, "schema_migrations.ledger").await);

    // The same words inside a function body or a string are not transaction control.
    fixture.write(
        "0001_half.sql",
        "DO $$ BEGIN CREATE TABLE \"a\" (\"id\" int); END $$;\n\
         COMMENT ON TABLE \"a\" IS 'COMMIT; BEGIN;';\n",
    );
    fixture.remove("0002_begin.sql");
    let report = fixture.migrator().run(&config(&db)).await.unwrap();
    assert_eq!(report.applied.len(), 2);
    assert!(table_exists(&client, "public.a").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_no_transaction_file_with_unseparated_statements_is_told_to_separate_them() {
    let fixture = Fixture::new(&[(
        "0000_indexes.sql",
        "-- schema:no-transaction\n\
         CREATE INDEX CONCURRENTLY IF NOT EXISTS \"a_idx\" ON \"t\" (\"a\");\n\
         CREATE INDEX CONCURRENTLY IF NOT EXISTS \"b_idx\" ON \"t\" (\"b\");\n",
    )]);
    let problems = source_problems(&fixture);
    assert_eq!(problems.len(), 1);
    let text = problems[0].to_string();
    assert!(
        text.contains("0000_indexes.sql` runs outside a transaction"),
        "{text}"
    );
    assert!(text.contains("the next one starts on line 3"), "{text}");
    assert!(
        text.contains("separate them with a `--> statement-breakpoint` line"),
        "{text}"
    );
    assert!(!text.contains("make `-- schema:no-transaction`"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_in_a_file_without_breakpoints_names_its_own_line() {
    let db = TestDatabase::create().await.unwrap();
    // Hand-written, sqlx style: no breakpoints. The failing statement has no position in the
    // server's error (a constraint violation), so only the split finds its line.
    let backfill = "-- a backfill\n\
                    CREATE TABLE \"t\" (\"id\" int PRIMARY KEY);\n\
                    INSERT INTO \"t\" VALUES (1);\n\
                    \n\
                    INSERT INTO \"t\"\n  VALUES (1);\n";
    let fixture = Fixture::new(&[("0000_backfill.sql", backfill)]);
    let err = fixture.migrator().run(&config(&db)).await.unwrap_err();
    let MigrateError::Statement(failure) = &err else {
        panic!("expected a statement failure, got {err:?}");
    };
    assert_eq!((failure.statement, failure.line), (3, 5), "{err}");
    assert_eq!(
        failure.code,
        tokio_postgres::error::SqlState::UNIQUE_VIOLATION
    );
    assert!(
        err.help().contains("Nothing of that migration was applied"),
        "{}",
        err.help()
    );
    let client = db.connect().await.unwrap();
    assert!(!table_exists(&client, "public.t").await);

    // A statement over several lines: the server's position gives the line of the mistake.
    fixture.write(
        "0000_backfill.sql",
        "CREATE TABLE \"t\" (\n  \"id\" int,\n  \"note\" txet\n);\n",
    );
    let err = fixture.migrator().run(&config(&db)).await.unwrap_err();
    let MigrateError::Statement(failure) = &err else {
        panic!("expected a statement failure, got {err:?}");
    };
    assert_eq!((failure.statement, failure.line), (1, 3), "{err}");
    assert!(ledger(&client).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn unexpected_file_names_are_reported_by_name() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[
        ("0000_initial.sql", "CREATE TABLE \"a\" (\"id\" int);\n"),
        ("0001_more.SQL", "CREATE TABLE \"b\" (\"id\" int);\n"),
    ]);
    let problems = source_problems(&fixture);
    assert_eq!(problems.len(), 1);
    let text = problems[0].to_string();
    assert!(text.contains("0001_more.SQL` ends in capitals"), "{text}");
    assert!(text.contains("rename it"), "{text}");

    // A down whose migration is not there.
    fixture.remove("0001_more.SQL");
    fixture.write("0001_more.down.sql", "DROP TABLE \"b\";\n");
    let problems = source_problems(&fixture);
    assert_eq!(problems.len(), 1);
    let text = problems[0].to_string();
    assert!(
        text.contains(
            "0001_more.down.sql` is the down of `0001_more.sql`, which is not in the folder"
        ),
        "{text}"
    );
    fixture.remove("0001_more.down.sql");

    // An editor's lock and backup files are skipped, and the run says so.
    fixture.write(".#0001_more.sql", "broken");
    fixture.write("0000_initial.sql~", "old");
    fixture.write("README.md", "notes");
    let report = fixture.migrator().run(&config(&db)).await.unwrap();
    assert_eq!(report.applied.len(), 1);
    let skipped: Vec<String> = report.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(skipped[0].contains("skipped `") && skipped[0].contains(".#0001_more.sql`"));
    assert!(skipped[1].contains("0000_initial.sql~`"), "{}", skipped[1]);
}

/// A run with nothing to apply writes nothing: the ledger (and its schema) comes with the
/// first migration applied, not with the first connection.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_with_nothing_to_apply_creates_no_ledger() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let empty = Fixture::new(&[]);
    let report = empty.migrator().run(&config(&db)).await.unwrap();
    assert!(report.applied.is_empty());
    let ledger_schema: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'schema_migrations')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!ledger_schema, "an idle run created the ledger's schema");

    let one = Fixture::new(&[("0000_a.sql", "CREATE TABLE \"a\" (\"id\" int);\n")]);
    one.migrator().run(&config(&db)).await.unwrap();
    assert_eq!(ledger(&client).await.len(), 1);
}
