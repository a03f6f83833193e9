//! The migration lock: a session-level advisory lock held on the run's one connection from
//! before the ledger is read until after the last migration commits, so concurrent
//! migrators (app replicas at deploy) queue up and each finds only what is still pending.

use std::time::Duration;

use tokio_postgres::Client;

use super::error::MigrateError;
use super::ledger::{self, LedgerRow};
use super::options::millis;
use super::sessions::{self, Session};

/// The advisory lock key (the bytes of "schemamg"). Advisory locks are per database, so one
/// key serves every database on a server.
pub const LOCK_KEY: i64 = 0x7363_6865_6d61_6d67;

/// Takes the lock (waiting up to `wait` for another migrator when needed, after telling
/// `on_wait` who holds it) and reads the ledger without creating it (a database never
/// migrated has an empty one): a run that refuses, or has nothing to apply, writes nothing.
/// Uncontended, this is two round trips.
pub(crate) async fn lock_and_read(
    client: &Client,
    wait: Duration,
    on_wait: impl FnOnce(Vec<Session>),
) -> Result<Vec<LedgerRow>, MigrateError> {
    let failed = |during: &str, e: tokio_postgres::Error| MigrateError::Database {
        during: during.to_string(),
        source: e,
    };
    let got = client
        .simple_query(&format!("SELECT pg_try_advisory_lock({LOCK_KEY})"))
        .await
        .map_err(|e| failed("taking the migration lock", e))?;
    if !first_value_is_true(&got) {
        let holders = sessions::advisory_holders(client, LOCK_KEY)
            .await
            .unwrap_or_default();
        on_wait(holders.clone());
        // The wait is bounded by lock_timeout, which covers advisory locks too; the session
        // keeps no setting of its own from it (the run sets its own before any migration).
        let waited = client
            .simple_query(&format!(
                "SET lock_timeout = {}; SELECT pg_advisory_lock({LOCK_KEY}); RESET lock_timeout",
                millis(wait)
            ))
            .await;
        if let Err(e) = waited {
            if e.code() == Some(&tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE) {
                let _ = client.simple_query("RESET lock_timeout").await;
                return Err(MigrateError::MigrationLockTimeout {
                    waited: wait,
                    holders,
                });
            }
            return Err(failed("waiting for the migration lock", e));
        }
    }
    // A statement of its own takes a new snapshot, so the read sees everything the previous
    // lock holder committed.
    ledger::read_if_present(client).await
}

/// Releases the lock. A closed connection releases it too, so callers that own their
/// connection may simply drop it.
pub(crate) async fn unlock(client: &Client) -> Result<(), MigrateError> {
    // The run's timeouts go too, so a pooled connection goes back as it came.
    client
        .simple_query(&format!(
            "RESET lock_timeout; RESET statement_timeout; SELECT pg_advisory_unlock({LOCK_KEY})"
        ))
        .await
        .map(drop)
        .map_err(|e| MigrateError::Database {
            during: "releasing the migration lock".into(),
            source: e,
        })
}

fn first_value_is_true(messages: &[tokio_postgres::SimpleQueryMessage]) -> bool {
    messages.iter().any(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0) == Some("t"),
        _ => false,
    })
}
