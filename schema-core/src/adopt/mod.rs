//! Taking over a database that drizzle-kit (or a hand, or another tool) built: prove that its
//! catalog is exactly the schema of one of this project's migrations, then record the
//! migrations up to that one as applied, so `migrate` applies only what is newer.
//!
//! A ledger alone is never trusted: the live catalog is compared with each migration's
//! snapshot, and only a catalog-identical match is recorded. Any difference is listed (the
//! same lines as `verify`) and nothing is written. drizzle-kit's ledger is read, never
//! changed.

use std::fmt;
use std::path::PathBuf;

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::connection::DatabaseConfig;
mod drizzle;

use crate::catalog::{self, CatalogError};
use crate::diff::SchemaChange;
use crate::files::journal::{FilesError, MigrationsDir};
use crate::migrate::foreign::{self, DRIZZLE_LEDGER};
use crate::migrate::ledger::{self, LEDGER_SCHEMA, LEDGER_TABLE};
use crate::migrate::{lock, MigrateError, Migrator, Progress};

/// Choices of [`Migrator::adopt`].
#[derive(Clone, Debug, Default)]
pub struct AdoptOptions {
    /// Adopt exactly through this migration number (and prove the catalog matches its
    /// snapshot). Needed for a database without drizzle-kit's ledger; by default the newest
    /// migration whose snapshot the database matches is taken.
    pub through: Option<i64>,
    /// drizzle-kit's migrations folder (its `out`, with `meta/_journal.json`): when given,
    /// the recorded provenance names drizzle's files instead of their hashes, each ledger row
    /// is tied to the migration of the same name (instead of by position), and a ledger hash
    /// that is not its file's is reported.
    pub drizzle_dir: Option<PathBuf>,
}

/// What [`Migrator::adopt`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdoptReport {
    /// The last migration now recorded as applied (file name).
    pub through: String,
    /// Migrations recorded by this call, in order; empty when the database was adopted before.
    pub recorded: Vec<String>,
    /// Where the adopted history came from, as stored in the ledger's `adopted_from`.
    pub adopted_from: String,
    /// The database has drizzle-kit's ledger (read, and left as it was).
    pub drizzle_ledger: bool,
    /// What does not add up in drizzle-kit's ledger: rows for files whose schema the database
    /// does not have (left out of `adopted_from`), or a hash that is not its file's.
    pub warnings: Vec<String>,
}

