//! Applying one migration on a live database: under `lock_timeout`, tried again with backoff
//! when a lock could not be had, watched from a second connection that sees who blocks it and
//! how far a `CREATE INDEX CONCURRENTLY` has got. Before a migration without a transaction,
//! an INVALID index left by an earlier failed concurrent build of the same name is dropped,
//! so that `IF NOT EXISTS` does not take it for done.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use super::backoff::jittered;
use super::error::MigrateError;
use super::session_set::Saved;
use super::sessions::{self, Session};
use super::{apply, Migrator};
use crate::files::index_builds::concurrent_index_name;
use crate::files::source::Migration;

/// What a run reports while a statement runs long.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    /// The migration's file name.
    pub file: String,
    /// Time since the current attempt at the migration started.
    pub elapsed: Duration,
    /// For a concurrent index build: its phase, blocks and tuples done.
    pub index_build: Option<String>,
    /// Sessions holding a lock it waits for.
    pub blocked_by: Vec<Session>,
}

/// Where the watch connection of a run comes from.
pub(crate) enum Watcher<'a> {
    Config(&'a crate::connection::DatabaseConfig),
    Pool(&'a deadpool_postgres::Pool),
    None,
}

/// A connection that stays alive while it is in use.
enum WatchClient {
    Own(Client),
    Detached(deadpool_postgres::ClientWrapper),
}

impl std::ops::Deref for WatchClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        match self {
            WatchClient::Own(c) => c,
            WatchClient::Detached(c) => c,
        }
    }
}

/// A second connection watching the run's own (`pid`), opened the first time it is needed.
pub(crate) struct Watch<'a> {
    source: Watcher<'a>,
    client: tokio::sync::OnceCell<Option<WatchClient>>,
    pid: i32,
}

impl<'a> Watch<'a> {
    /// `None` when there is nowhere to open a connection from.
    pub(crate) fn new(source: Watcher<'a>, pid: i32) -> Option<Self> {
        match source {
            Watcher::None => None,
            source => Some(Watch {
                source,
                client: tokio::sync::OnceCell::new(),
                pid,
            }),
        }
    }

    /// Best effort: a run whose watch cannot connect goes on without it.
    async fn client(&self) -> Option<&Client> {
        let client = self
            .client
            .get_or_init(|| async {
                match self.source {
                    Watcher::Config(db) => db.connect().await.ok().map(WatchClient::Own),
                    // Taken out of the pool, so it closes afterwards instead of growing the
                    // pool; a pool with no connection to spare (its one is the run's) goes
                    // without a watch.
                    Watcher::Pool(pool) => {
                        tokio::time::timeout(Duration::from_millis(500), pool.get())
                            .await
                            .ok()?
                            .ok()
                            .map(|o| WatchClient::Detached(deadpool_postgres::Object::take(o)))
                    }
                    Watcher::None => None,
                }
            })
            .await;
        client.as_deref()
    }
}

impl Migrator {
    /// Applies `migration`, retrying after lock timeouts as the options say.
    pub(crate) async fn apply_online(
        &self,
        client: &Client,
        watch: Option<&Watch<'_>>,
        migration: &Migration,
        saved: &Saved,
        at: &(dyn Fn(usize) + Sync),
    ) -> Result<Duration, MigrateError> {
        self.retrying(watch, migration, || async {
            if !migration.transactional {
                self.drop_invalid_indexes(client, migration).await?;
            }
            apply::apply_telling(client, migration, saved, at).await
        })
        .await
    }

