//! Another tool's ledger in the database: drizzle-kit's (`drizzle.__drizzle_migrations`).
//! The runner refuses a database another tool built (it would apply the history again), and
//! `adopt` reads the same rows to take it over. Nothing here writes: drizzle's ledger is left
//! as it was, so the team can go back.

use tokio_postgres::{Client, SimpleQueryMessage};

use super::error::MigrateError;

/// Where drizzle-kit keeps its ledger (its `migrationsSchema` and `migrationsTable` defaults).
pub const DRIZZLE_LEDGER: &str = "drizzle.__drizzle_migrations";

/// One row of drizzle-kit's ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DrizzleRow {
    pub id: i64,
    /// SHA-256 hex of the raw `.sql` file drizzle-kit applied.
    pub hash: String,
    /// The `when` of the file's entry in drizzle's `meta/_journal.json` (milliseconds).
    pub created_at: Option<i64>,
}

/// drizzle-kit's ledger rows in order; `None` when the database has no such ledger.
pub(crate) async fn read_ledger(client: &Client) -> Result<Option<Vec<DrizzleRow>>, MigrateError> {
    let failed = |e: tokio_postgres::Error| MigrateError::Database {
        during: format!("reading drizzle-kit's ledger {DRIZZLE_LEDGER}"),
        source: e,
    };
    let exists = client
        .simple_query(&format!(
            "SELECT to_regclass('{DRIZZLE_LEDGER}') IS NOT NULL"
        ))
        .await
        .map_err(failed)?;
    if !rows(&exists).any(|r| r.get(0) == Some("t")) {
        return Ok(None);
    }
    let messages = client
        .simple_query(&format!(
            "SELECT id, hash, created_at FROM {DRIZZLE_LEDGER} ORDER BY id"
        ))
        .await
        .map_err(failed)?;
    Ok(Some(
        rows(&messages)
            .map(|r| DrizzleRow {
                id: r.get(0).and_then(|v| v.parse().ok()).unwrap_or_default(),
                hash: r.get(1).unwrap_or_default().to_string(),
                created_at: r.get(2).and_then(|v| v.parse().ok()),
            })
            .collect(),
    ))
}

fn rows(messages: &[SimpleQueryMessage]) -> impl Iterator<Item = &tokio_postgres::SimpleQueryRow> {
    messages.iter().filter_map(|m| match m {
        SimpleQueryMessage::Row(row) => Some(row),
        _ => None,
    })
}