/// Why [`Migrator::adopt`] wrote nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdoptError {
    /// No connection, the migration lock or a ledger could not be read, or recording the
    /// adopted migrations failed.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    /// The live catalog could not be read.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The migrations folder, its journal or a snapshot could not be read.
    #[error(transparent)]
    Files(#[from] FilesError),
    /// No migration's snapshot matches the live catalog exactly.
    #[error("the database is not catalog-identical to the schema of any migration; nothing was written. It differs from the schema of {migration} in {} place(s):\n{}", .drifts.len(), lines(.drifts))]
    NotIdentical {
        /// The file name of the migration whose snapshot differs least (or the one
        /// [`AdoptOptions::through`] names).
        migration: String,
        /// How the database differs from that snapshot.
        drifts: Vec<SchemaChange>,
    },
    /// The database already has this project's ledger, with migrations `migrate` applied
    /// rather than adopted ones.
    #[error("the database already has this project's ledger ({LEDGER_SCHEMA}.{LEDGER_TABLE}) with {entries} migration(s) applied by `migrate`; there is nothing to adopt")]
    LedgerInUse {
        /// How many rows the ledger holds.
        entries: usize,
    },
    /// Neither drizzle-kit's ledger nor [`AdoptOptions::through`] says which migration the
    /// database is at.
    #[error("the database has no drizzle-kit ledger ({DRIZZLE_LEDGER}); nothing was written")]
    NoDrizzleLedger,
    /// [`AdoptOptions::through`] is a number the journal does not list.
    #[error("--through {through}: there is no migration numbered {through:04} in `{}`", dir.display())]
    UnknownMigration {
        /// The number asked for.
        through: i64,
        /// The migrations folder searched.
        dir: PathBuf,
    },
    /// [`AdoptOptions::drizzle_dir`] is not a drizzle-kit migrations folder.
    #[error("`{}`: {problem}", path.display())]
    DrizzleFolder {
        /// The file or folder at fault.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A file of [`AdoptOptions::drizzle_dir`] cannot be read.
    #[error("cannot read `{}`", path.display())]
    DrizzleRead {
        /// The file.
        path: PathBuf,
        /// Why reading it failed.
        #[source]
        source: std::io::Error,
    },
    /// drizzle-kit's journal in [`AdoptOptions::drizzle_dir`] is not JSON.
    #[error("`{}` is not JSON", path.display())]
    DrizzleJson {
        /// The journal.
        path: PathBuf,
        /// The parser's error, with line and column.
        #[source]
        source: serde_json::Error,
    },
}

impl From<crate::connection::ConnectError> for AdoptError {
    fn from(e: crate::connection::ConnectError) -> Self {
        Self::Migrate(e.into())
    }
}

fn lines(drifts: &[SchemaChange]) -> String {
    drifts
        .iter()
        .map(|d| format!("  - {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl AdoptError {
    /// What a user can do about the error.
    pub fn help(&self) -> String {
        match self {
            Self::Migrate(e) => e.help(),
            Self::Catalog(_) => "Check that the user may read pg_catalog and that the URL names \
                the application's database."
                .into(),
            Self::Files(_) => "Run from the project's root, or pass --dir with this project's \
                migrations folder (its meta/ holds the snapshots adopt compares with)."
                .into(),
            Self::NotIdentical { .. } => "Bring the database to the schema of a migration (undo \
                the changes made by hand, or let drizzle-kit apply its pending migrations), or \
                declare the difference in code and generate a migration for it; then adopt again."
                .into(),
            Self::LedgerInUse { .. } => "Use `migrate`: this database is already managed by \
                this project."
                .into(),
            Self::NoDrizzleLedger => "For a database built by hand or by another tool, say \
                which migration it is at with --through NNNN; adopt proves the catalog matches \
                that migration's schema before recording anything."
                .into(),
            Self::UnknownMigration { .. } => {
                "Give the number of a migration listed in meta/_journal.json.".into()
            }
            Self::DrizzleFolder { .. } | Self::DrizzleRead { .. } | Self::DrizzleJson { .. } => {
                "Pass drizzle-kit's `out` folder (the one holding \
                meta/_journal.json and the NNNN_name.sql files it applied)."
                    .into()
            }
        }
    }
}

impl fmt::Display for AdoptReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.recorded.is_empty() {
            return write!(
                f,
                "already adopted through {} ({}); nothing written",
                self.through, self.adopted_from
            );
        }
        write!(
            f,
            "the database is catalog-identical to the schema of {}; recorded {} as applied \
             (adopted from {}).",
            self.through,
            self.recorded.join(", "),
            self.adopted_from
        )?;
        if self.drizzle_ledger {
            write!(f, " drizzle-kit's ledger is left as it was.")?;
        }
        write!(f, " `migrate` now applies only newer migrations.")?;
        for warning in &self.warnings {
            write!(f, "\nwarning: {warning}")?;
        }
        Ok(())
    }
}

/// Adopts the database of `db` for the migrations of `dir` (see [`Migrator::adopt`]).
pub async fn adopt(
    dir: impl AsRef<std::path::Path>,
    db: &DatabaseConfig,
    options: &AdoptOptions,
) -> Result<AdoptReport, AdoptError> {
    Migrator::from_dir(dir)?.adopt(db, options).await
}

impl Migrator {
    /// Takes over a database another tool built: under the migration lock, compares its
    /// catalog (of the PostgreSQL schema each snapshot declares, `public` unless `schema!`
    /// names another) with the snapshot of each migration (or only `options.through`), and
    /// if one is catalog-identical records the migrations up to it as applied, marked adopted
    /// with where they came from. Never creates the database; writes nothing on a difference.
    pub async fn adopt(
        &self,
        db: &DatabaseConfig,
        options: &AdoptOptions,
    ) -> Result<AdoptReport, AdoptError> {
        let client = db.connect().await?;
        self.adopt_on_client(&client, options).await
    }

    /// [`Migrator::adopt`] on a connection the caller owns; the lock is released before
    /// returning.
    pub async fn adopt_on_client(
        &self,
        client: &Client,
        options: &AdoptOptions,
    ) -> Result<AdoptReport, AdoptError> {
        // The same lock and the same bounded wait as `migrate`, taken without creating the
        // ledger: a refusal writes nothing at all.
        lock::acquire(client, self.options().migration_lock_wait, |holders| {
            self.report(Progress::WaitingForLock);
            self.report(Progress::LockHeldBy(holders));
        })
        .await?;
        let result = self.adopt_locked(client, options).await;
        let unlocked = lock::unlock(client).await;
        let report = result?;
        unlocked?;
        Ok(report)
    }

    async fn adopt_locked(
        &self,
        client: &Client,
        options: &AdoptOptions,
    ) -> Result<AdoptReport, AdoptError> {
        let ours = ledger::read_if_present(client).await?;
        if !ours.is_empty() {
            return match read_adopted(client).await? {
                Some((through, adopted_from)) => Ok(AdoptReport {
                    through,
                    recorded: Vec::new(),
                    drizzle_ledger: foreign::read_ledger(client).await?.is_some(),
                    adopted_from,
                    warnings: Vec::new(),
                }),
                None => Err(AdoptError::LedgerInUse {
                    entries: ours.len(),
                }),
            };
        }
        let drizzle_rows = foreign::read_ledger(client).await?;
        if drizzle_rows.is_none() && options.through.is_none() {
            return Err(AdoptError::NoDrizzleLedger);
        }
        let folder = match &options.drizzle_dir {
            Some(dir) => Some(drizzle::read_folder(dir)?),
            None => None,
        };
        let through = self.matching_migration(client, options.through).await?;
        let adopted: Vec<_> = self
            .migrations()
            .iter()
            .filter(|m| m.version <= through)
            .collect();
        let names: Vec<&str> = self.migrations().iter().map(|m| m.name.as_str()).collect();
        let drizzle::Provenance {
            record: adopted_from,
            warnings,
        } = drizzle::provenance(
            drizzle_rows.as_deref(),
            folder.as_deref(),
            &names,
            adopted.len(),
        );
        let mut sql = format!("BEGIN;\n{};\n", ledger::ensure_adoptable());
        for m in &adopted {
            sql.push_str(&ledger::insert_adopted_row(m, &adopted_from));
            sql.push_str(";\n");
        }
        sql.push_str("COMMIT;");
        if let Err(e) = client.batch_execute(&sql).await {
            // Leave the connection usable for the unlock that follows.
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(db_error("recording the adopted migrations", e).into());
        }
        Ok(AdoptReport {
            through: adopted.last().map(|m| m.name.clone()).unwrap_or_default(),
            recorded: adopted.iter().map(|m| m.name.clone()).collect(),
            adopted_from,
            drizzle_ledger: drizzle_rows.is_some(),
            warnings,
        })
    }

    /// The number of the newest migration (or exactly `through`) whose snapshot the live
    /// catalog matches without a single drift; otherwise the drifts against the closest one.
    /// Each snapshot is compared with the PostgreSQL schema it declares (`schema!`), each
    /// schema read once.
    async fn matching_migration(
        &self,
        client: &Client,
        through: Option<i64>,
    ) -> Result<i64, AdoptError> {
        let dir = MigrationsDir::new(self.dir());
        let journal = dir.journal()?;
        let mut entries: Vec<_> = journal
            .entries
            .iter()
            .filter(|e| through.is_none_or(|t| i64::from(e.idx) == t))
            .collect();
        if entries.is_empty() {
            return Err(match through {
                Some(through) => AdoptError::UnknownMigration {
                    through,
                    dir: self.dir().to_path_buf(),
                },
                None => FilesError::Inconsistent {
                    path: dir.journal_path(),
                    problem: "lists no migration; generate the initial migration first".into(),
                }
                .into(),
            });
        }
        let mut closest: Option<(String, Vec<SchemaChange>)> = None;
        let mut live: Vec<crate::model::Schema> = Vec::new();
        entries.reverse(); // newest first: the newest match wins
        for entry in entries {
            let snapshot = dir.snapshot(entry.idx)?;
            let read = match live.iter().position(|c| c.pg_schema == snapshot.pg_schema) {
                Some(i) => i,
                None => {
                    live.push(catalog::read(client, &snapshot.pg_schema).await?);
                    live.len() - 1
                }
            };
            let drifts = catalog::compare(&live[read], &snapshot).drifts;
            if drifts.is_empty() {
                return Ok(i64::from(entry.idx));
            }
            if closest
                .as_ref()
                .is_none_or(|(_, best)| drifts.len() < best.len())
            {
                closest = Some((crate::sql::up_file(&entry.tag), drifts));
            }
        }
        let (migration, drifts) = closest.expect("at least one entry was compared");
        Err(AdoptError::NotIdentical { migration, drifts })
    }
}

/// The last adopted migration and its provenance, when the ledger has adopted rows.
async fn read_adopted(client: &Client) -> Result<Option<(String, String)>, MigrateError> {
    match client.simple_query(ledger::SELECT_LAST_ADOPTED).await {
        Ok(messages) => Ok(messages.iter().find_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some((
                r.get(0).unwrap_or_default().to_string(),
                r.get(1).unwrap_or_default().to_string(),
            )),
            _ => None,
        })),
        // A ledger from before `adopt` existed has no such column: nothing was adopted.
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_COLUMN) => Ok(None),
        Err(e) => Err(db_error("reading the migration ledger", e)),
    }
}

fn db_error(during: &str, source: tokio_postgres::Error) -> MigrateError {
    MigrateError::Database {
        during: during.to_string(),
        source,
    }
}
