//! How patient a run is: the timeouts and retries that keep a migration from stopping a live
//! application (an `ALTER TABLE` waiting behind an open transaction makes every later query on
//! that table queue behind it), and how often a long statement reports progress.

use std::time::Duration;

/// Timeouts, retries and progress of a run. `Default` is what `migrate` uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// `SET lock_timeout` for the migrations' statements: how long one statement may wait for
    /// a lock (while it waits, the application's queries on that table queue behind it).
    pub lock_timeout: Duration,
    /// How many times a migration that hit the lock timeout is tried again (from the start:
    /// a transactional one left nothing behind).
    pub lock_retries: u32,
    /// The pause before the first retry; doubled before each further one.
    pub retry_backoff: Duration,
    /// `SET statement_timeout` for the migrations' statements; `None`: no limit.
    pub statement_timeout: Option<Duration>,
    /// How long to wait for another migrator's lock before giving up.
    pub migration_lock_wait: Duration,
    /// How often a running statement reports progress (and, for `CREATE INDEX CONCURRENTLY`,
    /// its phase and blocks done).
    pub progress_every: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lock_timeout: Duration::from_secs(5),
            lock_retries: 3,
            retry_backoff: Duration::from_secs(1),
            statement_timeout: None,
            migration_lock_wait: Duration::from_secs(300),
            progress_every: Duration::from_secs(5),
        }
    }
}

impl RunOptions {
    /// The session settings for the migrations' statements.
    pub(crate) fn session_settings(&self) -> String {
        format!(
            "SET lock_timeout = {}; SET statement_timeout = {}",
            millis(self.lock_timeout),
            self.statement_timeout.map(millis).unwrap_or(0)
        )
    }
}

/// Whole milliseconds, at least 1 (0 would mean "no limit" to PostgreSQL).
pub(crate) fn millis(d: Duration) -> u128 {
    d.as_millis().max(1)
}
