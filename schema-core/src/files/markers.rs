//! The lines a migration file holds for the runner and the generator, not for the server.

pub use crate::sql::{NO_TRANSACTION_MARKER, STATEMENT_BREAKPOINT};

/// The header line of a down that loses data or cannot restore what its up removed (the
/// same marker `generate` writes).
pub const DESTRUCTIVE_DOWN_MARKER: &str = "-- schema:destructive";

/// A line marking a down with deliberately no statement: a later part of an online change,
/// whose effects the down of the change's first migration undoes.
pub const NOTHING_TO_UNDO_MARKER: &str = "-- schema:nothing-to-undo";

/// The header line of a migration written by hand whose objects (functions, triggers, views,
/// domains...) the schema language does not declare: `generate --carry` reads them from a
/// shadow database into its snapshot, and from then on they are the project's own.
pub const CARRIED_MARKER: &str = "-- schema:carried";

/// Whether the migration's header (its leading comment lines) holds [`CARRIED_MARKER`].
pub fn is_carried(sql: &str) -> bool {
    sql.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with("--"))
        .any(|l| l == CARRIED_MARKER)
}
