//! Exactly-once handling of Stripe webhook deliveries, backed by the `stripe_events` table.
//!
//! Stripe delivers each event at least once, sometimes many times at once. [`handle_delivery`]
//! makes the processing of one event id happen exactly once:
//!
//! 1. Claim: `INSERT ... ON CONFLICT DO NOTHING` records the event (committed at once, so a
//!    crash later leaves an unprocessed row that a redelivery retries).
//! 2. Lock and mark: in a transaction, `SELECT ... FOR UPDATE SKIP LOCKED` takes the event's
//!    row and, in the same statement, marks it processed (`processed_at = now()`, `error =
//!    NULL`), visible to others only once committed. A row another delivery holds is skipped:
//!    that delivery is processing it now, and this one reports [`Outcome::InProgress`] at once
//!    instead of holding a connection while it waits. A row that is already processed without
//!    error is acknowledged and left alone. Marking before processing means that whatever
//!    commits the processing's writes commits the mark with them, even a `COMMIT` the closure
//!    runs itself: the event can never be committed as processed twice.
//! 3. Process: the caller's closure writes through the same transaction, inside a savepoint,
//!    by way of an [`EventTransaction`] that remembers which statement the server rejected.
//! 4. Complete: a savepoint proves the transaction is still the handler's and not aborted,
//!    then `COMMIT` commits the closure's writes with the mark. On failure the closure's writes
//!    are rolled back to the savepoint and the error is stored with `processed_at` set back to
//!    NULL, so the next delivery retries. When the closure swallowed the error of a statement
//!    and went on, every later statement fails with "current transaction is aborted" (SQLSTATE
//!    25P02), which says nothing of what went wrong: the error stored is then that of the
//!    failed statement, the root cause. When the closure ended the transaction itself
//!    (`COMMIT`, `ROLLBACK`), the savepoint fails with 25P01 and the delivery fails with
//!    [`WebhookError::TransactionEnded`], which says whether the processing was kept.
//!
//! A delivery that processes costs five round trips besides the processing's own: the claim,
//! `BEGIN`, the lock pipelined with the savepoint, the completing savepoint and `COMMIT`. The
//! completion is a statement of its own, not folded into `COMMIT`, because `COMMIT` of a
//! transaction that a swallowed error aborted answers with a silent rollback, and outside a
//! transaction with a mere warning; the savepoint fails loudly in both cases.
//!
//! The wait for a connection of the pool is bounded ([`CONNECTION_WAIT`] beyond the pool's own
//! timeouts): a delivery whose processing delivers another event through the same full pool
//! fails with [`WebhookError::PoolTimeout`] instead of waiting for itself forever.

use deadpool_postgres::{Pool, PoolError, Transaction};
use futures_util::future;
use schema_core::error_chain;
use std::error::Error as StdError;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio_postgres::error::{DbError, SqlState};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement, ToStatement};

/// Step 1: records the event; a conflict means an earlier delivery recorded it.
pub const CLAIM_SQL: &str = "INSERT INTO stripe_events (id, type, processed_at, error) \
     VALUES ($1, $2, NULL, NULL) ON CONFLICT DO NOTHING RETURNING id";

/// Step 2: locks the event's row unless another delivery holds it (then no row comes back),
/// and marks it processed unless it already was, for the transaction to commit.
pub const LOCK_SQL: &str = "WITH target AS (\
         SELECT id, processed_at IS NOT NULL AND error IS NULL AS done FROM stripe_events \
         WHERE id = $1 FOR UPDATE SKIP LOCKED), \
     marked AS (\
         UPDATE stripe_events SET processed_at = now(), error = NULL \
         WHERE id = (SELECT id FROM target WHERE NOT done) RETURNING id) \
     SELECT done FROM target";

/// Step 4, success: fails when the processing left the transaction aborted (25P02) or ended
/// it (25P01); else the `COMMIT` that follows commits the processing with the mark.
pub const COMPLETE_SQL: &str = "SAVEPOINT stripe_event_processed";

/// How long a delivery waits for a connection of the pool, beyond the pool's own timeouts.
pub const CONNECTION_WAIT: Duration = Duration::from_secs(5);

/// Step 4, failure: `processed_at` stays NULL so that a redelivery retries.
pub const FAIL_SQL: &str = "UPDATE stripe_events SET processed_at = NULL, error = $2 WHERE id = $1";

/// The processing runs after this; rolling back to it undoes the processing, never the row
/// lock taken before it.
const SAVEPOINT_SQL: &str = "SAVEPOINT stripe_event_processing";
const ROLLBACK_SQL: &str = "ROLLBACK TO SAVEPOINT stripe_event_processing";

