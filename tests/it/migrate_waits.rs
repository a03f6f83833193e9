//! Every wait is bounded and says what it waits for, and an interrupted run leaves nothing
//! behind on the server: `adopt` and `revert` wait for the migration lock and for table locks
//! as `migrate` does; a dropped run, or Ctrl-C in the command, cancels the running statement,
//! releases the lock and says what was applied; a migrator is named in `pg_stat_activity`.

use crate::migrate_support as support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use schema_core::migrate::{Progress, StoppedIn, APPLICATION_NAME, LOCK_KEY};
use schema_core::testing::TestDatabase;
use support::cli::{finish_within, spawn, text};
use support::{config, ledger, lock_is_free, table_exists, until_gone, until_seen, Fixture};

const ITEMS: &str = "CREATE TABLE \"items\" (\"id\" integer PRIMARY KEY);\n";

/// Runs the example to its end on a blocking thread, failing the test after `limit`.
async fn finish(child: std::process::Child, limit: Duration) -> std::process::Output {
    tokio::task::spawn_blocking(move || finish_within(child, limit))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn adopt_gives_up_on_the_migration_lock_after_the_lock_wait_and_names_its_holder() {
    let db = TestDatabase::create().await.unwrap();
    let holder = db.connect().await.unwrap();
    holder
        .batch_execute("SET application_name = 'deploy-replica-2'")
        .await
        .unwrap();
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .unwrap();
    let fixture = Fixture::new(&[("0000_items.sql", ITEMS)]);
    let child = spawn(
        fixture.path(),
        &[
            "--database-url",
            &db.url(),
            "--dir",
            ".",
            "adopt",
            "--through",
            "0",
            "--lock-wait",
            "300ms",
        ],
    );
    let output = finish(child, Duration::from_secs(20)).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("waiting for another migrator to finish")
            && stdout.contains("the migration lock is held by:")
            && stdout.contains("(deploy-replica-2)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("another migrator held the migration lock for longer than 0.3s")
            && stderr.contains("(deploy-replica-2)")
            && stderr.contains("--lock-wait"),
        "{stderr}"
    );
    let client = db.connect().await.unwrap();
    assert!(!table_exists(&client, "schema_migrations.ledger").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn revert_behind_an_open_transaction_retries_per_lock_timeout_then_gives_up() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[
        ("0000_items.sql", ITEMS),
        ("0000_items.down.sql", "DROP TABLE \"items\";\n"),
        (
            "0001_note.sql",
            "ALTER TABLE \"items\" ADD COLUMN \"note\" text;\n",
        ),
        (
            "0001_note.down.sql",
            "ALTER TABLE \"items\" DROP COLUMN \"note\";\n",
        ),
    ]);
    fixture.migrator().run(&config(&db)).await.unwrap();
    let app = db.connect().await.unwrap();
    app.batch_execute("SET application_name = 'report-job'; BEGIN; SELECT count(*) FROM items")
        .await
        .unwrap();
    let child = spawn(
        fixture.path(),
        &[
            "--database-url",
            &db.url(),
            "--dir",
            ".",
            "revert",
            "--allow-destructive",
            "--lock-timeout",
            "200ms",
            "--lock-retries",
            "1",
        ],
    );
    let output = finish(child, Duration::from_secs(20)).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("0001_note.down.sql: statement 1 timed out waiting for a lock (attempt 1)")
            && stdout.contains("blocked by pid ")
            && stdout.contains("(report-job), idle in transaction"),
        "{stdout}"
    );
    assert!(
        stderr.contains("gave up after 2 attempt(s)") && stderr.contains("(report-job)"),
        "{stderr}"
    );
    let client = db.connect().await.unwrap();
    assert_eq!(ledger(&client).await.len(), 2, "nothing was reverted");
    assert!(lock_is_free(&client).await);

    // Once the application's transaction ends, the same revert goes through.
    app.batch_execute("COMMIT").await.unwrap();
    let child = spawn(
        fixture.path(),
        &[
            "--database-url",
            &db.url(),
            "--dir",
            ".",
            "revert",
            "--allow-destructive",
        ],
    );
    let output = finish(child, Duration::from_secs(20)).await;
    assert!(output.status.success(), "{:?}", text(&output));
    assert_eq!(ledger(&client).await.len(), 1);
}

