//! The run itself: lock, verify, apply, on one connection, and the read-only views
//! (`status`, `dry_run`) that take no lock and create nothing.

use std::time::Duration;

use tokio_postgres::Client;

use super::cancel::CancelOnDrop;
use super::error::MigrateError;
use super::history::{self, StatusEntry};
use super::live::{Watch, Watcher};
use super::session_set::Saved;
use super::{ledger, lock, Migrator};
use crate::connection::Connector;
use crate::connection::{pool, ConnectError, DatabaseConfig};
use crate::files::names::SkippedFile;
use crate::files::source::Migration;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The database did not exist and was created.
    pub created_database: bool,
    /// Another migrator held the lock when this one started.
    pub waited_for_lock: bool,
    /// Migrations applied by this run, in order.
    pub applied: Vec<Applied>,
    /// Migrations that were applied before this run.
    pub already_applied: usize,
    /// Files of the folder that were not read although they look like migrations.
    pub skipped: Vec<SkippedFile>,
    /// The database the run migrated.
    pub database: String,
    /// The server it is on: `host:port` as the configuration names it, or as the server
    /// reports its address for a run on a pool or a caller's connection.
    pub server: String,
}

/// One migration applied by a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The migration's number.
    pub version: i64,
    /// Its file name.
    pub name: String,
    /// Time spent on its statements (also stored in the ledger).
    pub duration: Duration,
    /// Whether it ran in a transaction (false when its first line is
    /// `-- schema:no-transaction`).
    pub transactional: bool,
}

/// What happens during a run, as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The database did not exist and the run created it.
    CreatedDatabase {
        /// The database's name.
        database: String,
    },
    /// Another migrator holds the migration lock; the run waits for it.
    WaitingForLock,
    /// Who holds the migration lock this run waits for.
    LockHeldBy(Vec<super::Session>),
    /// A statement of `file` could not get its lock within `lock_timeout`; the migration is
    /// tried again after `retry_in` (a transactional one left nothing behind).
    LockTimeout {
        /// The migration's file name.
        file: String,
        /// 1-based number of the statement that timed out.
        statement: usize,
        /// 1-based number of the attempt that timed out.
        attempt: u32,
        /// How long the run pauses before the next attempt; doubles each time (up to ten
        /// times the first), less a random part.
        retry_in: Duration,
        /// The sessions that held the locks it waited for, as last seen.
        blocked_by: Vec<super::Session>,
    },
    /// A statement has been running for a while.
    Running(super::Running),
    /// An INVALID index left by an earlier failed concurrent build was dropped before `file`
    /// builds it again.
    DroppedInvalidIndex {
        /// The migration that builds the index.
        file: String,
        /// The dropped index's name.
        index: String,
    },
    /// A migration was applied and recorded in the ledger.
    Applied(Applied),
    /// The run was interrupted (Ctrl-C, its future dropped or timed out): the running
    /// statement was cancelled on the server, which rolls back a transactional migration and
    /// releases the migration lock. Says what had completed and where it stopped.
    Interrupted(super::Interrupted),
}

/// Where each migration stands on a database.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// False when the database does not exist yet (everything is then pending).
    pub database_exists: bool,
    /// One entry per migration of the folder or the ledger, by version.
    pub entries: Vec<StatusEntry>,
}

/// What a run would apply.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRun {
    /// False when the database does not exist yet (everything is then pending).
    pub database_exists: bool,
    /// How many migrations the ledger records as applied.
    pub already_applied: usize,
    /// The migrations a run would apply, in order.
    pub pending: Vec<Migration>,
}

impl Migrator {
    /// Brings the database up to date. A missing database is created first when `db` allows
    /// it ([`DatabaseConfig::create_database`]), else refused
    /// ([`MigrateError::DatabaseMissing`]). The run has a connection of its own, closed at the
    /// end.
    pub async fn run(&self, db: &DatabaseConfig) -> Result<Report, MigrateError> {
        let (client, created) = if db.creates_missing_database() {
            db.connect_or_create().await?
        } else {
            (db.connect().await?, false)
        };
        if created {
            self.report(Progress::CreatedDatabase {
                database: db.database(),
            });
        }
        let watch = Watcher::Config(db);
        let result = self
            .run_locked(&client, watch, Some(db.connector().clone()))
            .await;
        // Closing the connection would release the lock too, but the server does so only when
        // its backend has exited, after this process may have: a migrator started right after
        // (a retry after a lock timeout, say) would find the lock still held and report
        // waiting for a run that is over. So it is released here after a failure too; if the
        // connection is gone with the failure, the close releases it, and the failure is what
        // is reported.
        let unlocked = lock::unlock(&client).await;
        let mut report = result?;
        unlocked?;
        report.created_database = created;
        report.database = db.database();
        report.server = db.target();
        Ok(report)
    }