/// What one delivery of an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This delivery ran the processing and it succeeded; its writes are committed.
    Processed,
    /// An earlier delivery processed the event without error; nothing was done.
    AlreadyProcessed,
    /// Another delivery holds the event right now; nothing was done. Answer Stripe with a
    /// non-2xx status so that it delivers again later (the other delivery may yet fail).
    InProgress,
    /// This delivery ran the processing and it failed: its writes were rolled back, the error
    /// is stored in `stripe_events.error` and a redelivery will retry.
    Failed { error: String },
}

/// The database could not be used; the event's state is unchanged or still unprocessed, so a
/// redelivery retries it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    #[error("cannot get a database connection for Stripe event `{event_id}`")]
    Pool {
        event_id: String,
        #[source]
        source: PoolError,
    },
    /// No connection of the pool came free in time: every one stayed in use (by other
    /// deliveries, or by this one, when its processing takes a connection of the same pool).
    #[error(
        "no database connection came free for Stripe event `{event_id}` within {}s: all \
         {pool_size} connection(s) of the pool stayed in use (a processing that takes a \
         connection of its own, or delivers another event, needs a pool with one to spare)",
        .waited.as_secs_f64()
    )]
    PoolTimeout {
        event_id: String,
        waited: Duration,
        pool_size: usize,
    },
    #[error("{step} Stripe event `{event_id}` failed")]
    Database {
        event_id: String,
        step: Step,
        #[source]
        source: tokio_postgres::Error,
    },
    /// The processing ran `COMMIT` or `ROLLBACK` itself. The mark taken before it went with
    /// it: `kept` says whether the event is now recorded as processed (a `COMMIT`), in which
    /// case a redelivery acknowledges it; else nothing of it was kept and a redelivery
    /// processes it again. Either way it was never processed twice.
    #[error(
        "the processing of Stripe event `{event_id}` ended the handler's transaction itself \
         (COMMIT or ROLLBACK); {}; write through the transaction given and let the handler end it",
        if *.kept { "what it committed is recorded as the event's processing" }
        else { "nothing of it was kept, and a redelivery processes it again" }
    )]
    TransactionEnded { event_id: String, kept: bool },
}

/// Which statement of the handling failed, for [`WebhookError::Database`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Claim,
    Lock,
    Savepoint,
    Complete,
    RecordFailure,
    Commit,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Claim => "claiming",
            Step::Lock => "locking",
            Step::Savepoint => "starting to process",
            Step::Complete => "completing the processing of",
            Step::RecordFailure => "recording the failed processing of",
            Step::Commit => "committing",
        })
    }
}

/// The transaction the processing writes through: the statement methods of a
/// [`Transaction`], each watched for the server's rejection.
///
/// A statement the server rejects aborts the transaction; when the processing swallows that
/// error and goes on, every later statement, the completion of the event included, fails with
/// "current transaction is aborted" (SQLSTATE 25P02). The error stored for the event is then
/// the one that aborted the transaction, remembered here, rather than that message.
pub struct EventTransaction<'a> {
    tx: Transaction<'a>,
    /// The server's error of the statement that left the transaction aborted: the latest one
    /// other than 25P02 (a savepoint rolled back to by the processing makes the transaction
    /// usable again, so an earlier failure may have been recovered from).
    aborted_by: Mutex<Option<DbError>>,
}

impl<'a> EventTransaction<'a> {
    fn new(tx: Transaction<'a>) -> Self {
        EventTransaction {
            tx,
            aborted_by: Mutex::new(None),
        }
    }

    /// Prepares a statement, through the connection's statement cache.
    pub async fn prepare_cached(&self, query: &str) -> Result<Statement, tokio_postgres::Error> {
        self.watch(self.tx.prepare_cached(query).await)
    }

