//! `revert`: applies downs (`NNNN_name.down.sql`), newest first, under the migration lock,
//! each in a transaction of its own together with the removal of its migration's ledger
//! row (a down marked `-- schema:no-transaction` runs as such a migration does). Everything
//! is checked before the first down runs: each down exists and holds a statement, is the one
//! that was there when its migration was applied (the ledger keeps its checksum), and is
//! confirmed when it is marked destructive or its statements lose data.

use std::fmt;
use std::time::{Duration, Instant};

use futures_util::future;
use tokio_postgres::Client;

use super::apply::{database, rollback, statement_failed};
use super::cancel::CancelOnDrop;
use super::error::{MigrateError, RevertProblem};
use super::ledger::{self, LedgerRow};
use super::live::{Watch, Watcher};
use super::run::session_settings;
use super::{history, lock, Migrator, Progress};
use crate::connection::DatabaseConfig;
use crate::files::source::Migration;
use crate::files::{DESTRUCTIVE_DOWN_MARKER, NOTHING_TO_UNDO_MARKER};

/// What to revert.
#[derive(Clone, Debug, Default)]
pub struct RevertOptions {
    /// Revert every applied migration numbered after this one, which stays applied; `None`
    /// reverts the newest applied migration only.
    pub to: Option<i64>,
    /// Apply downs marked destructive (they lose data, or cannot restore what their up
    /// removed) instead of refusing them.
    pub allow_destructive: bool,
}

/// One down applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Reverted {
    /// The reverted migration's number (`NNNN`).
    pub version: i64,
    /// The down's file name.
    pub name: String,
    /// How long the down and the removal of its ledger row took, commit included.
    pub duration: Duration,
}

/// What a revert did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RevertReport {
    /// Downs applied, newest first.
    pub reverted: Vec<Reverted>,
    /// The file name of the newest migration still applied; `None` when none is.
    pub newest_applied: Option<String>,
}

impl fmt::Display for RevertReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reverted.is_empty() {
            write!(f, "nothing to revert")?;
        }
        for (i, r) in self.reverted.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "reverted {} in {:.1} ms",
                r.name,
                r.duration.as_secs_f64() * 1000.0
            )?;
        }
        match &self.newest_applied {
            Some(name) => write!(f, "\nnewest applied migration now: {name}"),
            None => write!(f, "\nno migration is applied now"),
        }
    }
}

impl Migrator {
    /// Reverts the newest applied migration, or all those after `options.to`, on `db`
    /// (which must exist). Refuses, before applying anything, when a down is missing, empty,
    /// edited since its migration was applied, or destructive without confirmation.
    pub async fn revert(
        &self,
        db: &DatabaseConfig,
        options: &RevertOptions,
    ) -> Result<RevertReport, MigrateError> {
        let client = db.connect().await?;
        // Cancelled on the server if this future is dropped before it completes.
        let guard = CancelOnDrop::new(self, &client, Some(db.connector().clone()));
        let result = self
            .revert_locked(&client, options, Watcher::Config(db), &guard)
            .await;
        guard.disarm();
        let unlocked = lock::unlock(&client).await;
        let report = result?;
        unlocked?;
        Ok(report)
    }

