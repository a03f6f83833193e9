//! Everything that can stop a migration run. Each message names the cause; [`MigrateError::help`]
//! says what to do about it, so a command can print both as one paragraph.

use std::fmt;
use std::path::PathBuf;

/// Why a migration run stopped.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{origin} is not a valid PostgreSQL URL: {reason}")]
    BadUrl { origin: String, reason: String },
    #[error("cannot reach PostgreSQL at {target}: {reason}")]
    Unreachable { target: String, reason: String },
    #[error("{origin}: {source}")]
    Tls {
        origin: String,
        #[source]
        source: super::tls::TlsError,
    },
    #[error("no TLS connection to {target}: {reason}")]
    TlsHandshake { target: String, reason: String },
    #[error(
        "no database is named: DATABASE_URL is not set (in the environment or a .env file), \
         nor PGHOST, PGPORT, PGUSER or PGDATABASE"
    )]
    NoDatabase,
    #[error("PostgreSQL at {target} refused user `{user}`: {message}")]
    Authentication {
        target: String,
        user: String,
        message: String,
    },
    #[error("database `{database}` does not exist on {target}")]
    DatabaseMissing { target: String, database: String },
    #[error("database `{database}` does not exist and could not be created: {message}")]
    CreateDatabase { database: String, message: String },
    #[error("cannot connect to {target}: {message}")]
    Connect { target: String, message: String },
    #[error("cannot take a connection from the pool: {0}")]
    Pool(String),
    #[error("migrations folder `{}` does not exist or is not a folder", path.display())]
    DirMissing { path: PathBuf },
    #[error("cannot list migrations folder `{}`: {source}", path.display())]
    ReadDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", list("the migrations folder has problems", .0))]
    Source(Vec<SourceProblem>),
    #[error("{}", list("the database's migration ledger does not match the migrations folder; nothing was applied", .0))]
    Verification(Vec<VerifyProblem>),
    #[error("{0}")]
    Statement(Box<StatementFailure>),
    #[error("{}", list("nothing was reverted", .0))]
    Revert(Vec<super::revert::RevertProblem>),
    #[error("database error while {during}: {message}")]
    Database { during: String, message: String },
    /// The database has drizzle-kit's history and none of this project's: applying the
    /// initial migration would fail on objects that already exist.
    #[error("the database was built by drizzle-kit (its ledger {} holds {entries} migration(s)) and has no history of this project; nothing was applied", super::DRIZZLE_LEDGER)]
    BuiltByDrizzle { entries: usize },
    #[error("{failure}; gave up after {attempts} attempt(s); blocked by {}", super::sessions::describe(.blocked_by))]
    LockTimeout {
        failure: Box<StatementFailure>,
        attempts: u32,
        blocked_by: Vec<super::Session>,
    },
    #[error("another migrator held the migration lock for longer than {}s; held by {}", .waited.as_secs_f64(), super::sessions::describe(.holders))]
    MigrationLockTimeout {
        waited: std::time::Duration,
        holders: Vec<super::Session>,
    },
}

/// A problem with one file of the migrations folder.
#[derive(Debug, thiserror::Error)]
pub enum SourceProblem {
    #[error("`{}` is not named NNNN_name.sql (at least four digits, then letters, digits, `_` or `-`)", path.display())]
    BadName { path: PathBuf },
    #[error("`{}` cannot be read: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{}` is not UTF-8 text", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("`{}` and `{}` have the same number", first.display(), second.display())]
    DuplicateVersion { first: PathBuf, second: PathBuf },
    #[error("`{}` is the down of `{up}`, which is not in the folder: name it after its migration, or delete it", path.display())]
    OrphanDown { path: PathBuf, up: String },
    #[error("`{}` ends in capitals; the runner reads only files ending in `.sql`: rename it", path.display())]
    WrongCase { path: PathBuf },
    #[error(
        "`{}` line {line}: `{statement}` controls the transaction the runner wraps the migration \
         in; remove it (each migration already commits as a whole, with its ledger row), or make \
         `{}` the file's first line to run it outside a transaction",
        path.display(),
        super::source::NO_TRANSACTION_MARKER
    )]
    TransactionControl {
        path: PathBuf,
        line: usize,
        statement: String,
    },
    #[error(
        "`{}` runs outside a transaction but its statement {statement} holds several statements \
         (the next one starts on line {line}); sent together they would run in one implicit \
         transaction: separate them with a `{}` line",
        path.display(),
        super::source::STATEMENT_BREAKPOINT
    )]
    Unsplit {
        path: PathBuf,
        statement: usize,
        line: usize,
    },
}

