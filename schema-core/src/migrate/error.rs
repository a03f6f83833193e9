//! Everything that can stop a migration run. Each message says what failed and keeps the error
//! that caused it as its [`source`](std::error::Error::source) (print both with
//! [`error_chain`](crate::errors::error_chain)); [`MigrateError::help`] says what to do about it, so a
//! command can print both as one paragraph.

use std::fmt;

use crate::errors::list;
use crate::files::SourceError;

use tokio_postgres::error::SqlState;

/// Why a migration run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The connection to the server could not be made or kept.
    #[error(transparent)]
    Connection(#[from] crate::connection::ConnectError),
    /// The migration files could not be read, or are malformed; nothing was applied.
    #[error(transparent)]
    Files(#[from] SourceError),
    /// The ledger disagrees with the migrations folder (migrations changed, missing, renamed or
    /// out of order); nothing was applied.
    #[error("{}", list("the database's migration ledger does not match the migrations folder; nothing was applied", .0))]
    History(Vec<HistoryProblem>),
    /// The server rejected a statement of a migration (or of a down).
    #[error("{0}")]
    Statement(Box<StatementFailure>),
    /// A revert was refused before anything ran (a down missing, empty, edited, destructive or
    /// not transactional, or an unknown target); nothing was reverted.
    #[error("{}", list("nothing was reverted", .0))]
    Revert(Vec<RevertProblem>),
    /// A query of the runner's own (ledger, lock, catalog) failed.
    #[error("database error while {during}")]
    Database {
        /// What the runner was doing, e.g. `reading the migration ledger`.
        during: String,
        /// The driver's error: the server's, or a lost connection.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The server answered a query of the runner's own with something it cannot read, e.g. a
    /// ledger row without a checksum.
    #[error("database error while {during}: {what}")]
    UnexpectedAnswer {
        /// What the runner was doing, e.g. `reading the migration ledger`.
        during: String,
        /// What was unexpected.
        what: String,
    },
    /// The database has drizzle-kit's history and none of this project's: applying the
    /// initial migration would fail on objects that already exist.
    #[error("the database was built by drizzle-kit (its ledger {} holds {entries} migration(s)) and has no history of this project; nothing was applied", super::DRIZZLE_LEDGER)]
    BuiltByDrizzle {
        /// How many rows drizzle-kit's ledger holds.
        entries: usize,
    },
    /// A statement kept hitting `lock_timeout` on every retry, blocked by other sessions.
    #[error("{failure}; gave up after {attempts} attempt(s); blocked by {}", super::sessions::describe(.blocked_by))]
    LockTimeout {
        /// The last attempt's failure.
        failure: Box<StatementFailure>,
        /// How many times the statement was tried, the first time included.
        attempts: u32,
        /// The sessions that held the locks the statement waited for, as last seen.
        blocked_by: Vec<super::Session>,
    },
    /// Another session held the migration's advisory lock for longer than the lock wait allows.
    #[error("another migrator held the migration lock for longer than {}s; held by {}", .waited.as_secs_f64(), super::sessions::describe(.holders))]
    MigrationLockTimeout {
        /// How long the runner waited for the lock.
        waited: std::time::Duration,
        /// The sessions that held the lock when the runner gave up.
        holders: Vec<super::Session>,
    },
}

/// Why a revert refused to start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RevertProblem {
    /// A migration to revert has no down file.
    #[error("`{migration}` has no down: write `{down}` (for a generated migration, `generate` writes it from the snapshots)")]
    DownMissing {
        /// The migration's file name.
        migration: String,
        /// The down's expected file name, `NNNN_name.down.sql`.
        down: String,
    },
    /// The down holds comments only.
    #[error("`{down}` holds no statement yet: write the SQL that undoes its migration")]
    DownEmpty {
        /// The down's file name.
        down: String,
    },
    /// The down's checksum differs from the one the ledger recorded when its migration was
    /// applied.
    #[error("`{down}` was changed after its migration was applied (checksum then {applied}, file now {file}): restore it as it was, or revert by hand")]
    DownEdited {
        /// The down's file name.
        down: String,
        /// The SHA-256 the ledger recorded, in hex.
        applied: String,
        /// The SHA-256 of the file now, in hex.
        file: String,
    },
    /// The down is marked destructive, or its statements lose data (see
    /// [`crate::files::data_losses`]), and [`RevertOptions::allow_destructive`](super::RevertOptions::allow_destructive) is false.
    #[error("`{down}` is destructive:{}", .lines.iter().map(|l| format!("\n      {l}")).collect::<String>())]
    Destructive {
        /// The down's file name.
        down: String,
        /// What it loses or cannot restore: its header's `-- Loses` and `-- Cannot` lines,
        /// without the `-- `, or, when it is not marked, each statement that loses data.
        lines: Vec<String>,
    },
    /// [`RevertOptions::to`](super::RevertOptions::to) names a migration that is not applied.
    #[error(
        "migration {to:04} is not applied, so there is nothing to revert to; applied: {applied}"
    )]
    UnknownTarget {
        /// The number asked for.
        to: i64,
        /// The applied migrations' file names, oldest first, comma-separated; `none` when
        /// none is applied.
        applied: String,
    },
}