    /// Brings the database up to date on one connection of `pool`. After a failure the
    /// connection is closed rather than returned, so neither the lock nor an aborted
    /// transaction can leak into the application's pool. The wait for a connection is
    /// bounded: the pool's own timeouts plus [`DEFAULT_CONNECT_TIMEOUT`](crate::connection::DEFAULT_CONNECT_TIMEOUT),
    /// then [`ConnectError::PoolTimeout`].
    pub async fn run_with_pool(
        &self,
        pool: &deadpool_postgres::Pool,
    ) -> Result<Report, MigrateError> {
        let object = pool::get(pool).await?;
        let mut guard = DetachOnDrop(Some(object));
        let client: &Client = guard.0.as_ref().map(|o| &***o).expect("set above");
        let mut report = self.run_locked(client, Watcher::Pool(pool), None).await?;
        lock::unlock(client).await?;
        (report.database, report.server) = where_connected(client).await?;
        // Healthy and unlocked: back to the pool.
        drop(guard.0.take());
        Ok(report)
    }

    /// Brings the database up to date on a connection the caller owns; the lock is released
    /// before returning, on success and (when the connection still works) on failure.
    ///
    /// If the returned future is dropped before it completes, the running statement is
    /// cancelled on the server, but the connection, which stays the caller's, may still hold
    /// the migration lock and an aborted transaction: close it (or `ROLLBACK` and
    /// `SELECT pg_advisory_unlock_all()`) before using it again.
    pub async fn run_on_client(&self, client: &Client) -> Result<Report, MigrateError> {
        let result = self.run_locked(client, Watcher::None, None).await;
        let unlocked = lock::unlock(client).await;
        let mut report = result?;
        unlocked?;
        (report.database, report.server) = where_connected(client).await?;
        Ok(report)
    }

    /// The run, cancelled on the server if its future is dropped before it completes (see
    /// `cancel`); `tls` is the connector `client` was made with, when known.
    async fn run_locked(
        &self,
        client: &Client,
        watcher: Watcher<'_>,
        tls: Option<Connector>,
    ) -> Result<Report, MigrateError> {
        let guard = CancelOnDrop::new(self, client, tls);
        let result = self.run_guarded(client, watcher, &guard).await;
        guard.disarm();
        result
    }

    async fn run_guarded(
        &self,
        client: &Client,
        watcher: Watcher<'_>,
        guard: &CancelOnDrop<'_>,
    ) -> Result<Report, MigrateError> {
        let mut waited = false;
        let ledger = lock::lock_and_read(client, self.options.migration_lock_wait, |holders| {
            waited = true;
            self.report(Progress::WaitingForLock);
            self.report(Progress::LockHeldBy(holders));
        })
        .await?;
        refuse_foreign_history(client, &ledger).await?;
        let pending = history::pending(&self.migrations, &ledger).map_err(MigrateError::History)?;
        let mut report = Report {
            waited_for_lock: waited,
            already_applied: ledger.len(),
            skipped: self.skipped.clone(),
            ..Report::default()
        };
        if pending.is_empty() {
            return Ok(report);
        }
        // Only now that something will be applied: a refused or idle run writes nothing.
        client
            .batch_execute(ledger::ENSURE_LEDGER)
            .await
            .map_err(|e| MigrateError::Database {
                during: "creating the migration ledger".into(),
                source: e,
            })?;
        // The timeouts and the run's pid in one round trip. The watch connects only once a
        // statement has run for a while, so a quick run pays nothing for it; without a
        // source (a caller's client) timeouts and retries still apply, but blockers cannot be
        // named.
        let pid = session_settings(client, &self.options.session_settings()).await?;
        let watch = Watch::new(watcher, pid);
        // What the migrations set for the session, read once: each sets back what it changed,
        // so the values are the same before every one of them.
        let saved = Saved::before(client, pending.iter().copied()).await?;
        for migration in pending {
            guard.starting(migration);
            let at = |statement| guard.statement(statement);
            let duration = self
                .apply_online(client, watch.as_ref(), migration, &saved, &at)
                .await?;
            guard.completed();
            let applied = Applied {
                version: migration.version,
                name: migration.name.clone(),
                duration,
                transactional: migration.transactional,
            };
            self.report(Progress::Applied(applied.clone()));
            report.applied.push(applied);
        }
        Ok(report)
    }