    /// Prepares a statement.
    pub async fn prepare(&self, query: &str) -> Result<Statement, tokio_postgres::Error> {
        self.watch(self.tx.prepare(query).await)
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, tokio_postgres::Error>
    where
        T: ?Sized + ToStatement,
    {
        self.watch(self.tx.execute(statement, params).await)
    }

    /// Runs a query; returns its rows.
    pub async fn query<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, tokio_postgres::Error>
    where
        T: ?Sized + ToStatement,
    {
        self.watch(self.tx.query(statement, params).await)
    }

    /// Runs a query that returns exactly one row.
    pub async fn query_one<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, tokio_postgres::Error>
    where
        T: ?Sized + ToStatement,
    {
        self.watch(self.tx.query_one(statement, params).await)
    }

    /// Runs a query that returns at most one row.
    pub async fn query_opt<T>(
        &self,
        statement: &T,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, tokio_postgres::Error>
    where
        T: ?Sized + ToStatement,
    {
        self.watch(self.tx.query_opt(statement, params).await)
    }

    /// Runs statements separated by semicolons, without parameters.
    pub async fn batch_execute(&self, query: &str) -> Result<(), tokio_postgres::Error> {
        self.watch(self.tx.batch_execute(query).await)
    }

    fn watch<T>(
        &self,
        result: Result<T, tokio_postgres::Error>,
    ) -> Result<T, tokio_postgres::Error> {
        if let Err(e) = &result {
            self.note(e);
        }
        result
    }

    fn note(&self, e: &tokio_postgres::Error) {
        if let Some(db) = e.as_db_error() {
            if *db.code() != SqlState::IN_FAILED_SQL_TRANSACTION {
                *self
                    .aborted_by
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(db.clone());
            }
        }
    }

    /// The server's error of the statement that aborted the transaction, when `error` (or one
    /// of its causes) says only that the transaction is aborted.
    fn root_cause(&self, error: &(dyn StdError + 'static)) -> Option<DbError> {
        if !is_aborted_transaction(error) {
            return None;
        }
        self.aborted_by
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// Whether `error` or one of its causes is the server's "current transaction is aborted".
fn is_aborted_transaction(error: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        let code = match e.downcast_ref::<tokio_postgres::Error>() {
            Some(pg) => pg.code(),
            None => e.downcast_ref::<DbError>().map(DbError::code),
        };
        if code == Some(&SqlState::IN_FAILED_SQL_TRANSACTION) {
            return true;
        }
        next = e.source();
    }
    false
}

/// Why the processing failed, as stored when its own error says less than this.
#[derive(Debug, thiserror::Error)]
enum ProcessingFailure {
    /// The processing swallowed a statement's error and returned `Ok`.
    #[error("the processing returned Ok, but a statement of it had failed")]
    SwallowedThenOk(#[source] DbError),
    /// The processing swallowed a statement's error and ran another, which the aborted
    /// transaction refused.
    #[error("a statement of the processing failed and the processing went on in the transaction that failure aborted")]
    SwallowedThenFailed(#[source] DbError),
    /// The processing returned `Ok` but the event's completion failed for another reason.
    #[error("the processing returned Ok but its transaction failed")]
    Completion(#[source] tokio_postgres::Error),
}

/// Handles one delivery of the Stripe event `event_id` of type `event_type`.
///
/// `process` runs at most once per call, and across all concurrent calls for one event id only
/// one runs at a time; once one has succeeded no later call runs it. It writes through the
/// transaction it is given, so its writes commit together with the event's new state, or not
/// at all. An `Err` from it (any error, or a `String`) is stored, with its chain of causes, and
/// reported as [`Outcome::Failed`]. When the transaction was aborted by a statement whose
/// error the processing swallowed, that statement's error is stored instead of the
/// "current transaction is aborted" that followed it.
///
/// ```no_run
/// # async fn example(pool: &deadpool_postgres::Pool) -> Result<u16, schema::stripe_events::WebhookError> {
/// use schema::stripe_events::{handle_delivery, Outcome};
/// let outcome = handle_delivery(pool, "evt_1", "customer.subscription.deleted", async |tx| {
///     tx.execute(
///         "UPDATE stripe_subscriptions SET status = 'canceled' WHERE stripe_subscription_id = $1",
///         &[&"sub_1"],
///     )
///     .await?;
///     Ok::<_, tokio_postgres::Error>(())
/// })
/// .await?;
/// // The HTTP status to answer Stripe with: anything but 2xx makes it deliver again later.
/// Ok(match outcome {
///     Outcome::Processed | Outcome::AlreadyProcessed => 200,
///     Outcome::InProgress | Outcome::Failed { .. } => 503,
/// })
/// # }
/// ```
///
/// The closure must not end the transaction itself (`COMMIT`, `ROLLBACK`): if it does, the
/// event is still never processed twice, and the delivery fails with
/// [`WebhookError::TransactionEnded`]. The wait for a connection is bounded by
/// [`CONNECTION_WAIT`] beyond the pool's own timeouts ([`WebhookError::PoolTimeout`]); a
/// closure that takes a connection of the same pool directly waits as the pool says, so give
/// such a pool `wait`/`create` timeouts, or room for it.
pub async fn handle_delivery<F, E>(
    pool: &Pool,
    event_id: &str,
    event_type: &str,
    process: F,
) -> Result<Outcome, WebhookError>
where
    F: AsyncFnOnce(&EventTransaction<'_>) -> Result<(), E>,
    E: Into<Box<dyn StdError + Send + Sync>>,
{
    let db = |step| {
        move |source| WebhookError::Database {
            event_id: event_id.to_owned(),
            step,
            source,
        }
    };
    let own = pool.timeouts();
    let waited = [own.wait, own.create, own.recycle]
        .into_iter()
        .flatten()
        .fold(CONNECTION_WAIT, |sum, t| sum + t);
    let mut client = match tokio::time::timeout(waited, pool.get()).await {
        Ok(got) => got.map_err(|source| WebhookError::Pool {
            event_id: event_id.to_owned(),
            source,
        })?,
        Err(_) => {
            return Err(WebhookError::PoolTimeout {
                event_id: event_id.to_owned(),
                waited,
                pool_size: pool.status().max_size,
            })
        }
    };

    let claim = client
        .prepare_cached(CLAIM_SQL)
        .await
        .map_err(db(Step::Claim))?;
    client
        .execute(&claim, &[&event_id, &event_type])
        .await
        .map_err(db(Step::Claim))?;

    let tx = client.transaction().await.map_err(db(Step::Lock))?;
    let lock = tx.prepare_cached(LOCK_SQL).await.map_err(db(Step::Lock))?;
    // One round trip for both; `join` polls (so sends) in order: the lock before the savepoint.
    let (locked, savepoint) = future::join(
        tx.query_opt(&lock, &[&event_id]),
        tx.batch_execute(SAVEPOINT_SQL),
    )
    .await;
    let Some(row) = locked.map_err(db(Step::Lock))? else {
        return Ok(Outcome::InProgress);
    };
    if row.try_get::<_, bool>(0).map_err(db(Step::Lock))? {
        return Ok(Outcome::AlreadyProcessed);
    }
    savepoint.map_err(db(Step::Savepoint))?;

    let tx = EventTransaction::new(tx);
    let processed = process(&tx).await;
    let completed = tx.tx.batch_execute(COMPLETE_SQL).await;
    if let Err(e) = &completed {
        if e.code() == Some(&SqlState::NO_ACTIVE_SQL_TRANSACTION) {
            let kept = was_kept(&tx.tx, event_id)
                .await
                .map_err(db(Step::Complete))?;
            return Err(WebhookError::TransactionEnded {
                event_id: event_id.to_owned(),
                kept,
            });
        }
    }
    let failure = match processed {
        Ok(()) => match completed {
            Ok(()) => None,
            Err(source) => Some(error_chain(&match tx.root_cause(&source) {
                Some(root) => ProcessingFailure::SwallowedThenOk(root),
                None => ProcessingFailure::Completion(source),
            })),
        },
        Err(error) => {
            let error: Box<dyn StdError + Send + Sync> = error.into();
            Some(match tx.root_cause(&*error) {
                Some(root) => error_chain(&ProcessingFailure::SwallowedThenFailed(root)),
                None => error_chain(&*error),
            })
        }
    };
    let tx = tx.tx;
    if let Some(error) = &failure {
        record_failure(&tx, event_id, error)
            .await
            .map_err(db(Step::RecordFailure))?;
    }
    tx.commit().await.map_err(db(Step::Commit))?;
    Ok(match failure {
        None => Outcome::Processed,
        Some(error) => Outcome::Failed { error },
    })
}

/// After the processing ended the transaction: whether the mark was committed with it.
async fn was_kept(tx: &Transaction<'_>, event_id: &str) -> Result<bool, tokio_postgres::Error> {
    let row = tx
        .query_one(
            "SELECT processed_at IS NOT NULL AND error IS NULL FROM stripe_events WHERE id = $1",
            &[&event_id],
        )
        .await?;
    row.try_get(0)
}

async fn record_failure(
    tx: &Transaction<'_>,
    event_id: &str,
    error: &str,
) -> Result<(), tokio_postgres::Error> {
    // An aborted transaction refuses even to prepare a statement until it is rolled back.
    tx.batch_execute(ROLLBACK_SQL).await?;
    let fail = tx.prepare_cached(FAIL_SQL).await?;
    tx.execute(&fail, &[&event_id, &error]).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_error() -> tokio_postgres::Error {
        "host=h port=notaport"
            .parse::<tokio_postgres::Config>()
            .unwrap_err()
    }

    #[test]
    fn a_database_error_names_the_step_and_keeps_its_cause_once() {
        let e = WebhookError::Database {
            event_id: "evt_1".into(),
            step: Step::Commit,
            source: client_error(),
        };
        let source = e.source().expect("a source");
        assert!(source.is::<tokio_postgres::Error>());
        let message = e.to_string();
        assert_eq!(message, "committing Stripe event `evt_1` failed");
        let chain = error_chain(&e);
        let cause = source.to_string();
        assert_eq!(
            chain,
            format!("{message}: {}", error_chain(source)),
            "{chain}"
        );
        assert_eq!(chain.matches(cause.as_str()).count(), 1, "{chain}");
    }

    #[test]
    fn only_an_aborted_transaction_is_traced_to_its_root_cause() {
        assert!(!is_aborted_transaction(&client_error()));
        let boxed: Box<dyn StdError + Send + Sync> = "card declined".into();
        assert!(!is_aborted_transaction(&*boxed));
    }
}