/// A disagreement between the ledger and the migrations folder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryProblem {
    /// An applied migration's file no longer has the checksum recorded when it was applied.
    #[error(
        "`{name}` was changed after it was applied (checksum applied {applied}, file now {file})"
    )]
    Modified {
        /// The migration's file name.
        name: String,
        /// The SHA-256 the ledger recorded, in hex.
        applied: String,
        /// The SHA-256 of the file now, in hex.
        file: String,
    },
    /// An applied migration has no file in the folder.
    #[error("`{name}` was applied but its file is gone from the migrations folder")]
    Missing {
        /// The migration's file name, as the ledger records it.
        name: String,
    },
    /// The file of an applied version now has another name.
    #[error(
        "migration {version:04} was applied as `{applied}` but the folder now names it `{file}`"
    )]
    Renamed {
        /// The migration's number.
        version: i64,
        /// The file name in the ledger.
        applied: String,
        /// The file name in the folder.
        file: String,
    },
    /// A pending migration is numbered below the newest applied one: applying it would reorder
    /// history.
    #[error("`{name}` is pending but older than `{newest_applied}`, which is already applied")]
    OutOfOrder {
        /// The pending migration's file name.
        name: String,
        /// The newest applied migration's file name.
        newest_applied: String,
    },
}

/// A statement the server rejected, with the parts of its report. (A statement that fails
/// without the server's report, as when the connection is lost, is a
/// [`MigrateError::Database`] that keeps the driver's error.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementFailure {
    /// The migration's file name.
    pub file: String,
    /// 1-based statement number within the file.
    pub statement: usize,
    /// 1-based line where the statement starts.
    pub line: usize,
    /// The statement's first line of code.
    pub first_line: String,
    /// The server's SQLSTATE, e.g. `42P07` ([`SqlState::DUPLICATE_TABLE`]).
    pub code: SqlState,
    /// The server's message.
    pub message: String,
    /// The server's DETAIL, when it sent one.
    pub detail: Option<String>,
    /// The server's HINT, when it sent one.
    pub hint: Option<String>,
    /// Whether the migration ran in a transaction (and so left no trace).
    pub transactional: bool,
}

