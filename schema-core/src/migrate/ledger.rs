//! The ledger: one row per applied migration, in a schema of its own so it never mixes with
//! the application's tables (and `DROP SCHEMA public CASCADE` does not forget history).

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::error::MigrateError;
use crate::files::source::Migration;
use crate::sql::{qualified_in, quote_literal};

/// The schema that holds the ledger.
pub const LEDGER_SCHEMA: &str = "schema_migrations";
/// The ledger table, inside [`LEDGER_SCHEMA`].
pub const LEDGER_TABLE: &str = "ledger";

/// Creates the ledger when it is missing. Run only under the migration lock: two concurrent
/// `CREATE TABLE IF NOT EXISTS` can both pass the check and one then fails on the catalog's
/// unique index. Checking first also spares a user without CREATE on the database once the
/// ledger exists.
pub(crate) const ENSURE_LEDGER: &str = r#"DO $$
BEGIN
  IF to_regclass('"schema_migrations"."ledger"') IS NULL THEN
    CREATE SCHEMA IF NOT EXISTS "schema_migrations";
    CREATE TABLE IF NOT EXISTS "schema_migrations"."ledger" (
      "version" bigint PRIMARY KEY,
      "name" text NOT NULL,
      "checksum" text NOT NULL,
      "applied_at" timestamp with time zone NOT NULL DEFAULT now(),
      "duration_ms" double precision NOT NULL,
      "down_checksum" text
    );
  END IF;
  -- Ledgers made before downs existed get the column, nullable: their rows know no down.
  IF NOT EXISTS (SELECT 1 FROM pg_attribute
                 WHERE attrelid = '"schema_migrations"."ledger"'::regclass
                   AND attname = 'down_checksum' AND NOT attisdropped) THEN
    ALTER TABLE "schema_migrations"."ledger" ADD COLUMN "down_checksum" text;
  END IF;
END
$$"#;

/// Text columns, so the query runs over the simple protocol (no prepare round trip). The
/// down's checksum and the adoption's origin are read through the row as JSON, so that
/// `status` also reads a ledger made before those columns existed (it creates nothing).
pub(crate) const SELECT_LEDGER: &str = r#"SELECT "version", "name", "checksum",
  to_char("applied_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), "duration_ms",
  to_jsonb(l) ->> 'down_checksum', to_jsonb(l) ->> 'adopted_from'
  FROM "schema_migrations"."ledger" AS l ORDER BY "version""#;

/// One applied migration as the ledger remembers it.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// The migration's number, the primary key of the ledger.
    pub version: i64,
    /// The migration's file name when it was applied, e.g. `0000_initial.sql`.
    pub name: String,
    /// SHA-256 of the file's bytes when it was applied, lower-case hex.
    pub checksum: String,
    /// UTC, RFC 3339.
    pub applied_at: String,
    /// How long applying it took, in milliseconds; 0 for an adopted migration.
    pub duration_ms: f64,
    /// SHA-256 of the migration's down as it was when the migration was applied; none when
    /// it had no down (or only the placeholder of a custom migration).
    pub down_checksum: Option<String>,
    /// Where the history came from when `adopt` recorded the migration instead of applying
    /// it (e.g. drizzle-kit's ledger); none for a migration this project applied.
    pub adopted_from: Option<String>,
}

/// Parses the rows of [`SELECT_LEDGER`] out of a simple-query answer.
pub(crate) fn parse_rows(messages: &[SimpleQueryMessage]) -> Result<Vec<LedgerRow>, MigrateError> {
    let bad = |what: &str| MigrateError::UnexpectedAnswer {
        during: "reading the migration ledger".into(),
        what: format!("unexpected {what} in {LEDGER_SCHEMA}.{LEDGER_TABLE}"),
    };
    let mut rows = Vec::new();
    for message in messages {
        let SimpleQueryMessage::Row(row) = message else {
            continue;
        };
        let text = |i: usize| row.get(i).unwrap_or_default().to_string();
        rows.push(LedgerRow {
            version: text(0).parse().map_err(|_| bad("version"))?,
            name: text(1),
            checksum: text(2),
            applied_at: text(3),
            duration_ms: text(4).parse().map_err(|_| bad("duration"))?,
            down_checksum: row.get(5).map(str::to_string),
            adopted_from: row.get(6).map(str::to_string),
        });
    }
    Ok(rows)
}