/// A disagreement between the ledger and the migrations folder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyProblem {
    #[error(
        "`{name}` was changed after it was applied (checksum applied {applied}, file now {file})"
    )]
    Modified {
        name: String,
        applied: String,
        file: String,
    },
    #[error("`{name}` was applied but its file is gone from the migrations folder")]
    Missing { name: String },
    #[error(
        "migration {version:04} was applied as `{applied}` but the folder now names it `{file}`"
    )]
    Renamed {
        version: i64,
        applied: String,
        file: String,
    },
    #[error("`{name}` is pending but older than `{newest_applied}`, which is already applied")]
    OutOfOrder {
        name: String,
        newest_applied: String,
    },
}

/// A statement the server rejected.
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
    /// SQLSTATE, e.g. `42P07`; empty when the connection itself failed.
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
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
        if self.code.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "[{}] {}", self.code, self.message)?;
        }
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
            Self::BadUrl { .. } => "Write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE \
                (set DATABASE_URL, put it in .env, or pass --database-url)."
                .into(),
            Self::Tls { .. } => "Point sslrootcert (or PGSSLROOTCERT) at a PEM file of the \
                certificate authority that signed the server's certificate, or leave it out to \
                use the system's roots."
                .into(),
            Self::TlsHandshake { .. } => "Check sslmode: verify-full needs a certificate \
                signed by a root in sslrootcert (or the system's store) that names the host as \
                written in the URL; verify-ca skips the name; require only encrypts. A server \
                without TLS needs sslmode=disable or prefer."
                .into(),
            Self::NoDatabase => "Set DATABASE_URL=postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE \
                (or put it in .env), set the PG* variables, or pass --database-url."
                .into(),
            Self::Unreachable { .. } => "Start PostgreSQL there, or point DATABASE_URL \
                (or --database-url) at a server that is running."
                .into(),
            Self::Authentication { user, .. } => format!(
                "Check the user name and password in DATABASE_URL, or create the role \
                 (CREATE ROLE \"{user}\" LOGIN) and allow it in pg_hba.conf."
            ),
            Self::DatabaseMissing { database, .. } => format!(
                "Create it (createdb {database}) or run the migrator with a URL, which creates it."
            ),
            Self::CreateDatabase { database, .. } => format!(
                "Create `{database}` as a user allowed to (createdb {database}), or connect as a \
                 user with the CREATEDB privilege."
            ),
            Self::Connect { .. } | Self::Pool(_) => {
                "Check DATABASE_URL and that the server accepts connections.".into()
            }
            Self::DirMissing { .. } => "Run from the project's root, or pass --dir with \
                the folder that holds the NNNN_name.sql files."
                .into(),
            Self::ReadDir { .. } => "Check the folder's permissions.".into(),
            Self::Source(_) => "Fix or rename the files listed above; nothing was applied. \
                Files in subfolders and files whose names do not mention .sql are ignored."
                .into(),
            Self::BuiltByDrizzle { .. } => "Take it over with the `adopt` command \
                (schema_core::migrate::adopt): it proves the database has the schema of one of \
                the migrations and records them as applied; then run migrate again."
                .into(),
            Self::Verification(_) => "Applied migrations are history: restore the applied \
                files as they were (e.g. from version control) and put changes in a new \
                migration numbered after the newest applied one."
                .into(),
            Self::Statement(failure) if failure.code == "25001" && !failure.transactional => {
                format!(
                    "`{}` already runs outside a transaction, but statements sent together run \
                     in one: put a `{}` line between that statement and its neighbours.",
                    failure.file,
                    super::source::STATEMENT_BREAKPOINT
                )
            }
            Self::Statement(failure) if failure.code == "25001" => format!(
                "That statement cannot run inside a transaction: make `{}` the first line of \
                 `{}` (and keep its statements safe to repeat), then run again.",
                super::source::NO_TRANSACTION_MARKER,
                failure.file
            ),
            Self::Statement(failure) if failure.file.ends_with(".down.sql") => {
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
                    .any(|p| matches!(p, super::revert::RevertProblem::Destructive { .. }))
                {
                    "Read what each destructive down loses; to apply them anyway, pass \
                     --allow-destructive to `revert` (from code: \
                     `RevertOptions { allow_destructive: true, .. }`)."
                        .into()
                } else {
                    "Fix the downs listed above, then revert again.".into()
                }
            }
            Self::Database { .. } => "Check the server's log; running again is safe: \
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

fn list<T: fmt::Display>(head: &str, items: &[T]) -> String {
    let mut out = format!("{head}:");
    for item in items {
        out.push_str("\n  - ");
        out.push_str(&item.to_string());
    }
    out
}