    async fn revert_locked(
        &self,
        client: &Client,
        options: &RevertOptions,
        watcher: Watcher<'_>,
        guard: &CancelOnDrop<'_>,
    ) -> Result<RevertReport, MigrateError> {
        let ledger = lock::lock_and_read(client, self.options.migration_lock_wait, |holders| {
            self.report(Progress::WaitingForLock);
            self.report(Progress::LockHeldBy(holders));
        })
        .await?;
        history::pending(&self.migrations, &ledger).map_err(MigrateError::History)?;
        let mut rows: Vec<&LedgerRow> = ledger.iter().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.version));
        let targets: Vec<&LedgerRow> = match options.to {
            None => rows.iter().take(1).copied().collect(),
            Some(to) if !rows.iter().any(|r| r.version == to) => {
                let applied: Vec<&str> = rows.iter().rev().map(|r| r.name.as_str()).collect();
                return Err(MigrateError::Revert(vec![RevertProblem::UnknownTarget {
                    to,
                    applied: if applied.is_empty() {
                        "none".into()
                    } else {
                        applied.join(", ")
                    },
                }]));
            }
            Some(to) => rows.iter().filter(|r| r.version > to).copied().collect(),
        };
        let mut downs = Vec::new();
        let mut problems = Vec::new();
        for row in &targets {
            match self.check_down(row, options) {
                Ok(down) => downs.push((*row, down)),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(MigrateError::Revert(problems));
        }
        // The same lock_timeout, retries and watch as `migrate`: a down waiting behind the
        // application's transaction makes the application's queries wait behind it.
        let pid = session_settings(client, &self.options.session_settings()).await?;
        let watch = Watch::new(watcher, pid);
        let mut report = RevertReport::default();
        for (row, down) in downs {
            guard.starting(down);
            let duration = self
                .retrying(watch.as_ref(), down, || {
                    revert_one(client, row.version, down)
                })
                .await?;
            guard.completed();
            report.reverted.push(Reverted {
                version: row.version,
                name: down.name.clone(),
                duration,
            });
        }
        report.newest_applied = rows
            .iter()
            .find(|r| !targets.iter().any(|t| t.version == r.version))
            .map(|r| r.name.clone());
        Ok(report)
    }

    fn check_down(
        &self,
        row: &LedgerRow,
        options: &RevertOptions,
    ) -> Result<&Migration, RevertProblem> {
        let tag = (row.name.strip_suffix(crate::sql::SQL_EXTENSION)).unwrap_or(&row.name);
        let down_name = crate::sql::down_file(tag);
        let Some(down) = self.downs.iter().find(|d| d.name == down_name) else {
            return Err(RevertProblem::DownMissing {
                migration: row.name.clone(),
                down: down_name,
            });
        };
        let nothing_to_undo = down.sql.lines().any(|l| l.trim() == NOTHING_TO_UNDO_MARKER);
        if down.statements.is_empty() && !nothing_to_undo {
            return Err(RevertProblem::DownEmpty {
                down: down.name.clone(),
            });
        }
        if let Some(applied) = &row.down_checksum {
            if applied != &down.checksum {
                return Err(RevertProblem::DownEdited {
                    down: down.name.clone(),
                    applied: applied.clone(),
                    file: down.checksum.clone(),
                });
            }
        }
        let header: Vec<&str> = down
            .sql
            .lines()
            .map(str::trim)
            .take_while(|l| l.starts_with("--"))
            .collect();
        // The statements say whether data is lost, whatever the header says.
        let marked = header.contains(&DESTRUCTIVE_DOWN_MARKER);
        let losses = crate::files::destructive::data_losses(&down.sql);
        if (marked || !losses.is_empty()) && !options.allow_destructive {
            let mut lines: Vec<String> = header
                .iter()
                .filter(|l| l.starts_with("-- Loses") || l.starts_with("-- Cannot"))
                .map(|l| l.trim_start_matches("-- ").to_string())
                .collect();
            if !marked {
                lines.extend(losses.into_iter().map(|l| format!("loses data: {l}")));
            }
            return Err(RevertProblem::Destructive {
                down: down.name.clone(),
                lines,
            });
        }
        Ok(down)
    }
}

/// One down and the removal of its ledger row, in one transaction; pipelined like a
/// migration (see `apply`). A down marked `-- schema:no-transaction` (`DROP INDEX
/// CONCURRENTLY`) runs as such a migration does: statement by statement, its ledger row
/// removed once the last one succeeded.
pub(crate) async fn revert_one(
    client: &Client,
    version: i64,
    down: &Migration,
) -> Result<Duration, MigrateError> {
    if !down.transactional {
        return revert_without_transaction(client, version, down).await;
    }
    let started = Instant::now();
    let (begun, results) = future::join(
        client.batch_execute("BEGIN"),
        future::join_all(down.statements.iter().map(|s| client.batch_execute(&s.sql))),
    )
    .await;
    if let Err(e) = begun {
        rollback(client).await;
        return Err(database("starting a transaction", down, e));
    }
    let failed = (down.statements.iter().zip(results))
        .find_map(|(statement, result)| result.err().map(|e| statement_failed(down, statement, e)));
    if let Some(failure) = failed {
        rollback(client).await;
        return Err(failure);
    }
    let elapsed = started.elapsed();
    let remove = format!("{};\nCOMMIT", ledger::delete_row(version));
    if let Err(e) = client.batch_execute(&remove).await {
        rollback(client).await;
        return Err(database("removing its row from the ledger", down, e));
    }
    Ok(elapsed)
}

async fn revert_without_transaction(
    client: &Client,
    version: i64,
    down: &Migration,
) -> Result<Duration, MigrateError> {
    let started = Instant::now();
    for statement in &down.statements {
        if let Err(e) = client.batch_execute(&statement.sql).await {
            return Err(statement_failed(down, statement, e));
        }
    }
    let elapsed = started.elapsed();
    let remove = ledger::delete_row(version);
    client
        .batch_execute(&remove)
        .await
        .map_err(|e| database("removing its row from the ledger", down, e))?;
    Ok(elapsed)
}
