//! The migration lock: a session-level advisory lock held on the run's one connection from
//! before the ledger is read until after the last migration commits, so concurrent
//! migrators (app replicas at deploy) queue up and each finds only what is still pending.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::backoff::jittered;
use super::error::MigrateError;
use super::ledger::{self, LedgerRow};
use super::sessions::{self, Session};

/// The advisory lock key (the bytes of "schemamg"). Advisory locks are per database, so one
/// key serves every database on a server.
pub const LOCK_KEY: i64 = 0x7363_6865_6d61_6d67;

/// The `application_name` a migrator's connection takes when its URL gives none, so that
/// `pg_stat_activity` (and another migrator waiting for the lock) can name it.
pub const APPLICATION_NAME: &str = "schema-core migrator";

/// The first pause between two tries for a lock another migrator holds; it doubles up to
/// [`LONGEST_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(50);
/// The longest pause between two tries: how late, at worst, a waiting migrator notices that
/// the lock is free.
const LONGEST_POLL: Duration = Duration::from_millis(500);

/// Takes the lock (waiting up to `wait` for another migrator when needed, after telling
/// `on_wait` who holds it) and reads the ledger without creating it (a database never
/// migrated has an empty one): a run that refuses, or has nothing to apply, writes nothing.
/// Uncontended, this is two round trips.
pub(crate) async fn lock_and_read(
    client: &Client,
    wait: Duration,
    on_wait: impl FnOnce(Vec<Session>),
) -> Result<Vec<LedgerRow>, MigrateError> {
    acquire(client, wait, on_wait).await?;
    // A statement of its own takes a new snapshot, so the read sees everything the previous
    // lock holder committed.
    ledger::read_if_present(client).await
}

/// Takes the lock, waiting up to `wait` for another migrator; `on_wait` is told who holds it
/// before the wait begins.
///
/// The wait holds no snapshot: it asks `pg_try_advisory_lock` between pauses (50 ms, doubling
/// up to half a second, each shortened by a random part so that replicas started together do
/// not knock together) rather than blocking in `pg_advisory_lock`. A blocked statement keeps
/// its snapshot for as long as it waits, and `CREATE INDEX CONCURRENTLY`, run by the migrator
/// that holds the lock, waits for every older snapshot to go: the two would wait for each
/// other until the server's deadlock detector failed one of them.
pub(crate) async fn acquire(
    client: &Client,
    wait: Duration,
    on_wait: impl FnOnce(Vec<Session>),
) -> Result<(), MigrateError> {
    // The first try names the session too, in the same round trip.
    let name = format!(
        "SELECT set_config('application_name', {}, false) \
         WHERE current_setting('application_name') = ''",
        crate::sql::quote_literal(APPLICATION_NAME)
    );
    if try_lock_after(client, &name).await? {
        return Ok(());
    }
    let started = Instant::now();
    let holders = sessions::advisory_holders(client, LOCK_KEY)
        .await
        .unwrap_or_default();
    on_wait(holders.clone());
    let mut pause = FIRST_POLL;
    loop {
        let left = wait.saturating_sub(started.elapsed());
        if left.is_zero() {
            // Who holds it now, which may be another migrator than at the start.
            let now = sessions::advisory_holders(client, LOCK_KEY).await;
            return Err(MigrateError::MigrationLockTimeout {
                waited: wait,
                holders: now.unwrap_or(holders),
            });
        }
        tokio::time::sleep(jittered(pause).min(left)).await;
        if try_lock(client).await? {
            return Ok(());
        }
        pause = (pause * 2).min(LONGEST_POLL);
    }
}

async fn try_lock(client: &Client) -> Result<bool, MigrateError> {
    try_lock_after(client, "").await
}

/// Runs `before` (when not empty), then tries the lock, in one message.
async fn try_lock_after(client: &Client, before: &str) -> Result<bool, MigrateError> {
    let sql = format!("SELECT pg_try_advisory_lock({LOCK_KEY})");
    let sql = if before.is_empty() {
        sql
    } else {
        format!("{before}; {sql}")
    };
    let got = client
        .simple_query(&sql)
        .await
        .map_err(|e| failed("taking the migration lock", e))?;
    Ok(last_value_is_true(&got))
}

fn failed(during: &str, e: tokio_postgres::Error) -> MigrateError {
    MigrateError::Database {
        during: during.to_string(),
        source: e,
    }
}

/// Releases the lock. A closed connection releases it too, so callers that own their
/// connection may simply drop it.
pub(crate) async fn unlock(client: &Client) -> Result<(), MigrateError> {
    // The run's timeouts and name go too, so a pooled connection goes back as it came.
    client
        .simple_query(&format!(
            "RESET lock_timeout; RESET statement_timeout; \
             SELECT set_config('application_name', '', false) \
             WHERE current_setting('application_name') = {}; \
             SELECT pg_advisory_unlock({LOCK_KEY})",
            crate::sql::quote_literal(APPLICATION_NAME)
        ))
        .await
        .map(drop)
        .map_err(|e| MigrateError::Database {
            during: "releasing the migration lock".into(),
            source: e,
        })
}

/// The first column of the last row, read as a boolean.
fn last_value_is_true(messages: &[tokio_postgres::SimpleQueryMessage]) -> bool {
    messages
        .iter()
        .rev()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(row.get(0) == Some("t")),
            _ => None,
        })
        .unwrap_or(false)
}