/// A run's future dropped in the middle of a statement (a timeout around it, an aborted
/// task): the statement is cancelled on the server, the lock is free, nothing of a
/// transactional migration stays, and the run says where it stopped. While it ran, the
/// migrator was named in `pg_stat_activity`.
#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_run_cancels_its_statement_on_the_server_and_frees_the_lock() {
    let db = TestDatabase::create().await.unwrap();
    let watcher = db.connect().await.unwrap();
    for (file, sql, stopped) in [
        (
            "0001_slow.sql",
            "CREATE TABLE \"done\" (\"id\" int);\n--> statement-breakpoint\nSELECT pg_sleep(300);\n",
            StoppedIn {
                file: "0001_slow.sql".into(),
                transactional: true,
                statement: 1,
            },
        ),
        (
            "0001_slow.sql",
            "-- schema:no-transaction\nCREATE TABLE \"done\" (\"id\" int);\n\
             --> statement-breakpoint\nSELECT pg_sleep(300);\n",
            StoppedIn {
                file: "0001_slow.sql".into(),
                transactional: false,
                statement: 2,
            },
        ),
    ] {
        watcher
            .batch_execute("DROP TABLE IF EXISTS done; DROP SCHEMA IF EXISTS schema_migrations CASCADE; DROP TABLE IF EXISTS items")
            .await
            .unwrap();
        let fixture = Fixture::new(&[("0000_items.sql", ITEMS), (file, sql)]);
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let migrator = fixture
            .migrator()
            .on_progress(move |e| sink.lock().unwrap().push(e.clone()));
        let db_config = config(&db);
        let run = tokio::spawn(async move { migrator.run(&db_config).await });
        let sleeping = format!("application_name = '{APPLICATION_NAME}' AND query LIKE '%pg_sleep(300)%' AND state = 'active'");
        until_seen(&watcher, &sleeping).await;
        run.abort();
        assert!(run.await.unwrap_err().is_cancelled());

        until_gone(&watcher, "query LIKE '%pg_sleep(300)%' AND state = 'active'").await;
        // The backend ends once it finds its client gone; then the lock is free.
        until_gone(&watcher, &format!("application_name = '{APPLICATION_NAME}'")).await;
        assert!(lock_is_free(&watcher).await);
        let versions: Vec<i64> = ledger(&watcher).await.iter().map(|r| r.0).collect();
        assert_eq!(versions, [0], "the interrupted migration is not recorded");
        assert_eq!(
            table_exists(&watcher, "done").await,
            !stopped.transactional,
            "a transactional migration is rolled back; outside one, statement 1 stays"
        );
        let interrupted = events
            .lock()
            .unwrap()
            .iter()
            .find_map(|e| match e {
                Progress::Interrupted(i) => Some(i.clone()),
                _ => None,
            })
            .expect("the run reported its interruption");
        assert_eq!(interrupted.completed, ["0000_items.sql"]);
        assert_eq!(interrupted.stopped_in.as_ref(), Some(&stopped));
        let said = Progress::Interrupted(interrupted).to_string();
        let expected = if stopped.transactional {
            "`0001_slow.sql` was rolled back: nothing of it is applied"
        } else {
            "`0001_slow.sql` runs outside a transaction and stopped in statement 2"
        };
        assert!(said.contains(expected), "{said}");
    }
}

/// Ctrl-C in the command: the statement is cancelled on the server, the lock released, and
/// the command says so and what was applied, exiting with 130.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_cancels_the_running_statement_and_says_what_was_applied() {
    let db = TestDatabase::create().await.unwrap();
    let watcher = db.connect().await.unwrap();
    let fixture = Fixture::new(&[
        ("0000_items.sql", ITEMS),
        ("0001_slow.sql", "SELECT pg_sleep(300);\n"),
    ]);
    let child = spawn(fixture.path(), &["--database-url", &db.url(), "--dir", "."]);
    let pid = child.id().to_string();
    until_seen(
        &watcher,
        &format!("application_name = '{APPLICATION_NAME}' AND query LIKE '%pg_sleep(300)%' AND state = 'active'"),
    )
    .await;
    let killed = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = finish(child, Duration::from_secs(20)).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(130), "{stdout}{stderr}");
    assert!(
        stdout.contains("applied 0000_items.sql")
            && stdout.contains(
                "interrupted: the running statement was cancelled on the server and the \
                 migration lock released"
            )
            && stdout.contains("completed before it: 0000_items.sql")
            && stdout.contains("`0001_slow.sql` was rolled back: nothing of it is applied"),
        "{stdout}"
    );
    assert!(stderr.contains("error: interrupted (Ctrl-C)"), "{stderr}");
    until_gone(
        &watcher,
        "query LIKE '%pg_sleep(300)%' AND state = 'active'",
    )
    .await;
    until_gone(
        &watcher,
        &format!("application_name = '{APPLICATION_NAME}'"),
    )
    .await;
    assert!(lock_is_free(&watcher).await);
    let versions: Vec<i64> = ledger(&watcher).await.iter().map(|r| r.0).collect();
    assert_eq!(versions, [0]);
}
