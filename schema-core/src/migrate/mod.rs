//! The migration runner: brings a database up to date with the committed `migrations/`.
//!
//! ```no_run
//! # async fn start() -> Result<(), schema_core::migrate::MigrateError> {
//! use schema_core::{migrate::Migrator, connection::DatabaseConfig};
//! let report = Migrator::from_dir("migrations")?
//!     .run(&DatabaseConfig::from_env()?)
//!     .await?;
//! println!("{} applied", report.applied.len());
//! # Ok(()) }
//! ```
//!
//! A run uses one connection. It takes an advisory lock ([`LOCK_KEY`]) so concurrent
//! migrators apply each migration once, refuses to go on when applied migrations were
//! changed, removed or renamed, a pending one is older than the newest applied one, or
//! drizzle-kit built the database, then creates the ledger (`schema_migrations.ledger`) if
//! needed and applies each pending migration in a transaction of its own together with its
//! ledger row. A refused run writes nothing.
//!
//! Every wait is bounded (see [`RunOptions`]). A run whose future is dropped before it
//! completes (a timeout around it, an aborted task, Ctrl-C in the command) cancels its running
//! statement on the server and reports [`Progress::Interrupted`]; a connection without an
//! `application_name` is named [`APPLICATION_NAME`] for the run.

mod apply;
mod backoff;
mod cancel;
mod display;
mod error;
pub(crate) mod foreign;
mod history;
pub(crate) mod ledger;
mod live;
pub(crate) mod lock;
mod options;
mod progress;
mod revert;
mod run;
mod session_set;
mod sessions;

pub use cancel::{Interrupted, StoppedIn};
#[cfg(feature = "cli")]
pub(crate) use display::plural;
pub use error::{HistoryProblem, MigrateError, RevertProblem, StatementFailure};
pub use foreign::DRIZZLE_LEDGER;
pub use history::{State, StatusEntry};
pub use ledger::{LedgerRow, LEDGER_SCHEMA, LEDGER_TABLE};
pub use live::Running;
pub use lock::{APPLICATION_NAME, LOCK_KEY};
pub use options::RunOptions;
pub use revert::{RevertOptions, RevertReport, Reverted};
pub use run::{Applied, DryRun, Progress, Report, Status};
pub use sessions::Session;

/// What decides the ledger's format (its definition), for keys of databases built by runs.
#[cfg(feature = "testing")]
pub(crate) fn ledger_format() -> &'static str {
    ledger::ENSURE_LEDGER
}

use std::path::{Path, PathBuf};

use crate::files::{names, source, Migration, SkippedFile};
use std::sync::Arc;
#[cfg(feature = "dev")]
use std::time::Duration;

/// Applies one migration on `client` and records it in the ledger (created if missing),
/// without the lock: for a database of the caller's own that it looks at between
/// migrations, such as `generate --check`'s shadow database.
#[cfg(feature = "dev")]
pub(crate) async fn apply_one(
    client: &tokio_postgres::Client,
    migration: &Migration,
) -> Result<Duration, MigrateError> {
    client
        .batch_execute(ledger::ENSURE_LEDGER)
        .await
        .map_err(|e| MigrateError::Database {
            during: "creating the migration ledger".into(),
            source: e,
        })?;
    apply::apply(client, migration).await
}

/// Applies one down and removes its migration's ledger row, in one transaction, without
/// the lock (see [`apply_one`]).
#[cfg(feature = "dev")]
pub(crate) async fn revert_one(
    client: &tokio_postgres::Client,
    version: i64,
    down: &Migration,
) -> Result<Duration, MigrateError> {
    revert::revert_one(client, version, down).await
}

/// Migration files compiled into a program by `embed_migrations!`, which reads the folder
/// when the program is built (and rebuilds it when one of the files changes).
#[derive(Clone, Copy, Debug)]
pub struct EmbeddedMigrations {
    /// The folder the files were read from, at compile time; used in messages, and by
    /// `generate` when the folder is still there.
    pub dir: &'static str,
    /// Each `.sql` file of the folder: its name and its bytes.
    pub files: &'static [(&'static str, &'static [u8])],
    /// The newest snapshot's JSON (`meta/NNNN_snapshot.json`), which holds the objects
    /// carried migrations make; `None` before the first migration.
    pub last_snapshot: Option<&'static str>,
}

