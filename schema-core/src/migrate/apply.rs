//! Applying one migration: its statements and its ledger row commit together, or not at all.
//! A migration marked `-- schema:no-transaction` runs statement by statement instead, and
//! its ledger row is written once the last statement succeeds. Either way, what a migration
//! sets for the session (`SET search_path`) does not outlive it.

use std::time::{Duration, Instant};

use futures_util::future;
use tokio_postgres::Client;

use super::error::{MigrateError, StatementFailure};
use super::ledger;
use super::session_set::Saved;
use crate::files::source::{Migration, MigrationStatement};

/// Applies `migration` and records it; returns how long its statements took.
#[cfg(feature = "dev")]
pub(crate) async fn apply(
    client: &Client,
    migration: &Migration,
) -> Result<Duration, MigrateError> {
    let saved = Saved::before(client, [migration]).await?;
    apply_telling(client, migration, &saved, &|_| {}).await
}

/// [`apply`], telling `at` the number of each statement of a migration without a transaction
/// as it starts (where an interruption would stop it). `saved` holds the session's settings
/// as they were before the migration, read once for the whole run: each migration sets
/// back what it changes, so they are the same before every migration of the run.
pub(crate) async fn apply_telling(
    client: &Client,
    migration: &Migration,
    saved: &Saved,
    at: &(dyn Fn(usize) + Sync),
) -> Result<Duration, MigrateError> {
    if migration.transactional {
        apply_in_transaction(client, migration, saved).await
    } else {
        apply_without_transaction(client, migration, saved, at).await
    }
}

async fn apply_in_transaction(
    client: &Client,
    migration: &Migration,
    saved: &Saved,
) -> Result<Duration, MigrateError> {
    // One round trip: BEGIN, every statement, the ledger row and COMMIT are sent at once
    // (tokio-postgres pipelines futures polled together, each its own simple-protocol
    // message, so a failure still points at one statement). Inside the transaction a failure
    // aborts everything after it: the first error in statement order is the real one, the
    // ones behind it only say the transaction was aborted, and the COMMIT at the end then
    // rolls back. The duration is taken on the server (`now()` is the time of BEGIN), so
    // nothing waits for the client between the statements and the row that records them.
    // What the migration set for the session is set back inside the transaction, so it
    // ends with it as a `SET LOCAL` would.
    let record = format!(
        "{}{}",
        saved.restore_sql_for(migration),
        ledger::insert_row_timed_on_server(migration)
    );
    let (begun, results, recorded, committed) = future::join4(
        client.batch_execute("BEGIN"),
        future::join_all(
            migration
                .statements
                .iter()
                .map(|statement| client.batch_execute(&statement.sql)),
        ),
        client.simple_query(&record),
        client.batch_execute("COMMIT"),
    )
    .await;
    if let Err(e) = begun {
        rollback(client).await;
        return Err(database("starting a transaction", migration, e));
    }
    let failed = migration
        .statements
        .iter()
        .zip(results)
        .find_map(|(statement, result)| {
            result
                .err()
                .map(|e| statement_failed(migration, statement, e))
        });
    if let Some(failure) = failed {
        rollback(client).await;
        return Err(failure);
    }
    let duration_ms = match recorded {
        Ok(messages) => ledger::returned_duration(&messages),
        Err(e) => {
            rollback(client).await;
            return Err(database("recording it in the ledger", migration, e));
        }
    };
    if let Err(e) = committed {
        rollback(client).await;
        return Err(database("committing it", migration, e));
    }
    Ok(Duration::from_secs_f64(duration_ms.max(0.0) / 1000.0))
}

