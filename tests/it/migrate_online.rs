//! The runner on a live database: lock timeouts that name the blocking session and leave
//! nothing applied, a bounded wait for another migrator, statement_timeout, progress of a
//! concurrent index build, a failed concurrent build that a re-run repairs; and the `migrate`
//! command's flags and `lint` subcommand.

use crate::migrate_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use migrate_support::{config, ledger, table_exists, Fixture};
use schema_core::migrate::{MigrateError, Migrator, Progress, RunOptions, LOCK_KEY};
use schema_core::testing::TestDatabase;
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

const TABLE: &str = "CREATE TABLE \"items\" (\"id\" integer PRIMARY KEY, \"code\" integer);\n";

fn quick() -> RunOptions {
    RunOptions {
        lock_timeout: Duration::from_millis(200),
        lock_retries: 2,
        retry_backoff: Duration::from_millis(50),
        statement_timeout: None,
        migration_lock_wait: Duration::from_millis(300),
        progress_every: Duration::from_millis(100),
    }
}

/// The migrator with `options`, and the events it reports.
fn recording(fixture: &Fixture, options: RunOptions) -> (Migrator, Arc<Mutex<Vec<Progress>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let migrator = fixture
        .migrator()
        .with_options(options)
        .on_progress(move |e| sink.lock().unwrap().push(e.clone()));
    (migrator, events)
}

/// A session of the application, under a name the runner must report.
async fn app_session(db: &TestDatabase, name: &str) -> (Client, i32) {
    let client = db.connect().await.unwrap();
    client
        .batch_execute(&format!("SET application_name = '{name}'"))
        .await
        .unwrap();
    let pid: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    (client, pid)
}

