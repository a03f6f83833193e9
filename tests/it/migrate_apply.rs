//! Applying migrations: idempotent re-runs, a failing statement, non-transactional
//! migrations, and runs through a connection pool.

use crate::migrate_support as support;

use schema_core::migrate::{MigrateError, Migrator, LOCK_KEY};
use schema_core::testing::TestDatabase;
use support::{catalog, config, ledger, table_exists, Fixture};
use tokio_postgres::error::SqlState;

const INITIAL: &str = "CREATE TABLE \"users\" (\"id\" serial PRIMARY KEY, \"email\" text);\
--> statement-breakpoint\n\
CREATE TABLE \"posts\" (\"id\" serial PRIMARY KEY, \"user_id\" int REFERENCES \"users\");\n";

const SECOND: &str = "ALTER TABLE \"users\" ADD COLUMN \"name\" text;\n\
--> statement-breakpoint\n\
INSERT INTO \"users\" (\"email\") VALUES ('a@example.com');\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_applies_nothing_and_changes_nothing() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[("0000_initial.sql", INITIAL), ("0001_second.sql", SECOND)]);
    let first = fixture.migrator().run(&config(&db)).await.unwrap();
    let names: Vec<_> = first.applied.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["0000_initial.sql", "0001_second.sql"]);
    assert!(!first.created_database);

    let client = db.connect().await.unwrap();
    let ledger_before = ledger(&client).await;
    let catalog_before = catalog(&client).await;
    let second = fixture.migrator().run(&config(&db)).await.unwrap();
    assert!(second.applied.is_empty(), "{second:?}");
    assert_eq!(second.already_applied, 2);
    assert_eq!(ledger(&client).await, ledger_before);
    assert_eq!(catalog(&client).await, catalog_before);
    let rows: i64 = client
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1, "the second migration's insert ran once");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ledger_records_file_checksums_in_a_schema_of_its_own() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[("0000_initial.sql", INITIAL)]);
    fixture.migrator().run(&config(&db)).await.unwrap();
    let client = db.connect().await.unwrap();
    let rows = ledger(&client).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 0);
    assert_eq!(rows[0].1, "0000_initial.sql");
    assert_eq!(
        rows[0].2,
        support::sha256_of(&fixture.path().join("0000_initial.sql"))
    );
    let applied_at_type: String = client
        .query_one(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
             WHERE attrelid = 'schema_migrations.ledger'::regclass AND attname = 'applied_at'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied_at_type, "timestamp with time zone");
    assert!(!table_exists(&client, "public.ledger").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_statement_is_named_and_its_migration_leaves_no_trace() {
    let db = TestDatabase::create().await.unwrap();
    let broken = "CREATE TABLE \"tags\" (\"id\" serial PRIMARY KEY);\n\
--> statement-breakpoint\n\
INSERT INTO \"tags\" (\"id\") VALUES (1);\n\
--> statement-breakpoint\n\
-- the column is misspelt\n\
ALTER TABLE \"users\" ADD CONSTRAINT \"users_mail_uq\" UNIQUE (\"mail\");\n";
    let fixture = Fixture::new(&[
        ("0000_initial.sql", INITIAL),
        ("0001_broken.sql", broken),
        ("0002_later.sql", "CREATE TABLE \"later\" (\"id\" int);\n"),
    ]);
    let err = fixture.migrator().run(&config(&db)).await.unwrap_err();
    let MigrateError::Statement(failure) = &err else {
        panic!("expected a statement failure, got {err:?}");
    };
    assert_eq!(failure.file, "0001_broken.sql");
    assert_eq!(failure.statement, 3);
    assert_eq!(failure.line, 5);
    assert_eq!(
        failure.first_line,
        "ALTER TABLE \"users\" ADD CONSTRAINT \"users_mail_uq\" UNIQUE (\"mail\");"
    );
    assert_eq!(failure.code, SqlState::UNDEFINED_COLUMN);
    assert!(failure.message.contains("mail"), "{}", failure.message);
    let text = err.to_string();
    assert!(
        text.contains("`0001_broken.sql` statement 3 (line 5)"),
        "{text}"
    );
    assert!(text.contains("[42703]"), "{text}");

    let client = db.connect().await.unwrap();
    assert!(
        table_exists(&client, "public.users").await,
        "0000 stays applied"
    );
    assert!(
        !table_exists(&client, "public.tags").await,
        "0001 rolled back"
    );
    assert!(
        !table_exists(&client, "public.later").await,
        "0002 never ran"
    );
    let names: Vec<_> = ledger(&client).await.into_iter().map(|r| r.1).collect();
    assert_eq!(names, ["0000_initial.sql"]);

    // Fixed, the same folder applies the rest.
    fixture.write("0001_broken.sql", "CREATE TABLE \"tags\" (\"id\" int);\n");
    let report = fixture.migrator().run(&config(&db)).await.unwrap();
    assert_eq!(report.applied.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_in_the_middle_is_named_not_the_statements_it_aborted() {
    let db = TestDatabase::create().await.unwrap();
    let broken = "CREATE TABLE \"tags\" (\"id\" int);\n\
--> statement-breakpoint\n\
INSERT INTO \"missing\" VALUES (1);\n\
--> statement-breakpoint\n\
CREATE TABLE \"after_1\" (\"id\" int);\n\
--> statement-breakpoint\n\
CREATE TABLE \"after_2\" (\"id\" int);\n";
    let fixture = Fixture::new(&[("0000_initial.sql", INITIAL), ("0001_broken.sql", broken)]);
    let err = fixture.migrator().run(&config(&db)).await.unwrap_err();
    let MigrateError::Statement(failure) = &err else {
        panic!("expected a statement failure, got {err:?}");
    };
    // The statements after it fail too (the transaction is aborted); the report names the
    // cause: statement 2 and its undefined_table, not 25P02 on statement 3.
    assert_eq!(
        (failure.file.as_str(), failure.statement),
        ("0001_broken.sql", 2)
    );
    assert_eq!(failure.code, SqlState::UNDEFINED_TABLE);
    let client = db.connect().await.unwrap();
    for table in ["public.tags", "public.after_1", "public.after_2"] {
        assert!(!table_exists(&client, table).await, "{table} rolled back");
    }
    let names: Vec<_> = ledger(&client).await.into_iter().map(|r| r.1).collect();
    assert_eq!(names, ["0000_initial.sql"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_no_transaction_migration_can_create_an_index_concurrently() {
    let db = TestDatabase::create().await.unwrap();
    let concurrently = "-- schema:no-transaction\n\
CREATE INDEX CONCURRENTLY \"users_email_idx\" ON \"users\" (\"email\");\n\
--> statement-breakpoint\n\
CREATE INDEX CONCURRENTLY \"posts_user_id_idx\" ON \"posts\" (\"user_id\");\n";
    let fixture = Fixture::new(&[
        ("0000_initial.sql", INITIAL),
        ("0001_indexes.sql", concurrently),
    ]);
    let report = fixture.migrator().run(&config(&db)).await.unwrap();
    assert!(!report.applied[1].transactional);
    let client = db.connect().await.unwrap();
    let valid: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN \
             ('users_email_idx'::regclass, 'posts_user_id_idx'::regclass)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(valid, 2);
    assert_eq!(ledger(&client).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_in_a_no_transaction_migration_is_reported_and_not_recorded() {
    let db = TestDatabase::create().await.unwrap();
    let duplicates = "INSERT INTO \"users\" (\"email\") VALUES ('same'), ('same');\n";
    let unique = "-- schema:no-transaction\n\
CREATE INDEX CONCURRENTLY \"posts_user_id_idx\" ON \"posts\" (\"user_id\");\n\
--> statement-breakpoint\n\
CREATE UNIQUE INDEX CONCURRENTLY \"users_email_uq\" ON \"users\" (\"email\");\n";
    let fixture = Fixture::new(&[
        ("0000_initial.sql", INITIAL),
        ("0001_data.sql", duplicates),
        ("0002_unique.sql", unique),
    ]);
    let err = fixture.migrator().run(&config(&db)).await.unwrap_err();
    let MigrateError::Statement(failure) = &err else {
        panic!("expected a statement failure, got {err:?}");
    };
    assert_eq!(
        (failure.file.as_str(), failure.statement),
        ("0002_unique.sql", 2)
    );
    assert_eq!(failure.code, SqlState::UNIQUE_VIOLATION);
    assert!(!failure.transactional);
    assert!(
        err.help().contains("statement 2 stay applied"),
        "{}",
        err.help()
    );
    let client = db.connect().await.unwrap();
    assert_eq!(ledger(&client).await.len(), 2, "0002 is not recorded");
    assert!(table_exists(&client, "public.posts_user_id_idx").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrently_inside_a_transaction_points_at_the_marker() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[
        ("0000_initial.sql", INITIAL),
        (
            "0001_index.sql",
            "CREATE INDEX CONCURRENTLY \"i\" ON \"users\" (\"email\");\n",
        ),
    ]);
    let err = fixture.migrator().run(&config(&db)).await.unwrap_err();
    assert!(
        matches!(&err, MigrateError::Statement(f) if f.code == SqlState::ACTIVE_SQL_TRANSACTION),
        "{err:?}"
    );
    assert!(
        err.help().contains("-- schema:no-transaction"),
        "{}",
        err.help()
    );
}

async fn lock_is_free(db: &TestDatabase) -> bool {
    let client = db.connect().await.unwrap();
    let free: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .unwrap()
        .get(0);
    free
}

fn pool(db: &TestDatabase) -> deadpool_postgres::Pool {
    let manager = deadpool_postgres::Manager::new(db.config().clone(), tokio_postgres::NoTls);
    deadpool_postgres::Pool::builder(manager)
        .max_size(2)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pool_gets_its_connection_back_unlocked() {
    let db = TestDatabase::create().await.unwrap();
    let pool = pool(&db);
    let fixture = Fixture::new(&[("0000_initial.sql", INITIAL)]);
    let report = fixture.migrator().run_with_pool(&pool).await.unwrap();
    assert_eq!(report.applied.len(), 1);
    assert_eq!(
        pool.status().size,
        1,
        "the connection went back to the pool"
    );
    assert!(lock_is_free(&db).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pool_connection_that_failed_is_closed_so_the_lock_cannot_leak() {
    let db = TestDatabase::create().await.unwrap();
    let pool = pool(&db);
    let fixture = Fixture::new(&[("0000_initial.sql", "SELECT 1/0;\n")]);
    let err = fixture.migrator().run_with_pool(&pool).await.unwrap_err();
    assert!(
        matches!(&err, MigrateError::Statement(f) if f.code == SqlState::DIVISION_BY_ZERO),
        "{err:?}"
    );
    assert_eq!(pool.status().size, 0, "the failed connection left the pool");
    assert!(lock_is_free(&db).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_folder_applies_nothing() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[]);
    let report = Migrator::from_dir(fixture.path())
        .unwrap()
        .run(&config(&db))
        .await
        .unwrap();
    assert!(report.applied.is_empty());
    assert_eq!(report.already_applied, 0);
}

/// The ledger keeps how long a migration's statements took, as the server measured them
/// (nothing waits for the client between them and their row), and the report says the same.
#[tokio::test(flavor = "multi_thread")]
async fn the_recorded_duration_is_the_time_the_statements_took() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[
        (
            "0000_slow.sql",
            "SELECT pg_sleep(0.3);\nCREATE TABLE t ();\n",
        ),
        ("0001_quick.sql", "CREATE TABLE u ();\n"),
    ]);
    let report = fixture.migrator().run(&config(&db)).await.unwrap();
    let client = db.connect().await.unwrap();
    let recorded: Vec<f64> = client
        .query(
            "SELECT duration_ms FROM schema_migrations.ledger ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(recorded[0] >= 300.0, "{recorded:?}");
    assert!(recorded[1] < 300.0, "{recorded:?}");
    for (applied, ms) in report.applied.iter().zip(&recorded) {
        assert!(
            (applied.duration.as_secs_f64() * 1000.0 - ms).abs() < 0.01,
            "{applied:?} against {ms}"
        );
    }
}
