//! Drift detection for an application at startup: the same database settings the migrator
//! takes, one call, one error type that says what to do.

use super::{verify, CatalogError, DriftReport};
use crate::connection::{ConnectError, DatabaseConfig};
use crate::model::Schema;

/// Why [`verify_database`] produced no report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No connection: bad URL, unreachable server, refused user, or a missing database
    /// (never created here: verifying changes nothing).
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// Connected, but the catalog could not be read.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

impl VerifyError {
    /// What a user can do about the error, in one or two sentences.
    pub fn help(&self) -> String {
        match self {
            Self::Connect(ConnectError::DatabaseMissing { .. }) => {
                "Check the database name in DATABASE_URL (or --database-url); to create the \
                 database with its schema, run the `migrate` command with --create-database."
                    .into()
            }
            Self::Connect(e) => e.help(),
            Self::Catalog(CatalogError::Query { .. }) => {
                "Check that the user may read pg_catalog, and the server's log.".into()
            }
            Self::Catalog(CatalogError::SchemaNotFound { .. }) => {
                "Point DATABASE_URL (or --database-url) at the application's database, or \
                 create its tables with the `migrate` command."
                    .into()
            }
            Self::Catalog(CatalogError::Unexpected { .. }) => {
                "The catalog is read as PostgreSQL 15 lays it out; report this with the \
                 server's version (SELECT version())."
                    .into()
            }
        }
    }
}

/// Connects to `db` without creating it and compares its schema (`public`, or the one
/// `schema!` names) with `schema` (see [`verify`]). A clean report means the database is exactly the schema in code.
///
/// ```no_run
/// # async fn startup(schema: &schema_core::Schema) -> Result<(), Box<dyn std::error::Error>> {
/// use schema_core::{catalog, DatabaseConfig};
/// let report = catalog::verify_database(&DatabaseConfig::from_env()?, schema).await?;
/// if !report.is_clean() {
///     return Err(report.to_string().into());
/// }
/// # Ok(()) }
/// ```
pub async fn verify_database(
    db: &DatabaseConfig,
    schema: &Schema,
) -> Result<DriftReport, VerifyError> {
    let client = db.connect().await?;
    Ok(verify(&client, schema).await?)
}