async fn index_valid(client: &Client, name: &str) -> Option<bool> {
    client
        .query_opt(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname = $1",
            &[&name],
        )
        .await
        .unwrap()
        .map(|r| r.get(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_concurrent_build_is_dropped_and_built_again_once_the_data_is_fixed() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let fixture = Fixture::new(&[
        ("0000_items.sql", TABLE),
        (
            "0001_unique_code.sql",
            "-- schema:no-transaction\n\
             CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"items_code_uq\" ON \"items\" USING btree (\"code\");\n",
        ),
    ]);
    // The first migration alone, then duplicate data for the second to trip on.
    let first = Fixture::new(&[("0000_items.sql", TABLE)]);
    first.migrator().run(&config(&db)).await.unwrap();
    client
        .batch_execute("INSERT INTO items VALUES (1, 7), (2, 7), (3, 8)")
        .await
        .unwrap();

    let (migrator, events) = recording(&fixture, quick());
    let err = migrator.run(&config(&db)).await.unwrap_err();
    assert!(
        matches!(&err, MigrateError::Statement(f) if f.code == SqlState::UNIQUE_VIOLATION && f.file == "0001_unique_code.sql"),
        "{err}"
    );
    assert_eq!(
        index_valid(&client, "items_code_uq").await,
        Some(false),
        "PostgreSQL leaves the failed build behind as an INVALID index"
    );
    assert_eq!(
        ledger(&client).await.len(),
        1,
        "the failed migration is not recorded"
    );

    client
        .batch_execute("UPDATE items SET code = 9 WHERE id = 2")
        .await
        .unwrap();
    let report = migrator.run(&config(&db)).await.unwrap();
    assert_eq!(report.applied.len(), 1);
    assert_eq!(
        index_valid(&client, "items_code_uq").await,
        Some(true),
        "the re-run built a valid index instead of taking the invalid one for done"
    );
    let rows = ledger(&client).await;
    let names: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(names, ["0000_items.sql", "0001_unique_code.sql"]);
    assert!(events.lock().unwrap().iter().any(|e| matches!(e,
        Progress::DroppedInvalidIndex { index, .. } if index == "items_code_uq")));
    let duplicate = client
        .batch_execute("INSERT INTO items VALUES (4, 8)")
        .await
        .unwrap_err();
    assert_eq!(
        duplicate.code(),
        Some(&SqlState::UNIQUE_VIOLATION),
        "the index enforces uniqueness"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_blocked_by_an_open_transaction_times_out_names_the_blocker_and_applies_nothing(
) {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    Fixture::new(&[("0000_items.sql", TABLE)])
        .migrator()
        .run(&config(&db))
        .await
        .unwrap();
    let (app, app_pid) = app_session(&db, "report-job").await;
    // An open transaction that read the table holds ACCESS SHARE until it ends.
    app.batch_execute("BEGIN; SELECT count(*) FROM items")
        .await
        .unwrap();

    let fixture = Fixture::new(&[
        ("0000_items.sql", TABLE),
        (
            "0001_more.sql",
            "CREATE TABLE \"audit\" (\"id\" integer PRIMARY KEY);\n--> statement-breakpoint\n\
             ALTER TABLE \"items\" ADD COLUMN \"note\" text;\n",
        ),
    ]);
    let (migrator, events) = recording(&fixture, quick());
    let started = std::time::Instant::now();
    let err = migrator.run(&config(&db)).await.unwrap_err();
    let MigrateError::LockTimeout {
        failure,
        attempts,
        blocked_by,
    } = &err
    else {
        panic!("expected a lock timeout, got {err}");
    };
    assert_eq!(*attempts, 3, "one try and two retries");
    assert_eq!(
        (failure.file.as_str(), failure.statement),
        ("0001_more.sql", 2)
    );
    let blocker = blocked_by
        .iter()
        .find(|s| s.pid == app_pid)
        .unwrap_or_else(|| panic!("the app session is named: {err}"));
    assert_eq!(blocker.application_name, "report-job");
    assert_eq!(blocker.state, "idle in transaction");
    assert!(
        blocker.query.contains("SELECT count(*) FROM items"),
        "{blocker}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("pid {app_pid} (report-job)")),
        "{text}"
    );
    assert!(err
        .help()
        .contains("Nothing of `0001_more.sql` was applied"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "bounded: three timeouts and two pauses"
    );
    let events = events.lock().unwrap().clone();
    let pauses: Vec<Duration> = events
        .iter()
        .filter_map(|e| match e {
            Progress::LockTimeout { retry_in, .. } => Some(*retry_in),
            _ => None,
        })
        .collect();
    // 50 ms, then 100 ms, each less a random part of up to half.
    assert_eq!(pauses.len(), 2, "each retry is announced");
    for (pause, full) in pauses.iter().zip([50, 100]) {
        let full = Duration::from_millis(full);
        assert!(*pause > full / 2 && *pause <= full, "{pauses:?}");
    }
    let retries: Vec<String> = events
        .iter()
        .filter(|e| matches!(e, Progress::LockTimeout { .. }))
        .map(Progress::to_string)
        .collect();
    assert!(
        retries[0].starts_with("0001_more.sql: statement 2 timed out waiting for a lock (attempt 1); trying again in 0.")
            && retries[0].contains(&format!("blocked by pid {app_pid} (report-job), idle in transaction")),
        "{}",
        retries[0]
    );

    assert!(
        !table_exists(&client, "audit").await,
        "nothing of it applied"
    );
    assert_eq!(ledger(&client).await.len(), 1);
    let lock_free: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .unwrap()
        .get(0);
    assert!(lock_free, "the migration lock was released");
    client
        .query_one("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await
        .unwrap();

    // Once the application's transaction ends, the same run goes through.
    app.batch_execute("COMMIT").await.unwrap();
    let report = migrator.run(&config(&db)).await.unwrap();
    assert_eq!(report.applied.len(), 1);
    assert!(table_exists(&client, "audit").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn waiting_for_another_migrator_names_it_and_gives_up_after_the_configured_time() {
    let db = TestDatabase::create().await.unwrap();
    let (other, other_pid) = app_session(&db, "deploy-replica-2").await;
    other
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .unwrap();
    let fixture = Fixture::new(&[("0000_items.sql", TABLE)]);
    let (migrator, events) = recording(&fixture, quick());
    let err = migrator.run(&config(&db)).await.unwrap_err();
    let MigrateError::MigrationLockTimeout { holders, .. } = &err else {
        panic!("expected the migration lock wait to time out, got {err}");
    };
    assert_eq!(holders.len(), 1, "{err}");
    assert_eq!(holders[0].pid, other_pid);
    assert_eq!(holders[0].application_name, "deploy-replica-2");
    assert!(err.help().contains("--lock-wait"));
    assert!(events.lock().unwrap().iter().any(|e| matches!(e,
        Progress::LockHeldBy(h) if h.iter().any(|s| s.pid == other_pid))));
    let client = db.connect().await.unwrap();
    assert!(!table_exists(&client, "items").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn statement_timeout_stops_a_statement_that_runs_too_long() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[("0000_slow.sql", "SELECT pg_sleep(3);\n")]);
    let options = RunOptions {
        statement_timeout: Some(Duration::from_millis(200)),
        ..quick()
    };
    let err = fixture
        .migrator()
        .with_options(options)
        .run(&config(&db))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, MigrateError::Statement(f) if f.code == SqlState::QUERY_CANCELED),
        "{err}"
    );
    // The setting does not outlive the run on a connection the caller keeps.
    let client = db.connect().await.unwrap();
    let fixture = Fixture::new(&[("0000_fast.sql", "SELECT 1;\n")]);
    fixture
        .migrator()
        .with_options(quick())
        .run_on_client(&client)
        .await
        .unwrap();
    let timeout: String = client
        .query_one("SHOW lock_timeout", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(timeout, "0", "lock_timeout was reset after the run");
    let name: String = client
        .query_one("SHOW application_name", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        name, "",
        "the migrator's application_name went with the lock"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_concurrent_index_build_reports_its_phase_while_it_waits() {
    let db = TestDatabase::create().await.unwrap();
    Fixture::new(&[("0000_items.sql", TABLE)])
        .migrator()
        .run(&config(&db))
        .await
        .unwrap();
    // A writer's open transaction: the build waits for it before it starts.
    let (app, _) = app_session(&db, "writer").await;
    app.batch_execute("BEGIN; INSERT INTO items VALUES (1, 1)")
        .await
        .unwrap();
    let fixture = Fixture::new(&[
        ("0000_items.sql", TABLE),
        (
            "0001_code_idx.sql",
            "-- schema:no-transaction\n\
             CREATE INDEX CONCURRENTLY IF NOT EXISTS \"items_code_idx\" ON \"items\" USING btree (\"code\");\n",
        ),
    ]);
    // A build waiting for the application's transactions is working, not queueing the
    // application behind it: the short lock_timeout does not stop it.
    let (migrator, events) = recording(&fixture, quick());
    let db_config = config(&db);
    let run = tokio::spawn(async move { migrator.run(&db_config).await });
    let mut seen = None;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Until the build has waited for twice the lock_timeout.
        seen = events.lock().unwrap().iter().find_map(|e| match e {
            Progress::Running(r) if r.elapsed >= Duration::from_millis(400) => {
                r.index_build.clone()
            }
            _ => None,
        });
        if seen.is_some() {
            break;
        }
    }
    app.batch_execute("COMMIT").await.unwrap();
    let report = run.await.unwrap().unwrap();
    assert_eq!(report.applied.len(), 1);
    assert!(
        !events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Progress::LockTimeout { .. })),
        "the build was never cancelled by lock_timeout"
    );
    let phase = seen.expect("a progress report with the build's phase");
    assert!(phase.starts_with("waiting for"), "{phase}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_migrate_command_takes_the_timeouts_as_flags_and_lints() {
    use migrate_support::cli::migrate;
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[("0000_items.sql", TABLE)]);
    let first = migrate(fixture.path(), &["--database-url", &db.url(), "--dir", "."]);
    assert!(first.status.success());
    let (app, app_pid) = app_session(&db, "report-job").await;
    app.batch_execute("BEGIN; SELECT count(*) FROM items")
        .await
        .unwrap();
    fixture.write(
        "0001_note.sql",
        "ALTER TABLE \"items\" ADD COLUMN \"note\" text;\n",
    );
    let args = [
        "--database-url",
        &db.url(),
        "--dir",
        ".",
        "--lock-timeout",
        "200ms",
        "--lock-retries",
        "1",
    ];
    let output = migrate(fixture.path(), &args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("0001_note.sql: statement 1 timed out waiting for a lock (attempt 1)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("gave up after 2 attempt(s)")
            && stderr.contains(&format!("pid {app_pid} (report-job), idle in transaction")),
        "{stderr}"
    );
    app.batch_execute("COMMIT").await.unwrap();

    // A nullable column without a default is safe; a plain index on the existing table is not.
    let clean = migrate(fixture.path(), &["--dir", ".", "lint"]);
    assert!(clean.status.success(), "{:?}", clean);
    fixture.write(
        "0002_code_idx.sql",
        "CREATE INDEX \"items_code_idx\" ON \"items\" (\"code\");\n",
    );
    let lint = migrate(fixture.path(), &["--dir", ".", "lint"]);
    let stderr = String::from_utf8_lossy(&lint.stderr);
    assert_eq!(lint.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("0002_code_idx.sql: statement 1 (line 1)")
            && stderr.contains("[index-without-concurrently]")
            && stderr.contains("3 file(s) checked: 1 lock hazard(s)"),
        "{stderr}"
    );
}
