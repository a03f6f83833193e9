//! The migration files: their names (`NNNN_name.sql`, `.down.sql`), their statements and
//! markers, the folder and the embedded form, and the journal and snapshots `generate`
//! writes beside them. Below both the runner and the generator: it reads and checks files
//! and knows nothing of a database.

pub(crate) mod destructive;
pub(crate) mod index_builds;
pub mod journal;
pub(crate) mod lex;
mod markers;
pub(crate) mod names;
mod problem;
pub(crate) mod source;

pub use destructive::data_losses;
pub use markers::{
    is_carried, CARRIED_MARKER, DESTRUCTIVE_DOWN_MARKER, NOTHING_TO_UNDO_MARKER,
    NO_TRANSACTION_MARKER, STATEMENT_BREAKPOINT,
};
pub use names::SkippedFile;
pub use problem::{SourceError, SourceProblem};
pub use source::{Migration, MigrationStatement};
