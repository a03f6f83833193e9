//! Applied migrations are history: an edited, deleted or renamed applied migration, or a new
//! one numbered before the newest applied one, stops the run before anything is applied.

use crate::migrate_support as support;

use schema_core::files::SourceError;
use schema_core::migrate::{HistoryProblem, MigrateError};
use schema_core::testing::TestDatabase;
use support::{catalog, config, ledger, sha256_of, Fixture};

const FIRST: &str = "CREATE TABLE \"a\" (\"id\" int);\n";
const THIRD: &str = "CREATE TABLE \"c\" (\"id\" int);\n";
const NEXT: &str = "CREATE TABLE \"d\" (\"id\" int);\n";

/// A database with 0000 and 0002 applied, and the folder that applied them.
async fn applied() -> (TestDatabase, Fixture) {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[("0000_first.sql", FIRST), ("0002_third.sql", THIRD)]);
    fixture.migrator().run(&config(&db)).await.unwrap();
    (db, fixture)
}

/// Runs the folder, expecting a refusal; checks nothing changed and returns the problems.
async fn refused(db: &TestDatabase, fixture: &Fixture) -> (Vec<HistoryProblem>, String) {
    let client = db.connect().await.unwrap();
    let (ledger_before, catalog_before) = (ledger(&client).await, catalog(&client).await);
    let err = fixture.migrator().run(&config(db)).await.unwrap_err();
    let text = err.to_string();
    let MigrateError::History(problems) = err else {
        panic!("expected a verification failure, got {err:?}");
    };
    assert!(text.contains("nothing was applied"), "{text}");
    assert_eq!(ledger(&client).await, ledger_before, "ledger unchanged");
    assert_eq!(catalog(&client).await, catalog_before, "schema unchanged");
    let dry_run = fixture.migrator().dry_run(&config(db)).await;
    assert!(matches!(dry_run, Err(MigrateError::History(_))));
    (problems, text)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edited_applied_migration_is_refused_with_both_checksums() {
    let (db, fixture) = applied().await;
    let client = db.connect().await.unwrap();
    let applied_checksum = ledger(&client).await[0].2.clone();
    fixture.write("0000_first.sql", "CREATE TABLE \"a\" (\"id\" bigint);\n");
    fixture.write("0003_next.sql", NEXT);
    let file_checksum = sha256_of(&fixture.path().join("0000_first.sql"));

    let (problems, text) = refused(&db, &fixture).await;
    assert_eq!(
        problems,
        [HistoryProblem::Modified {
            name: "0000_first.sql".into(),
            applied: applied_checksum.clone(),
            file: file_checksum.clone(),
        }]
    );
    assert!(text.contains("0000_first.sql"), "{text}");
    assert!(
        text.contains(&applied_checksum) && text.contains(&file_checksum),
        "{text}"
    );
    let status = fixture.migrator().status(&config(&db)).await.unwrap();
    let labels: Vec<_> = status.entries.iter().map(|e| e.label()).collect();
    assert_eq!(labels, ["modified", "applied", "pending"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_applied_migration_is_refused() {
    let (db, fixture) = applied().await;
    fixture.remove("0002_third.sql");
    fixture.write("0003_next.sql", NEXT);

    let (problems, text) = refused(&db, &fixture).await;
    assert_eq!(
        problems,
        [HistoryProblem::Missing {
            name: "0002_third.sql".into()
        }]
    );
    assert!(text.contains("0002_third.sql"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_added_before_the_newest_applied_one_is_refused_not_skipped() {
    let (db, fixture) = applied().await;
    fixture.write("0001_second.sql", "CREATE TABLE \"b\" (\"id\" int);\n");
    fixture.write("0003_next.sql", NEXT);

    let (problems, text) = refused(&db, &fixture).await;
    assert_eq!(
        problems,
        [HistoryProblem::OutOfOrder {
            name: "0001_second.sql".into(),
            newest_applied: "0002_third.sql".into(),
        }]
    );
    assert!(
        text.contains("0001_second.sql") && text.contains("0002_third.sql"),
        "{text}"
    );
    let status = fixture.migrator().status(&config(&db)).await.unwrap();
    let labels: Vec<_> = status.entries.iter().map(|e| e.label()).collect();
    assert_eq!(labels, ["applied", "out-of-order", "applied", "pending"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_renamed_applied_migration_is_refused() {
    let (db, fixture) = applied().await;
    fixture.remove("0002_third.sql");
    fixture.write("0002_renamed.sql", THIRD);

    let (problems, _) = refused(&db, &fixture).await;
    assert_eq!(
        problems,
        [HistoryProblem::Renamed {
            version: 2,
            applied: "0002_third.sql".into(),
            file: "0002_renamed.sql".into(),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_and_dry_run_change_nothing() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[("0000_first.sql", FIRST)]);
    let dry_run = fixture.migrator().dry_run(&config(&db)).await.unwrap();
    assert_eq!(dry_run.pending.len(), 1);
    assert_eq!(dry_run.pending[0].sql, FIRST);
    let status = fixture.migrator().status(&config(&db)).await.unwrap();
    assert_eq!(status.entries[0].label(), "pending");
    let client = db.connect().await.unwrap();
    assert!(
        catalog(&client).await.is_empty(),
        "{:?}",
        catalog(&client).await
    );
}

#[test]
fn a_malformed_folder_is_refused_with_every_problem_listed() {
    let fixture = Fixture::new(&[
        ("0000_first.sql", FIRST),
        ("0000_again.sql", FIRST),
        ("1_short.sql", FIRST),
        ("notes.md", "ignored"),
    ]);
    std::fs::write(fixture.path().join("meta/0000_snapshot.json"), "{}").unwrap();
    let err = schema_core::migrate::Migrator::from_dir(fixture.path()).unwrap_err();
    let MigrateError::Files(SourceError::Problems(problems)) = &err else {
        panic!("expected source problems, got {err:?}");
    };
    assert_eq!(problems.len(), 2, "{err}");
    let text = err.to_string();
    assert!(
        text.contains("1_short.sql") && text.contains("0000_again.sql"),
        "{text}"
    );
}
