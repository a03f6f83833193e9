//! The migration runner: brings a database up to date with the committed `migrations/`.
//!
//! ```no_run
//! # async fn start() -> Result<(), schema_core::migrate::MigrateError> {
//! use schema_core::migrate::{DatabaseConfig, Migrator};
//! let report = Migrator::from_dir("migrations")?
//!     .run(&DatabaseConfig::from_env()?)
//!     .await?;
//! println!("{} applied", report.applied.len());
//! # Ok(()) }
//! ```
//!
//! A run uses one connection. It takes an advisory lock ([`LOCK_KEY`]) so concurrent
//! migrators apply each migration once, creates the ledger (`schema_migrations.ledger`) if
//! needed, refuses to go on when applied migrations were changed, removed or renamed or a
//! pending one is older than the newest applied one, then applies each pending migration in
//! a transaction of its own together with its ledger row.

mod apply;
mod config;
mod error;
mod ledger;
mod lex;
mod lock;
mod names;
mod revert;
mod run;
mod source;
mod verify;

pub use config::{DatabaseConfig, DATABASE_URL_VAR, DEFAULT_DATABASE_URL};
pub use error::{MigrateError, SourceProblem, StatementFailure, VerifyProblem};
pub use ledger::{LedgerRow, LEDGER_SCHEMA, LEDGER_TABLE};
pub use lock::LOCK_KEY;
pub use names::SkippedFile;
pub use revert::{RevertOptions, RevertProblem, RevertReport, Reverted, DESTRUCTIVE_DOWN_MARKER};
pub use run::{Applied, DryRun, Progress, Report, Status};
pub use source::{Migration, Statement, NO_TRANSACTION_MARKER, STATEMENT_BREAKPOINT};
pub use verify::{State, StatusEntry};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Applies one migration on `client` and records it in the ledger (created if missing),
/// without the lock: for a database of the caller's own that it looks at between
/// migrations, such as `generate --check`'s shadow database.
pub(crate) async fn apply_one(
    client: &tokio_postgres::Client,
    migration: &Migration,
) -> Result<Duration, MigrateError> {
    client
        .batch_execute(ledger::ENSURE_LEDGER)
        .await
        .map_err(|e| MigrateError::Database {
            during: "creating the migration ledger".into(),
            message: config::server_message(&e),
        })?;
    apply::apply(client, migration).await
}

/// Applies one down and removes its migration's ledger row, in one transaction, without
/// the lock (see [`apply_one`]).
pub(crate) async fn revert_one(
    client: &tokio_postgres::Client,
    version: i64,
    down: &Migration,
) -> Result<Duration, MigrateError> {
    revert::revert_one(client, version, down).await
}

/// The migrations of one folder, read and checked, ready to apply to any database.
#[derive(Clone)]
pub struct Migrator {
    dir: PathBuf,
    migrations: Vec<Migration>,
    downs: Vec<Migration>,
    skipped: Vec<SkippedFile>,
    progress: Option<ProgressFn>,
}

type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

impl std::fmt::Debug for Migrator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrator")
            .field("dir", &self.dir)
            .field("migrations", &self.migrations.len())
            .finish()
    }
}

impl Migrator {
    /// Reads every `NNNN_name.sql` of `dir`. Problems with the folder (bad names, duplicate
    /// numbers, unreadable files) are reported here, all together, before any connection.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self, MigrateError> {
        let dir = dir.as_ref().to_path_buf();
        let folder = source::read_dir(&dir)?;
        Ok(Migrator {
            dir,
            migrations: folder.migrations,
            downs: folder.downs,
            skipped: folder.skipped,
            progress: None,
        })
    }

    /// Calls `f` as the run goes (database created, waiting for the lock, each migration
    /// applied), so a command can print lines as they happen.
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The folder the migrations were read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The migrations, in order.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// The down migrations (`NNNN_name.down.sql`), in order.
    pub fn downs(&self) -> &[Migration] {
        &self.downs
    }

    /// Files of the folder that look like migrations but were not read (an editor's lock
    /// or backup file), each with the reason; a run's [`Report`] carries them too.
    pub fn skipped(&self) -> &[SkippedFile] {
        &self.skipped
    }

    fn report(&self, event: Progress) {
        if let Some(f) = &self.progress {
            f(&event);
        }
    }
}
