//! The live catalog of a PostgreSQL schema, and drift detection against the schema in code.
//!
//! - [`read`] reads one schema's enums, tables, columns, constraints, foreign keys, indexes,
//!   triggers, rules, policies, views and sequences (plus the installed extensions) from
//!   `pg_catalog` into the engine's model, a [`Schema`], the same type the code's schema is:
//!   sorted deterministically and with PostgreSQL's spellings normalized on the way in, so two
//!   databases are catalog-identical exactly when their schemas are `==`, and [`compare`]
//!   says where they are not.
//! - [`verify`] compares the live schema (`public`, or the one `schema!` names) with a
//!   [`Schema`] and lists every difference as the [`SchemaChange`] that would bring the
//!   database to the code, in the words `generate` uses for it; [`compare`] does the same for a schema already
//!   read; [`verify_database`] connects first, with the migrator's [`DatabaseConfig`], and
//!   never creates the database.
//!
//! [`DatabaseConfig`]: crate::connection::DatabaseConfig
//! [`SchemaChange`]: crate::diff::SchemaChange
//!
//! ```no_run
//! # async fn startup(client: &tokio_postgres::Client, schema: &schema_core::Schema)
//! # -> Result<(), Box<dyn std::error::Error>> {
//! let report = schema_core::catalog::verify(client, schema).await?;
//! if !report.is_clean() {
//!     return Err(report.to_string().into());
//! }
//! # Ok(()) }
//! ```

mod database;
mod drift;
mod read;
mod read_privileges;
mod read_query;
mod read_tables;
mod spelling;

pub use database::{verify_database, VerifyError};
pub use drift::{compare, DriftReport};
pub use read::{is_bookkeeping, read, read_with_bookkeeping, BOOKKEEPING_TABLES};

use crate::model::Schema;
use tokio_postgres::Client;

/// The PostgreSQL schema a [`Schema`] uses unless `schema!` names another.
pub const DEFAULT_SCHEMA: &str = crate::model::PUBLIC_SCHEMA;

/// Why the catalog could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A catalog query failed: lost connection, or a user that may not read `pg_catalog`.
    #[error("cannot read {what} from pg_catalog")]
    Query {
        /// The objects being read, e.g. `constraints`.
        what: &'static str,
        /// The driver's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The database has no schema of that name.
    #[error("schema `{schema}` does not exist in this database; check the database name in the connection URL")]
    SchemaNotFound {
        /// The schema that was asked for.
        schema: String,
    },
    /// The catalog holds a value this reader does not know, e.g. a new referential action code.
    #[error("unexpected {what} in pg_catalog; this server version may not be supported")]
    Unexpected {
        /// The value and where it was found.
        what: String,
    },
}

/// Compares the live PostgreSQL schema (`public`, or the one `schema!` names) with the schema
/// in code and lists every difference:
/// missing or extra tables, columns, enum types and labels (and their order), foreign keys,
/// indexes and unique/check constraints; a column's type, nullability, default or collation;
/// a foreign key's ON DELETE action; a primary key's name or columns; an index's uniqueness,
/// columns, key order, INCLUDE columns or non-default operator classes, or an INVALID index;
/// a generated column; NOT VALID and DEFERRABLE constraints; UNLOGGED
/// tables, row-level security and policies, triggers, rules, views, materialized views,
/// sequences no column owns, functions and procedures, domains, event triggers, replica
/// identities and partitioning; `pgcrypto` missing, or another extension installed. Names are
/// compared as identifiers, so keywords (`"group"`) need no care. Other schemas (such as the
/// migration runner's ledger) are not looked at.
pub async fn verify(client: &Client, schema: &Schema) -> Result<DriftReport, CatalogError> {
    let catalog = read(client, &schema.pg_schema).await?;
    Ok(compare(&catalog, schema))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::{assert_keeps_source, client_error};

    #[test]
    fn a_failed_query_keeps_the_driver_error() {
        let e = CatalogError::Query {
            what: "constraints",
            source: client_error(),
        };
        assert_keeps_source::<tokio_postgres::Error>(&e);
        let verify = VerifyError::Catalog(e);
        assert!(verify.to_string().starts_with("cannot read constraints"));
        assert!(crate::errors::error_chain(&verify).contains("port"));
    }
}
