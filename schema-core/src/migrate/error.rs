//! Everything that can stop a migration run. Each message says what failed and keeps the error
//! that caused it as its [`source`](std::error::Error::source) (print both with
//! [`error_chain`](crate::error_chain)); [`MigrateError::help`] says what to do about it, so a
//! command can print both as one paragraph.

use std::fmt;
use std::path::PathBuf;

use tokio_postgres::error::SqlState;

/// Why a migration run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The database URL (or a `PG*` variable) cannot be read as a connection string.
    #[error("{origin} is not a valid PostgreSQL URL: {reason}")]
    BadUrl {
        /// Where the URL came from, e.g. `--database-url` or `DATABASE_URL`.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// tokio-postgres cannot read the database URL as a connection string.
    #[error("{origin} is not a valid PostgreSQL URL")]
    UrlSyntax {
        /// Where the URL came from, e.g. `--database-url` or `DATABASE_URL`.
        origin: String,
        /// The parser's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// No connection to the server: it is not running, not listening there, or unreachable.
    #[error("cannot reach PostgreSQL at {target}")]
    Unreachable {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// Why the connection failed.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The TLS settings (`sslmode`, `sslrootcert`) cannot be turned into a connector.
    #[error("the TLS settings of {origin} cannot be used")]
    Tls {
        /// Where the URL came from, e.g. `--database-url`.
        origin: String,
        /// Why the connector could not be built, e.g. an unreadable root certificate.
        #[source]
        source: super::tls::TlsError,
    },
    /// The TLS handshake failed: the server has no TLS, or its certificate does not verify.
    #[error("no TLS connection to {target}")]
    TlsHandshake {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// Why the handshake failed: rustls's error among its causes, or the server's refusal.
        #[source]
        source: tokio_postgres::Error,
    },
    /// Neither `DATABASE_URL` nor any `PG*` variable names a database to connect to (an
    /// empty variable counts as unset): no database is guessed.
    #[error(
        "no database is named: DATABASE_URL is not set in the environment or \
         a .env file in this folder or above, and none of PGHOST, PGHOSTADDR, PGPORT, PGUSER, \
         PGDATABASE is set"
    )]
    NoDatabase,
    /// The server (or something in front of it) accepted the connection but did not finish
    /// the startup and authentication exchange in time.
    #[error("PostgreSQL at {target} did not answer within {}s (connect_timeout)", .waited.as_secs_f64())]
    ConnectTimeout {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// How long the connection was given, for all its hosts.
        waited: std::time::Duration,
    },
    /// The server asked for a password and none was given (not in the URL, nor `PGPASSWORD`).
    #[error("PostgreSQL at {target} asks user `{user}` for a password, and none was given")]
    PasswordMissing {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The user name the connection logged in as.
        user: String,
        /// The client's refusal to go on without one.
        #[source]
        source: tokio_postgres::Error,
    },
    /// No connection of the pool came free (or could be opened) in time.
    #[error("no connection of the pool came free within {}s", .waited.as_secs_f64())]
    PoolTimeout {
        /// How long the run waited.
        waited: std::time::Duration,
    },
    /// The server rejected the user or its password.
    #[error("PostgreSQL at {target} refused user `{user}`")]
    Authentication {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The user name the connection logged in as.
        user: String,
        /// The server's refusal, or the client's when the server asked for a password the URL
        /// lacks.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The server is up but has no database of that name (when not asked to create it).
    #[error("database `{database}` does not exist on {target}")]
    DatabaseMissing {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The missing database's name.
        database: String,
    },
    /// The database was missing and `CREATE DATABASE` failed, e.g. without the CREATEDB privilege.
    #[error("database `{database}` does not exist and could not be created")]
    CreateDatabase {
        /// The database's name.
        database: String,
        /// Why `CREATE DATABASE` failed.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The server refused the connection for a reason other than authentication.
    #[error("cannot connect to {target}")]
    Connect {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The server's refusal.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The connection pool could not hand out a connection; holds the pool's error.
    #[error("cannot take a connection from the pool")]
    Pool(#[source] deadpool_postgres::PoolError),
    /// The migrations folder does not exist, or is a file.
    #[error("migrations folder `{}` does not exist or is not a folder", path.display())]
    DirMissing {
        /// The folder as it was given.
        path: PathBuf,
    },
    /// The migrations folder exists but cannot be listed.
    #[error("cannot list migrations folder `{}`", path.display())]
    ReadDir {
        /// The folder as it was given.
        path: PathBuf,
        /// Why listing it failed.
        #[source]
        source: std::io::Error,
    },
    /// Files of the migrations folder are misnamed, unreadable or malformed; nothing was applied.
    #[error("{}", list("the migrations folder has problems", .0))]
    Source(Vec<SourceProblem>),
    /// The ledger disagrees with the migrations folder (migrations changed, missing, renamed or
    /// out of order); nothing was applied.
    #[error("{}", list("the database's migration ledger does not match the migrations folder; nothing was applied", .0))]
    Verification(Vec<VerifyProblem>),
    /// The server rejected a statement of a migration (or of a down).
    #[error("{0}")]
    Statement(Box<StatementFailure>),
    /// A revert was refused before anything ran (a down missing, empty, edited, destructive or
    /// not transactional, or an unknown target); nothing was reverted.
    #[error("{}", list("nothing was reverted", .0))]
    Revert(Vec<super::revert::RevertProblem>),
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

/// A problem with one file of the migrations folder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceProblem {
    /// A file meant as a migration (it ends in `.sql`, in any casing) whose name is not
    /// `NNNN_name.sql` (or `NNNN_name.down.sql`); says what to rename it to.
    #[error("`{}` {misnamed}", path.display())]
    Misnamed {
        /// The file.
        path: PathBuf,
        /// What is wrong with its name, and the name to give it.
        misnamed: crate::sql::Misnamed,
    },
    /// A migration file that cannot be read.
    #[error("`{}` cannot be read", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why reading it failed.
        #[source]
        source: std::io::Error,
    },
    /// A migration file whose bytes are not UTF-8.
    #[error("`{}` is not UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// Two migrations (or two downs) share a version number.
    #[error("`{}` and `{}` have the same number", first.display(), second.display())]
    DuplicateVersion {
        /// The first of the two files, in name order.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// A down file whose migration is not in the folder.
    #[error("`{}` is the down of `{up}`, which is not in the folder: name it after its migration, or delete it", path.display())]
    OrphanDown {
        /// The down file.
        path: PathBuf,
        /// The file name of the migration it is the down of.
        up: String,
    },
    /// A transactional migration holds `BEGIN`, `COMMIT`, `ROLLBACK` or another statement that
    /// controls the transaction.
    #[error(
        "`{}` line {line}: `{statement}` controls the transaction the runner wraps the migration \
         in; remove it (each migration already commits as a whole, with its ledger row), or make \
         `{}` the file's first line to run it outside a transaction",
        path.display(),
        crate::sql::NO_TRANSACTION_MARKER
    )]
    TransactionControl {
        /// The file.
        path: PathBuf,
        /// 1-based line where the statement starts.
        line: usize,
        /// The statement's first line.
        statement: String,
    },
    /// A migration outside a transaction holds several statements between two breakpoint
    /// lines, which would be sent (and run) together.
    #[error(
        "`{}` runs outside a transaction but its statement {statement} holds several statements \
         (the next one starts on line {line}); sent together they would run in one implicit \
         transaction: separate them with a `{}` line",
        path.display(),
        crate::sql::STATEMENT_BREAKPOINT
    )]
    Unsplit {
        /// The file.
        path: PathBuf,
        /// 1-based number of the statement (the text between breakpoints) that holds several.
        statement: usize,
        /// 1-based line where its second statement starts.
        line: usize,
    },
}