    /// Each migration as applied, pending, or refused (modified, missing, renamed,
    /// out of order). Takes no lock and creates nothing. Fails as [`Migrator::run`] would
    /// on a database drizzle-kit built ([`MigrateError::BuiltByDrizzle`]).
    pub async fn status(&self, db: &DatabaseConfig) -> Result<Status, MigrateError> {
        let (database_exists, ledger) = read_ledger(db).await?;
        Ok(Status {
            database_exists,
            entries: history::status(&self.migrations, &ledger),
        })
    }

    /// What [`Migrator::run`] would apply now, after the same verification and refusals.
    /// Takes no lock and creates nothing.
    pub async fn dry_run(&self, db: &DatabaseConfig) -> Result<DryRun, MigrateError> {
        let (database_exists, ledger) = read_ledger(db).await?;
        let pending = history::pending(&self.migrations, &ledger).map_err(MigrateError::History)?;
        Ok(DryRun {
            database_exists,
            already_applied: ledger.len(),
            pending: pending.into_iter().cloned().collect(),
        })
    }
}

/// Sets the run's timeouts and returns its backend pid.
pub(crate) async fn session_settings(client: &Client, settings: &str) -> Result<i32, MigrateError> {
    let failed = |source| MigrateError::Database {
        during: "setting lock_timeout and statement_timeout".into(),
        source,
    };
    let messages = client
        .simple_query(&format!("{settings}; SELECT pg_backend_pid()"))
        .await
        .map_err(failed)?;
    messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0)?.parse().ok(),
            _ => None,
        })
        .ok_or_else(|| MigrateError::UnexpectedAnswer {
            during: "setting lock_timeout and statement_timeout".into(),
            what: "pg_backend_pid() returned no row".into(),
        })
}

/// The refusal that comes before the ledger is compared with the folder: a database whose
/// history another tool keeps (drizzle-kit's ledger has rows, ours none) is taken over with
/// `adopt`, never migrated from scratch. `migrate`, `status` and `dry-run` share it, so they
/// agree on what a run would do.
async fn refuse_foreign_history(
    client: &Client,
    ledger: &[ledger::LedgerRow],
) -> Result<(), MigrateError> {
    if !ledger.is_empty() {
        return Ok(());
    }
    match super::foreign::read_ledger(client).await? {
        Some(rows) if !rows.is_empty() => Err(MigrateError::BuiltByDrizzle {
            entries: rows.len(),
        }),
        _ => Ok(()),
    }
}

/// The ledger as `status` and `dry-run` see it, after the refusals a run would make.
async fn read_ledger(db: &DatabaseConfig) -> Result<(bool, Vec<ledger::LedgerRow>), MigrateError> {
    match db.connect().await {
        Ok(client) => {
            let ledger = ledger::read_if_present(&client).await?;
            refuse_foreign_history(&client, &ledger).await?;
            Ok((true, ledger))
        }
        // As a run would: it creates the database only when allowed to.
        Err(ConnectError::DatabaseMissing { .. }) if db.creates_missing_database() => {
            Ok((false, Vec::new()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Holds a pooled connection; dropped while still held (an error, or a cancelled run), it
/// takes the connection out of the pool so it closes.
struct DetachOnDrop(Option<deadpool_postgres::Object>);

impl Drop for DetachOnDrop {
    fn drop(&mut self) {
        if let Some(object) = self.0.take() {
            drop(deadpool_postgres::Object::take(object));
        }
    }
}

/// The database and server a run's connection leads to, for its report.
async fn where_connected(client: &Client) -> Result<(String, String), MigrateError> {
    pool::where_connected(client)
        .await
        .map_err(|source| MigrateError::Database {
            during: "reading which database the connection is to".into(),
            source,
        })
}