/// Reads the ledger without creating it: a database never migrated has an empty one.
pub(crate) async fn read_if_present(client: &Client) -> Result<Vec<LedgerRow>, MigrateError> {
    match client.simple_query(SELECT_LEDGER).await {
        Ok(messages) => parse_rows(&messages),
        Err(e)
            if e.code() == Some(&SqlState::UNDEFINED_TABLE)
                || e.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(MigrateError::Database {
            during: "reading the migration ledger".into(),
            source: e,
        }),
    }
}

/// The row recording `migration` applied in the transaction under way, its duration taken
/// on the server: from the transaction's start (`now()`, the time of BEGIN) to this row.
/// Returns the duration, read by [`returned_duration`].
pub(crate) fn insert_row_timed_on_server(migration: &Migration) -> String {
    format!(
        "{} RETURNING \"duration_ms\"",
        insert_row_with(
            migration,
            "1000 * extract(epoch FROM clock_timestamp() - now())::double precision"
        )
    )
}

/// The duration returned by [`insert_row_timed_on_server`], in milliseconds; 0 if the answer
/// holds none (the ledger keeps the server's figure either way).
pub(crate) fn returned_duration(messages: &[SimpleQueryMessage]) -> f64 {
    messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0)?.parse().ok(),
            _ => None,
        })
        .unwrap_or(0.0)
}

/// The row recording `migration`, as SQL text so it can travel in one message with COMMIT.
/// Every value is either a number or checked text (file names allow no quotes, checksums
/// are hex), and quoting is applied all the same.
pub(crate) fn insert_row(migration: &Migration, duration_ms: f64) -> String {
    let duration_ms = if duration_ms.is_finite() {
        duration_ms
    } else {
        0.0
    };
    insert_row_with(migration, &duration_ms.to_string())
}

/// The row recording `migration`, with `duration_ms` as an SQL expression.
fn insert_row_with(migration: &Migration, duration_ms: &str) -> String {
    format!(
        "INSERT INTO {} \
         (\"version\", \"name\", \"checksum\", \"applied_at\", \"duration_ms\", \"down_checksum\") \
         VALUES ({}, {}, {}, clock_timestamp(), {}, {})",
        qualified_in(LEDGER_SCHEMA, LEDGER_TABLE),
        migration.version,
        quote_literal(&migration.name),
        quote_literal(&migration.checksum),
        duration_ms,
        migration
            .down_checksum
            .as_deref()
            .map_or("NULL".to_string(), quote_literal),
    )
}

/// Removes a reverted migration's row.
pub(crate) fn delete_row(version: i64) -> String {
    format!("DELETE FROM \"{LEDGER_SCHEMA}\".\"{LEDGER_TABLE}\" WHERE \"version\" = {version}")
}

/// Creates the ledger if needed, with the column that says where an adopted row came from.
#[cfg(feature = "dev")]
pub(crate) fn ensure_adoptable() -> String {
    format!(
        "{ENSURE_LEDGER};\nALTER TABLE {} ADD COLUMN IF NOT EXISTS \"adopted_from\" text",
        qualified_in(LEDGER_SCHEMA, LEDGER_TABLE)
    )
}

/// Records a migration as adopted: applied by another tool, proved by the catalog.
#[cfg(feature = "dev")]
pub(crate) fn insert_adopted_row(m: &Migration, adopted_from: &str) -> String {
    format!(
        "INSERT INTO {} (\"version\", \"name\", \"checksum\", \"applied_at\", \"duration_ms\", \
         \"adopted_from\") VALUES ({}, {}, {}, clock_timestamp(), 0, {})",
        qualified_in(LEDGER_SCHEMA, LEDGER_TABLE),
        m.version,
        quote_literal(&m.name),
        quote_literal(&m.checksum),
        quote_literal(adopted_from)
    )
}

/// The newest adopted row's name and provenance.
#[cfg(feature = "dev")]
pub(crate) const SELECT_LAST_ADOPTED: &str = r#"SELECT "name", "adopted_from"
  FROM "schema_migrations"."ledger"
  WHERE "adopted_from" IS NOT NULL ORDER BY "version" DESC LIMIT 1"#;