async fn apply_without_transaction(
    client: &Client,
    migration: &Migration,
    saved: &Saved,
    at: &(dyn Fn(usize) + Sync),
) -> Result<Duration, MigrateError> {
    let started = Instant::now();
    let ran = run_statements(client, migration, at).await;
    let elapsed = started.elapsed();
    // What the migration set for the session is set back after it, whether it succeeded or
    // not (best effort after a failure: the failure is what is reported).
    let restore = saved.restore_sql_for(migration);
    if let Err(e) = ran {
        if !restore.is_empty() {
            let _ = client.batch_execute(&restore).await;
        }
        return Err(e);
    }
    client
        .batch_execute(&format!(
            "{restore}{}",
            ledger::insert_row(migration, elapsed.as_secs_f64() * 1000.0)
        ))
        .await
        .map_err(|e| database("recording it in the ledger", migration, e))?;
    Ok(elapsed)
}

/// Outside a transaction a failure must stop the statements after it, so each waits for the
/// one before. Each is its own simple-protocol message, as psql sends it, so a failure points
/// at one statement.
async fn run_statements(
    client: &Client,
    migration: &Migration,
    at: &(dyn Fn(usize) + Sync),
) -> Result<(), MigrateError> {
    for statement in &migration.statements {
        at(statement.number);
        let result = if crate::files::index_builds::builds_index_concurrently(&statement.sql) {
            without_lock_timeout(client, &statement.sql).await
        } else {
            client.batch_execute(&statement.sql).await
        };
        if let Err(e) = result {
            return Err(statement_failed(migration, statement, e));
        }
    }
    Ok(())
}

/// Runs a concurrent index build (or drop) without `lock_timeout`. The build waits for every
/// transaction older than it, and those waits count as lock waits; but nothing of the
/// application waits behind it (its SHARE UPDATE EXCLUSIVE lock lets reads and writes
/// through), so it is work, not a wait: `statement_timeout` bounds it when asked. Under the
/// run's short `lock_timeout` it would fail whenever the application has a transaction
/// longer than that, and each retry would scan the table again.
pub(crate) async fn without_lock_timeout(
    client: &Client,
    sql: &str,
) -> Result<(), tokio_postgres::Error> {
    // Separate messages: a concurrent build cannot share one with other statements.
    // The target list is evaluated left to right: the run's setting is read, then cleared.
    let before: String = client
        .query_one(
            "SELECT current_setting('lock_timeout'), set_config('lock_timeout', '0', false)",
            &[],
        )
        .await?
        .get(0);
    let built = client.batch_execute(sql).await;
    let restored = client
        .query_one("SELECT set_config('lock_timeout', $1, false)", &[&before])
        .await;
    built.and(restored.map(drop))
}

/// Best effort: if the connection is gone, the server has rolled back already.
pub(crate) async fn rollback(client: &Client) {
    let _ = client.batch_execute("ROLLBACK").await;
}

/// The server's rejection of a statement, with where it is; any other failure of it (a lost
/// connection) keeps the driver's error.
pub(crate) fn statement_failed(
    migration: &Migration,
    statement: &MigrationStatement,
    e: tokio_postgres::Error,
) -> MigrateError {
    let Some(db) = e.as_db_error() else {
        return MigrateError::Database {
            during: format!(
                "running statement {} (line {}) of `{}`",
                statement.number, statement.line, migration.name
            ),
            source: e,
        };
    };
    MigrateError::Statement(Box::new(StatementFailure {
        file: migration.name.clone(),
        statement: statement.number,
        // The server points at the failing character when it can (a syntax error, an
        // unknown name), so a statement spanning many lines is pinned to the right one.
        line: match db.position() {
            Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
                statement.line_at(*p as usize)
            }
            _ => statement.line,
        },
        first_line: statement.first_line().to_string(),
        code: db.code().clone(),
        message: db.message().to_string(),
        detail: db.detail().map(str::to_string),
        hint: db.hint().map(str::to_string),
        transactional: migration.transactional,
    }))
}

pub(crate) fn database(
    during: &str,
    migration: &Migration,
    source: tokio_postgres::Error,
) -> MigrateError {
    MigrateError::Database {
        during: format!("{during} for `{}`", migration.name),
        source,
    }
}