    /// Runs `attempt` (one try at `migration`, or at a down) under the run's watch; after a
    /// lock timeout, pauses and tries again, up to `lock_retries` times. The pause doubles
    /// from `retry_backoff` up to ten times it, each shortened by a random part, so that the
    /// application's queries run between attempts and retries of several migrators spread out.
    pub(crate) async fn retrying<F, Fut>(
        &self,
        watch: Option<&Watch<'_>>,
        migration: &Migration,
        mut attempt_once: F,
    ) -> Result<Duration, MigrateError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Duration, MigrateError>>,
    {
        let options = &self.options;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (result, blockers) = self.watched(watch, &migration.name, attempt_once()).await;
            let failure = match result {
                Err(MigrateError::Statement(f)) if f.code == SqlState::LOCK_NOT_AVAILABLE => f,
                other => return other,
            };
            if attempt > options.lock_retries {
                return Err(MigrateError::LockTimeout {
                    failure,
                    attempts: attempt,
                    blocked_by: blockers,
                });
            }
            let doubled = options.retry_backoff * 2u32.saturating_pow((attempt - 1).min(16));
            let pause = jittered(doubled.min(options.retry_backoff * 10));
            self.report(super::Progress::LockTimeout {
                file: migration.name.clone(),
                statement: failure.statement,
                attempt,
                retry_in: pause,
                blocked_by: blockers,
            });
            tokio::time::sleep(pause).await;
        }
    }

    /// Runs `work`, meanwhile asking the watch connection several times per `lock_timeout`
    /// (at most every quarter second) who blocks the run, and reporting progress every `progress_every`. Returns the last blockers seen.
    async fn watched<T>(
        &self,
        watch: Option<&Watch<'_>>,
        file: &str,
        work: impl Future<Output = T>,
    ) -> (T, Vec<Session>) {
        let Some(watch) = watch else {
            return (work.await, Vec::new());
        };
        let started = Instant::now();
        let mut last_report = started;
        let mut blockers = Vec::new();
        let mut work = std::pin::pin!(work);
        // Often enough to see a blocker before lock_timeout cancels the wait.
        let every = (self.options.lock_timeout / 4)
            .clamp(Duration::from_millis(20), Duration::from_millis(250));
        // The first tick is one period away. (An interval's immediate first tick still goes
        // through the timer, whose resolution is a millisecond: awaited before every
        // migration, it cost up to that much each.)
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                out = &mut work => return (out, blockers),
                _ = tick.tick() => {}
            }
            // The watch is best effort: a failed look never fails the migration.
            let Some(client) = watch.client().await else {
                return (work.await, blockers);
            };
            let seen = sessions::blocking(client, watch.pid)
                .await
                .unwrap_or_default();
            if !seen.is_empty() {
                blockers = seen.clone();
            }
            if last_report.elapsed() >= self.options.progress_every {
                last_report = Instant::now();
                let index_build = index_progress(client, watch.pid).await;
                self.report(super::Progress::Running(Running {
                    file: file.to_string(),
                    elapsed: started.elapsed(),
                    index_build,
                    blocked_by: seen,
                }));
            }
        }
    }

    /// Drops each index the migration creates concurrently that exists but is INVALID: left by
    /// a build that failed or was cancelled, it would satisfy `IF NOT EXISTS` and be recorded
    /// as applied while the database neither uses it nor enforces its uniqueness.
    async fn drop_invalid_indexes(
        &self,
        client: &Client,
        migration: &Migration,
    ) -> Result<(), MigrateError> {
        let failed = |e: tokio_postgres::Error| MigrateError::Database {
            during: format!("looking for invalid indexes left by `{}`", migration.name),
            source: e,
        };
        // The schema the migration's own `SET search_path` names (that of `schema!`), else
        // the session's: the run never carries one migration's search path into the next.
        let schema = super::session_set::search_path_schema(migration);
        for name in migration
            .statements
            .iter()
            .filter_map(|s| concurrent_index_name(&s.sql))
        {
            let invalid = client
                .query_opt(
                    "SELECT n.nspname::text FROM pg_index i
                     JOIN pg_class c ON c.oid = i.indexrelid
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relname = $1 AND n.nspname = coalesce($2, current_schema())
                       AND NOT i.indisvalid",
                    &[&name, &schema],
                )
                .await
                .map_err(failed)?;
            let Some(row) = invalid else {
                continue;
            };
            let drop = format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                crate::sql::qualified_in(row.get(0), &name)
            );
            // Like the build, the drop waits for older transactions without making the
            // application wait.
            apply::without_lock_timeout(client, &drop)
                .await
                .map_err(failed)?;
            self.report(super::Progress::DroppedInvalidIndex {
                file: migration.name.clone(),
                index: name,
            });
        }
        Ok(())
    }
}

async fn index_progress(client: &Client, pid: i32) -> Option<String> {
    let row = client
        .query_opt(
            "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total
             FROM pg_stat_progress_create_index WHERE pid = $1",
            &[&pid],
        )
        .await
        .ok()??;
    let phase: String = row.try_get(0).ok()?;
    let (bd, bt): (i64, i64) = (row.try_get(1).ok()?, row.try_get(2).ok()?);
    let (td, tt): (i64, i64) = (row.try_get(3).ok()?, row.try_get(4).ok()?);
    Some(format!("{phase}: blocks {bd}/{bt}, tuples {td}/{tt}"))
}
