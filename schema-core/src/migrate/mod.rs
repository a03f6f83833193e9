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
mod lock;
mod online;
mod options;
mod progress;
mod run;
mod sessions;
mod source;
mod verify;

pub use config::{DatabaseConfig, DATABASE_URL_VAR, DEFAULT_DATABASE_URL};
pub use error::{MigrateError, SourceProblem, StatementFailure, VerifyProblem};
pub use ledger::{LedgerRow, LEDGER_SCHEMA, LEDGER_TABLE};
pub use lock::LOCK_KEY;
pub use online::Running;
pub use options::RunOptions;
pub use run::{Applied, DryRun, Progress, Report, Status};
pub use sessions::Session;
pub use source::{Migration, Statement, NO_TRANSACTION_MARKER, STATEMENT_BREAKPOINT};
pub use verify::{State, StatusEntry};

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The migrations of one folder, read and checked, ready to apply to any database.
#[derive(Clone)]
pub struct Migrator {
    dir: PathBuf,
    migrations: Vec<Migration>,
    progress: Option<ProgressFn>,
    options: RunOptions,
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
        let migrations = source::read_dir(&dir)?;
        Ok(Migrator {
            dir,
            migrations,
            progress: None,
            options: RunOptions::default(),
        })
    }

    /// Calls `f` as the run goes (database created, waiting for the lock, each migration
    /// applied), so a command can print lines as they happen.
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Timeouts, retries and progress of the run (see [`RunOptions`]).
    pub fn with_options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// The folder the migrations were read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The migrations, in order.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    fn report(&self, event: Progress) {
        if let Some(f) = &self.progress {
            f(&event);
        }
    }
}