impl fmt::Display for StatementFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` statement {} (line {}) failed: `{}`: ",
            self.file, self.statement, self.line, self.first_line
        )?;
        write!(f, "[{}] {}", self.code.code(), self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl MigrateError {
    /// What a user can do about the error, in one or two sentences.
    pub fn help(&self) -> String {
        match self {
            Self::Connection(e) => e.help(),
            Self::Files(e) => e.help(),
            Self::BuiltByDrizzle { .. } => "Take it over with the `adopt` command \
                (schema_core::adopt::adopt): it proves the database has the schema of one of \
                the migrations and records them as applied; then run migrate again."
                .into(),
            Self::History(_) => "Applied migrations are history: restore the applied \
                files as they were (e.g. from version control) and put changes in a new \
                migration numbered after the newest applied one."
                .into(),
            Self::Statement(failure) if failure.code == SqlState::ACTIVE_SQL_TRANSACTION && !failure.transactional => {
                format!(
                    "`{}` already runs outside a transaction, but statements sent together run \
                     in one: put a `{}` line between that statement and its neighbours.",
                    failure.file,
                    crate::sql::STATEMENT_BREAKPOINT
                )
            }
            Self::Statement(failure) if failure.code == SqlState::ACTIVE_SQL_TRANSACTION => format!(
                "That statement cannot run inside a transaction: make `{}` the first line of \
                 `{}` (and keep its statements safe to repeat), then run again.",
                crate::sql::NO_TRANSACTION_MARKER,
                failure.file
            ),
            Self::Statement(failure) if failure.file.ends_with(crate::sql::DOWN_EXTENSION) => {
                "Nothing of that down was applied: its migration stays applied, and the downs \
                 run before it stay reverted; fix the statement and revert again."
                    .into()
            }
            Self::Statement(failure) if failure.transactional => {
                "Nothing of that migration was applied and the ones before it stay applied; \
                 fix the statement and run again."
                    .into()
            }
            Self::Statement(failure) => format!(
                "`{}` runs outside a transaction, so the statements before statement {} stay \
                 applied (the invalid index a failed CREATE INDEX CONCURRENTLY leaves is dropped by \
                 the next run before it builds it again); \
                 make its statements safe to repeat (IF NOT EXISTS) and run again.",
                failure.file, failure.statement
            ),
            Self::Revert(problems) => {
                if problems
                    .iter()
                    .any(|p| matches!(p, RevertProblem::Destructive { .. }))
                {
                    "Read what each destructive down loses; to apply them anyway, pass \
                     --allow-destructive to `revert` (from code: \
                     `RevertOptions { allow_destructive: true, .. }`)."
                        .into()
                } else {
                    "Fix the downs listed above, then revert again.".into()
                }
            }
            Self::Database { .. } | Self::UnexpectedAnswer { .. } => "Check the server's log; running again is safe: \
                applied migrations are recorded only when they commit."
                .into(),
            Self::LockTimeout { failure, .. } if failure.transactional => format!(
                "Nothing of `{}` was applied. End or wait for the blocking session(s) (an open \
                 transaction holds its locks until it ends; pg_terminate_backend(pid) ends it), \
                 or allow a longer wait with --lock-timeout / --lock-retries, then run again.",
                failure.file
            ),
            Self::LockTimeout { failure, .. } => format!(
                "`{}` runs outside a transaction: the statements before statement {} stay \
                 applied and are safe to run again. End or wait for the blocking session(s), \
                 or allow a longer wait with --lock-timeout / --lock-retries, then run again.",
                failure.file, failure.statement
            ),
            Self::MigrationLockTimeout { .. } => "Another migrator is still running (or a \
                session took the lock by hand). Wait for it and run again, or allow a longer \
                wait with --lock-wait."
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::{assert_keeps_source, client_error};

    #[test]
    fn wrapped_errors_are_sources_printed_once() {
        let target = || "db:5432 (the database URL)".to_string();
        let driver = [
            MigrateError::Connection(crate::connection::ConnectError::Unreachable {
                target: target(),
                source: client_error(),
            }),
            MigrateError::Database {
                during: "reading the migration ledger".into(),
                source: client_error(),
            },
        ];
        for e in &driver {
            assert_keeps_source::<tokio_postgres::Error>(e);
        }
        let dir = SourceError::ReadDir {
            path: "migrations".into(),
            source: std::io::Error::other("permission denied"),
        };
        assert_keeps_source::<std::io::Error>(&dir);
    }

    #[test]
    fn a_listed_problem_is_printed_with_its_cause() {
        let problem = crate::files::SourceProblem::Unreadable {
            path: "0001_init.sql".into(),
            source: std::io::Error::other("permission denied"),
        };
        assert_keeps_source::<std::io::Error>(&problem);
        let text = MigrateError::from(SourceError::Problems(vec![problem])).to_string();
        assert!(
            text.ends_with("`0001_init.sql` cannot be read: permission denied"),
            "{text}"
        );
    }
}
