//! How patient a run is: the timeouts and retries that keep a migration from stopping a live
//! application (an `ALTER TABLE` waiting behind an open transaction makes every later query on
//! that table queue behind it), and how often a long statement reports progress.

use std::time::Duration;

/// Timeouts, retries and progress of a run. `Default` is what `migrate` uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// `SET lock_timeout` for the migrations' statements (and `revert`'s downs): how long one
    /// statement may wait for a lock (while it waits, the application's queries on that table
    /// queue behind it). A `CREATE INDEX CONCURRENTLY` runs without it: it waits for older
    /// transactions, but the application does not wait behind it.
    pub lock_timeout: Duration,
    /// How many times a migration that hit the lock timeout is tried again (from the start:
    /// a transactional one left nothing behind).
    pub lock_retries: u32,
    /// The pause before the first retry; doubled before each further one, up to ten times
    /// this. Each pause is shortened by a random part of up to half of it.
    pub retry_backoff: Duration,
    /// `SET statement_timeout` for the migrations' statements; `None`: no limit.
    pub statement_timeout: Option<Duration>,
    /// How long to wait for another migrator's lock before giving up (`migrate`, `revert` and
    /// `adopt` alike). The wait holds no snapshot: it polls `pg_try_advisory_lock`.
    pub migration_lock_wait: Duration,
    /// How often a running statement reports progress (and, for `CREATE INDEX CONCURRENTLY`,
    /// its phase and blocks done).
    pub progress_every: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            // While a statement waits for its lock, every later query on the table waits
            // behind it: half a second is the most the application should wait for a
            // migration step (pgroll's default too). Many short waits with pauses between,
            // in which the application's queries run, replace one long wait.
            lock_timeout: Duration::from_millis(500),
            lock_retries: 10,
            retry_backoff: Duration::from_millis(500),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// While a statement waits for its lock, the application's queries on that table wait
    /// behind it: by default no wait of one attempt may exceed about a second, and a blocked
    /// migration keeps trying for half a minute or more, in short attempts.
    #[test]
    fn the_defaults_keep_the_applications_waits_short() {
        let options = RunOptions::default();
        assert!(options.lock_timeout <= Duration::from_secs(1));
        let pauses: Duration = (0..options.lock_retries)
            .map(|n| (options.retry_backoff * 2u32.pow(n)).min(options.retry_backoff * 10))
            .sum();
        // Jitter takes up to half of each pause.
        assert!(pauses / 2 >= Duration::from_secs(15), "{pauses:?}");
    }
}