/// The migrations of one folder, read and checked, ready to apply to any database.
#[derive(Clone)]
pub struct Migrator {
    dir: PathBuf,
    migrations: Vec<Migration>,
    downs: Vec<Migration>,
    skipped: Vec<SkippedFile>,
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
        let folder = source::read_dir(&dir)?;
        Ok(Self::of_folder(dir, folder))
    }

    /// The migrations compiled into the program by `embed_migrations!("migrations")`: a
    /// deployed binary needs no folder beside it. The same names and checks as
    /// [`Migrator::from_dir`]; messages name the files by their compile-time path.
    pub fn from_embedded(embedded: &EmbeddedMigrations) -> Result<Self, MigrateError> {
        let dir = PathBuf::from(embedded.dir);
        let files = embedded
            .files
            .iter()
            .map(|(name, bytes)| (dir.join(name), bytes.to_vec()))
            .collect();
        let folder = source::from_files(files)?;
        Ok(Self::of_folder(dir, folder))
    }

    fn of_folder(dir: PathBuf, folder: source::Folder) -> Self {
        Migrator {
            dir,
            migrations: folder.migrations,
            downs: folder.downs,
            skipped: folder.skipped,
            progress: None,
            options: RunOptions::default(),
        }
    }

    /// The `.sql` files that differ between the embedded migrations and their folder, when
    /// the folder is still where they were read from: files added, removed or edited since the
    /// program was built, which a run would not see. Empty for a deployed program.
    pub fn embedded_out_of_date(embedded: &EmbeddedMigrations) -> Vec<String> {
        let dir = Path::new(embedded.dir);
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut on_disk: Vec<(String, Vec<u8>)> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .filter_map(|p| {
                let name = p.file_name()?.to_str()?.to_string();
                names::embedded(&name).then_some(())?;
                Some((name, std::fs::read(&p).ok()?))
            })
            .collect();
        on_disk.sort();
        let mut changed = Vec::new();
        for (name, bytes) in &on_disk {
            match embedded.files.iter().find(|(n, _)| n == name) {
                None => changed.push(format!("{name} (new)")),
                Some((_, built)) if *built != bytes.as_slice() => {
                    changed.push(format!("{name} (edited)"))
                }
                Some(_) => {}
            }
        }
        for (name, _) in embedded.files {
            if !on_disk.iter().any(|(n, _)| n == name) {
                changed.push(format!("{name} (removed)"));
            }
        }
        changed
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

    /// The run's options: the defaults unless [`Migrator::with_options`] set others.
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

    /// The down migrations (`NNNN_name.down.sql`), in order.
    pub fn downs(&self) -> &[Migration] {
        &self.downs
    }

    /// Files of the folder that look like migrations but were not read (an editor's lock
    /// or backup file), each with the reason; a run's [`Report`] carries them too.
    pub fn skipped(&self) -> &[SkippedFile] {
        &self.skipped
    }

    pub(crate) fn report(&self, event: Progress) {
        if let Some(f) = &self.progress {
            f(&event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_migrations_need_no_folder_at_run_time() {
        static FILES: &[(&str, &[u8])] = &[
            ("0001_b.sql", b"CREATE TABLE b ();"),
            ("0000_a.sql", b"CREATE TABLE a ();"),
        ];
        let embedded = EmbeddedMigrations {
            dir: "/nowhere/migrations",
            files: FILES,
            last_snapshot: None,
        };
        let migrator = Migrator::from_embedded(&embedded).unwrap();
        let names: Vec<_> = migrator.migrations().iter().map(|m| &*m.name).collect();
        assert_eq!(names, ["0000_a.sql", "0001_b.sql"]);
        assert_eq!(
            migrator.migrations()[0].path,
            Path::new("/nowhere/migrations/0000_a.sql")
        );
    }

    #[test]
    fn a_folder_changed_since_the_build_is_noticed() {
        let dir = std::env::temp_dir().join(format!("schema-embed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0000_a.sql"), "CREATE TABLE a ();").unwrap();
        std::fs::write(dir.join("0001_b.sql"), "CREATE TABLE b (x int);").unwrap();
        std::fs::write(dir.join("0003_d.sql"), "CREATE TABLE d ();").unwrap();
        let path: &'static str = Box::leak(dir.to_str().unwrap().to_string().into_boxed_str());
        static FILES: &[(&str, &[u8])] = &[
            ("0000_a.sql", b"CREATE TABLE a ();"),
            ("0001_b.sql", b"CREATE TABLE b ();"),
            ("0002_c.sql", b"CREATE TABLE c ();"),
        ];
        let embedded = EmbeddedMigrations {
            dir: path,
            files: FILES,
            last_snapshot: None,
        };
        let changed = Migrator::embedded_out_of_date(&embedded);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            changed,
            [
                "0001_b.sql (edited)",
                "0003_d.sql (new)",
                "0002_c.sql (removed)"
            ]
        );
        let gone = EmbeddedMigrations {
            dir: "/nowhere/at/all",
            files: FILES,
            last_snapshot: None,
        };
        assert!(Migrator::embedded_out_of_date(&gone).is_empty());
    }

    #[test]
    fn embedded_files_are_checked_like_a_folder() {
        static FILES: &[(&str, &[u8])] = &[("initial.sql", b"SELECT 1;")];
        let embedded = EmbeddedMigrations {
            dir: "m",
            files: FILES,
            last_snapshot: None,
        };
        let err = Migrator::from_embedded(&embedded).unwrap_err();
        assert!(err.to_string().contains("initial.sql"), "{err}");
    }

    /// `generate` and the runner judge a folder's names by one rule: the same files refused,
    /// with the same words, and the same migrations read once the folder is fixed.
    #[test]
    fn the_runner_and_generate_agree_on_odd_names() {
        use crate::files::journal::{FilesError, MigrationsDir};
        use std::collections::BTreeSet;
        let dir = std::env::temp_dir().join(format!("schema-names-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("meta")).unwrap();
        let refused = ["0001_a.SQL", "1_a.sql", "0001.sql", "0002_b.down.sql"];
        let ignored = ["README.md", ".gitkeep", ".#0000_a.sql", "0000_a.sql~"];
        for name in ["0000_a.sql", "0000_a.down.sql"]
            .iter()
            .chain(&refused)
            .chain(&ignored)
        {
            std::fs::write(dir.join(name), "SELECT 1;\n").unwrap();
        }
        let texts = |problems: &[crate::files::SourceProblem]| -> BTreeSet<String> {
            problems.iter().map(|p| p.to_string()).collect()
        };
        let runner = match Migrator::from_dir(&dir) {
            Err(MigrateError::Files(crate::files::SourceError::Problems(problems))) => {
                texts(&problems)
            }
            other => panic!("the runner read the folder: {other:?}"),
        };
        let generate = match MigrationsDir::new(&dir).sql_files() {
            Err(FilesError::Names { problems, .. }) => texts(&problems),
            other => panic!("generate listed the folder: {other:?}"),
        };
        assert_eq!(runner, generate);
        let expected: BTreeSet<String> = [
            "0001_a.SQL` ends in capitals; only files ending in `.sql` (lower-case) are read; \
             rename it to `0001_a.sql`",
            "1_a.sql` is not named NNNN_name.sql: a migration's name starts with its number, \
             at least four digits, then `_`; rename it to `0001_a.sql`",
            "0001.sql` is not named NNNN_name.sql: after the number and `_` comes a name of \
             ASCII letters, digits, `_` or `-`; rename it to `0001_<name>.sql`",
            "0002_b.down.sql` is the down of `0002_b.sql`, which is not in the folder: name it \
             after its migration, or delete it",
        ]
        .iter()
        .map(|tail| format!("`{}{tail}", dir.display().to_string() + "/"))
        .collect();
        assert_eq!(runner, expected);

        for name in refused {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        let migrator = Migrator::from_dir(&dir).unwrap();
        let listed = MigrationsDir::new(&dir).sql_files().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let read: Vec<_> = migrator
            .migrations()
            .iter()
            .map(|m| m.path.clone())
            .collect();
        assert_eq!(read, listed);
        assert_eq!(migrator.downs().len(), 1);
        assert_eq!(migrator.skipped().len(), 2);
    }
}