impl SourceProblem {
    /// The file the problem is about (the first of two files with the same number).
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Misnamed { path, .. }
            | Self::Unreadable { path, .. }
            | Self::NotUtf8 { path }
            | Self::OrphanDown { path, .. }
            | Self::TransactionControl { path, .. }
            | Self::Unsplit { path, .. } => path,
            Self::DuplicateVersion { first, .. } => first,
        }
    }
}

/// A disagreement between the ledger and the migrations folder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyProblem {
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
            Self::BadUrl { .. } | Self::UrlSyntax { .. } => "Write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE \
                (set DATABASE_URL, put it in .env, or pass --database-url)."
                .into(),
            #[cfg(not(feature = "tls"))]
            Self::Tls {
                source: super::tls::TlsError::NotBuilt { .. },
                ..
            } => "Build schema-core with its `tls` feature (on by default), or connect with \
                sslmode=disable or prefer."
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
            Self::ConnectTimeout { .. } => "The server accepted the connection but sent \
                nothing back: check that it (or the proxy, tunnel or firewall in front of it) is \
                healthy. To wait longer, set connect_timeout=SECONDS in the URL or \
                PGCONNECT_TIMEOUT (0 waits forever)."
                .into(),
            Self::PasswordMissing { user, .. } => format!(
                "Give the password of `{user}` in the URL \
                 (postgres://{user}:PASSWORD@HOST/DATABASE, with special characters %-encoded) \
                 or in PGPASSWORD."
            ),
            Self::PoolTimeout { .. } => "Every connection of the pool stayed in use, or the \
                server did not answer: give the pool a connection to spare for the migrator, \
                or check that the server accepts connections."
                .into(),
            Self::Unreachable { .. } => "Start PostgreSQL there, or point DATABASE_URL \
                (or --database-url) at a server that is running."
                .into(),
            Self::Authentication { user, .. } => format!(
                "Check the user name and password in DATABASE_URL, or create the role \
                 (CREATE ROLE {} LOGIN) and allow it in pg_hba.conf.",
                crate::sql::quote_ident(user)
            ),
            Self::DatabaseMissing { database, .. } => format!(
                "Check the database's name. To create it, run `migrate` with --create-database \
                 (from code: DatabaseConfig::create_database(true)), or createdb {database}."
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

/// Each item with its causes: a list has no one source to chain them after.
fn list<T: std::error::Error + 'static>(head: &str, items: &[T]) -> String {
    let mut out = format!("{head}:");
    for item in items {
        out.push_str("\n  - ");
        out.push_str(&crate::error_chain(item));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{assert_keeps_source, client_error};

    #[test]
    fn wrapped_errors_are_sources_printed_once() {
        let target = || "db:5432 (the database URL)".to_string();
        let driver = [
            MigrateError::UrlSyntax {
                origin: "--database-url".into(),
                source: client_error(),
            },
            MigrateError::Unreachable {
                target: target(),
                source: client_error(),
            },
            MigrateError::TlsHandshake {
                target: target(),
                source: client_error(),
            },
            MigrateError::Authentication {
                target: target(),
                user: "app".into(),
                source: client_error(),
            },
            MigrateError::PasswordMissing {
                target: target(),
                user: "app".into(),
                source: client_error(),
            },
            MigrateError::CreateDatabase {
                database: "qb".into(),
                source: client_error(),
            },
            MigrateError::Connect {
                target: target(),
                source: client_error(),
            },
            MigrateError::Database {
                during: "reading the migration ledger".into(),
                source: client_error(),
            },
        ];
        for e in &driver {
            assert_keeps_source::<tokio_postgres::Error>(e);
        }
        let pool = MigrateError::Pool(deadpool_postgres::PoolError::Backend(client_error()));
        assert_keeps_source::<deadpool_postgres::PoolError>(&pool);
        let dir = MigrateError::ReadDir {
            path: "migrations".into(),
            source: std::io::Error::other("permission denied"),
        };
        assert_keeps_source::<std::io::Error>(&dir);
        let tls = MigrateError::Tls {
            origin: "DATABASE_URL".into(),
            source: super::super::tls::TlsError::NoRootCert {
                path: "/etc/ca.pem".into(),
            },
        };
        assert_keeps_source::<super::super::tls::TlsError>(&tls);
    }

    #[test]
    fn a_listed_problem_is_printed_with_its_cause() {
        let problem = SourceProblem::Unreadable {
            path: "0001_init.sql".into(),
            source: std::io::Error::other("permission denied"),
        };
        assert_keeps_source::<std::io::Error>(&problem);
        let text = MigrateError::Source(vec![problem]).to_string();
        assert!(
            text.ends_with("`0001_init.sql` cannot be read: permission denied"),
            "{text}"
        );
    }
}
