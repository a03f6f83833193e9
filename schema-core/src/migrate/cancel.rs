//! A run interrupted from outside (Ctrl-C, a timeout around its future, an aborted task) must
//! not leave its statement running on the server: a backend notices that its client went
//! away only when it next talks to it, so an orphaned `CREATE INDEX CONCURRENTLY` or a
//! blocked `ALTER TABLE` would go on holding the migration lock and its table locks. The
//! guard here, dropped while the run is still under way, sends the server a cancel request
//! (the transaction in progress rolls back; the backend then finds its connection closed and
//! ends, which releases the lock) and reports what was and was not applied.

use std::sync::Mutex;
use std::time::Duration;

use tokio_postgres::{CancelToken, Client};

use super::{Migrator, Progress};
use crate::connection::Connector;
use crate::files::source::Migration;

/// How long the cancel request may take to reach the server.
const CANCEL_WAIT: Duration = Duration::from_secs(5);

/// What an interrupted run had done, as [`Progress::Interrupted`] reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Interrupted {
    /// The migrations (or, for `revert`, the downs) that completed before the interruption.
    pub completed: Vec<String>,
    /// The one under way when the run was interrupted; `None` when none was (the run was
    /// waiting for the migration lock, or between two migrations).
    pub stopped_in: Option<StoppedIn>,
}

/// Where an interrupted run stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct StoppedIn {
    /// The migration's (or the down's) file name.
    pub file: String,
    /// Whether it ran in a transaction (then rolled back: nothing of it is applied).
    pub transactional: bool,
    /// For a migration without a transaction, the 1-based statement that was running: the
    /// ones before it stay applied.
    pub statement: usize,
}

/// Armed while a run is under way on `client`; disarmed when the run returns.
pub(crate) struct CancelOnDrop<'a> {
    migrator: &'a Migrator,
    token: CancelToken,
    tls: Option<Connector>,
    state: Mutex<Interrupted>,
    armed: bool,
}

impl<'a> CancelOnDrop<'a> {
    /// `tls`: the connector the connection was made with; `None` for a connection the caller
    /// made, for which a connector that accepts any certificate is used (a cancel request
    /// carries only the backend's pid and secret key).
    pub(crate) fn new(migrator: &'a Migrator, client: &Client, tls: Option<Connector>) -> Self {
        CancelOnDrop {
            migrator,
            token: client.cancel_token(),
            tls,
            state: Mutex::new(Interrupted::default()),
            armed: true,
        }
    }

    /// `migration` starts.
    pub(crate) fn starting(&self, migration: &Migration) {
        self.update(|s| {
            s.stopped_in = Some(StoppedIn {
                file: migration.name.clone(),
                transactional: migration.transactional,
                statement: 1,
            })
        });
    }

    /// Statement `number` of the migration under way starts.
    pub(crate) fn statement(&self, number: usize) {
        self.update(|s| {
            if let Some(at) = &mut s.stopped_in {
                at.statement = number;
            }
        });
    }

    /// The migration under way completed.
    pub(crate) fn completed(&self) {
        self.update(|s| {
            if let Some(at) = s.stopped_in.take() {
                s.completed.push(at.file);
            }
        });
    }

    /// The run returned (with its result): nothing to cancel.
    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }

    fn update(&self, f: impl FnOnce(&mut Interrupted)) {
        if let Ok(mut state) = self.state.lock() {
            f(&mut state);
        }
    }
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        cancel(self.token.clone(), self.tls.clone());
        let state = self
            .state
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone());
        self.migrator.report(Progress::Interrupted(state));
    }
}

/// Sends the cancel request and waits until it has been delivered, on a thread of its own: a
/// destructor cannot await, and the caller's runtime may have a single thread.
fn cancel(token: CancelToken, tls: Option<Connector>) {
    let sent = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        let tls = match tls {
            Some(tls) => tls,
            None => crate::connection::TlsSettings::default().connector().ok()?,
        };
        // The timer is made inside the runtime, which it needs.
        runtime
            .block_on(async { tokio::time::timeout(CANCEL_WAIT, token.cancel_query(tls)).await })
            .ok()?
            .ok()
    });
    // Best effort: if the server cannot be reached, neither can the statement finish
    // anything that the lock would protect; the server ends the backend with its connection.
    let _ = sent.join();
}
