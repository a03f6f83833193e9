//! The thread that refills spares after a test has taken one, so that the copy it costs is
//! paid neither by the test that claimed nor by the next one.
//!
//! It is one thread per process with a runtime of its own: a test's runtime ends with the
//! test, which would cut a refill short, whereas this thread lives as long as the test
//! binary. When the process exits in the middle of a copy, the copy is left under its
//! `schema_making_` name, never claimed, and dropped by the next refill of that template.

use std::collections::HashSet;
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::watch;
use tokio_postgres::{Config, NoTls};

use super::spares;

struct Job {
    admin: Config,
    template: String,
    size: usize,
}

struct Refiller {
    jobs: Mutex<Sender<Job>>,
    /// Templates with a refill queued and not started: a second request for one of them
    /// would find the same spares missing, so it is not queued again.
    queued: Mutex<HashSet<String>>,
    /// Refills requested and not finished.
    pending: watch::Sender<usize>,
}

/// How long a refill waits for a lock before giving up until the next claim.
const LOCK_WAIT: Duration = Duration::from_secs(60);

static REFILLER: OnceLock<Option<Refiller>> = OnceLock::new();

fn refiller() -> Option<&'static Refiller> {
    REFILLER
        .get_or_init(|| {
            let (jobs, received) = mpsc::channel::<Job>();
            std::thread::Builder::new()
                .name("schema-test-spares".into())
                .spawn(move || work(received))
                .ok()?;
            Some(Refiller {
                jobs: Mutex::new(jobs),
                queued: Mutex::new(HashSet::new()),
                pending: watch::Sender::new(0),
            })
        })
        .as_ref()
}

/// Asks for `template`'s spares to be topped up to `size`, in the background.
pub(super) fn request(admin: &Config, template: &str, size: usize) {
    let Some(refiller) = refiller() else {
        return;
    };
    if !lock(&refiller.queued).insert(template.to_string()) {
        return;
    }
    refiller.pending.send_modify(|n| *n += 1);
    let job = Job {
        admin: admin.clone(),
        template: template.to_string(),
        size,
    };
    if lock(&refiller.jobs).send(job).is_err() {
        lock(&refiller.queued).remove(template);
        refiller.pending.send_modify(|n| *n -= 1);
    }
}

/// Waits until this process has no refill queued or under way, at most `timeout`; `false`
/// when it is still busy then.
pub async fn refills_settled(timeout: Duration) -> bool {
    let Some(refiller) = REFILLER.get().and_then(Option::as_ref) else {
        return true;
    };
    let mut pending = refiller.pending.subscribe();
    tokio::time::timeout(timeout, pending.wait_for(|n| *n == 0))
        .await
        .is_ok_and(|r| r.is_ok())
}

fn work(jobs: mpsc::Receiver<Job>) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    for job in jobs {
        let Some(refiller) = REFILLER.get().and_then(Option::as_ref) else {
            continue;
        };
        lock(&refiller.queued).remove(&job.template);
        // Best effort: a failed refill leaves fewer spares, and a claim then copies.
        runtime.block_on(async {
            if let Ok((client, connection)) = job.admin.connect(NoTls).await {
                tokio::spawn(connection);
                // A copy waits for a drop of its template, which is quick; never for ever.
                let bounded = client
                    .batch_execute(&format!("SET lock_timeout = '{}ms'", LOCK_WAIT.as_millis()))
                    .await;
                if bounded.is_ok() {
                    let _ = spares::refill(&client, &job.template, job.size).await;
                }
            }
        });
        refiller.pending.send_modify(|n| *n -= 1);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
