//! Exactly-once processing of Stripe webhook deliveries, against the real PostgreSQL.

use deadpool_postgres::{Manager, Pool};
use schema::question_bank::StripeEvent;
use schema::stripe_events::{handle_delivery, EventTransaction, Outcome, WebhookError};
use schema_core::testing::TestDatabase;
use schema_core::Table;
use std::collections::HashMap;
use tokio::task::JoinSet;
use tokio_postgres::NoTls;

/// What the processing writes: one row per run, so a count says how often it ran.
const EFFECTS_DDL: &str = "CREATE TABLE webhook_effects (event_id text NOT NULL)";

/// A database migrated with the committed migrations, plus the effects table.
async fn database() -> TestDatabase {
    let db = crate::support::migrated::question_bank().await;
    let client = db.connect().await.expect("connect to test database");
    client
        .batch_execute(EFFECTS_DDL)
        .await
        .expect("effects table");
    db
}

fn pool(db: &TestDatabase, size: usize) -> Pool {
    Pool::builder(Manager::new(db.config().clone(), NoTls))
        .max_size(size)
        .build()
        .expect("pool")
}

async fn record_effect(
    tx: &EventTransaction<'_>,
    event_id: &str,
) -> Result<(), tokio_postgres::Error> {
    tx.execute(
        "INSERT INTO webhook_effects (event_id) VALUES ($1)",
        &[&event_id],
    )
    .await
    .map(drop)
}

async fn effects(db: &TestDatabase, event_id: &str) -> i64 {
    let client = db.connect().await.unwrap();
    client
        .query_one(
            "SELECT count(*) FROM webhook_effects WHERE event_id = $1",
            &[&event_id],
        )
        .await
        .unwrap()
        .get(0)
}

/// `(processed, error)` of an event's row, read as the typed row.
async fn event_state(db: &TestDatabase, event_id: &str) -> (bool, Option<String>) {
    let client = db.connect().await.unwrap();
    let sql = format!(
        "SELECT {} FROM stripe_events WHERE {} = $1",
        StripeEvent::COLUMN_LIST,
        StripeEvent::id.quoted()
    );
    let row = client.query_one(&sql, &[&event_id]).await.unwrap();
    let event = StripeEvent::from_row(&row).expect("a stripe_events row");
    assert_eq!(event.r#type, "invoice.paid");
    (event.processed_at.is_some(), event.error)
}

async fn deliver_ok(pool: &Pool, event_id: &str) -> Outcome {
    handle_delivery(pool, event_id, "invoice.paid", async |tx| {
        record_effect(tx, event_id).await
    })
    .await
    .expect("delivery")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_of_one_event_process_it_once() {
    let db = database().await;
    let pool = pool(&db, 16);
    let mut tasks = JoinSet::new();
    for _ in 0..64 {
        let pool = pool.clone();
        tasks.spawn(async move {
            handle_delivery(&pool, "evt_burst", "invoice.paid", async |tx| {
                record_effect(tx, "evt_burst").await?;
                // Holds the row long enough for the other deliveries to meet it.
                tx.execute("SELECT pg_sleep(0.05)", &[]).await?;
                Ok::<_, tokio_postgres::Error>(())
            })
            .await
        });
    }
    let outcomes: Vec<Outcome> = tasks
        .join_all()
        .await
        .into_iter()
        .map(|r| r.expect("delivery"))
        .collect();

    let processed = outcomes
        .iter()
        .filter(|o| **o == Outcome::Processed)
        .count();
    assert_eq!(processed, 1, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|o| matches!(
            o,
            Outcome::Processed | Outcome::AlreadyProcessed | Outcome::InProgress
        )),
        "{outcomes:?}"
    );
    assert_eq!(effects(&db, "evt_burst").await, 1);
    assert_eq!(event_state(&db, "evt_burst").await, (true, None));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_processing_is_recorded_rolled_back_and_retried() {
    let db = database().await;
    let pool = pool(&db, 2);

    let outcome = handle_delivery(&pool, "evt_fail", "invoice.paid", async |tx| {
        record_effect(tx, "evt_fail").await?;
        Err::<(), Box<dyn std::error::Error + Send + Sync>>("card declined".into())
    })
    .await
    .expect("delivery");
    assert_eq!(
        outcome,
        Outcome::Failed {
            error: "card declined".into()
        }
    );
    assert_eq!(
        event_state(&db, "evt_fail").await,
        (false, Some("card declined".into()))
    );
    assert_eq!(
        effects(&db, "evt_fail").await,
        0,
        "failed writes rolled back"
    );

    assert_eq!(deliver_ok(&pool, "evt_fail").await, Outcome::Processed);
    assert_eq!(event_state(&db, "evt_fail").await, (true, None));
    assert_eq!(effects(&db, "evt_fail").await, 1);

    assert_eq!(
        deliver_ok(&pool, "evt_fail").await,
        Outcome::AlreadyProcessed
    );
    assert_eq!(effects(&db, "evt_fail").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_error_in_processing_is_stored_with_its_message() {
    let db = database().await;
    let pool = pool(&db, 2);

    let outcome = handle_delivery(&pool, "evt_sql", "invoice.paid", async |tx| {
        record_effect(tx, "evt_sql").await?;
        tx.execute("INSERT INTO no_such_table VALUES (1)", &[])
            .await
            .map(drop)
    })
    .await
    .expect("delivery");
    let Outcome::Failed { error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(error.contains("no_such_table"), "{error}");
    assert_eq!(event_state(&db, "evt_sql").await, (false, Some(error)));
    assert_eq!(effects(&db, "evt_sql").await, 0);

    assert_eq!(deliver_ok(&pool, "evt_sql").await, Outcome::Processed);
    assert_eq!(effects(&db, "evt_sql").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_processing_that_swallows_a_database_error_is_not_marked_processed() {
    let db = database().await;
    let pool = pool(&db, 2);

    let outcome = handle_delivery(&pool, "evt_swallow", "invoice.paid", async |tx| {
        record_effect(tx, "evt_swallow").await?;
        let _ignored = tx.execute("SELECT 1/0", &[]).await;
        Ok::<_, tokio_postgres::Error>(())
    })
    .await
    .expect("delivery");
    let Outcome::Failed { error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    // The stored error is the swallowed one, not the aborted transaction it led to.
    assert!(error.contains("[22012] division by zero"), "{error}");
    assert!(!error.contains("transaction is aborted"), "{error}");
    assert!(error.contains("returned Ok"), "{error}");
    assert_eq!(
        event_state(&db, "evt_swallow").await,
        (false, Some(error.clone()))
    );
    assert_eq!(effects(&db, "evt_swallow").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_after_a_swallowed_error_stores_the_swallowed_error() {
    let db = database().await;
    db.connect()
        .await
        .unwrap()
        .batch_execute(
            "CREATE UNIQUE INDEX webhook_effects_once ON webhook_effects (event_id); \
             INSERT INTO webhook_effects (event_id) VALUES ('evt_dup')",
        )
        .await
        .unwrap();
    let pool = pool(&db, 2);

    // The duplicate's error is dropped; the next statement then fails with 25P02, and that is
    // the error the processing returns.
    let outcome = handle_delivery(&pool, "evt_dup", "invoice.paid", async |tx| {
        let _ignored = record_effect(tx, "evt_dup").await;
        tx.query_one("SELECT count(*) FROM webhook_effects", &[])
            .await
            .map(drop)
    })
    .await
    .expect("delivery");
    let Outcome::Failed { error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(error.contains("[23505]"), "{error}");
    assert!(error.contains("webhook_effects_once"), "{error}");
    assert!(!error.contains("transaction is aborted"), "{error}");
    assert!(!error.contains("25P02"), "{error}");
    assert_eq!(event_state(&db, "evt_dup").await, (false, Some(error)));
    assert_eq!(effects(&db, "evt_dup").await, 1, "only the row from before");

    // A processing that recovers with a savepoint of its own is not blamed for the failure it
    // recovered from, but for the one it swallowed after.
    let outcome = handle_delivery(&pool, "evt_dup", "invoice.paid", async |tx| {
        tx.batch_execute("SAVEPOINT attempt").await?;
        if record_effect(tx, "evt_dup").await.is_err() {
            tx.batch_execute("ROLLBACK TO SAVEPOINT attempt").await?;
        }
        let _ignored = tx.execute("SELECT 1/0", &[]).await;
        Ok::<_, tokio_postgres::Error>(())
    })
    .await
    .expect("delivery");
    let Outcome::Failed { error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(error.contains("[22012] division by zero"), "{error}");
    assert!(!error.contains("23505"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claimed_but_unfinished_event_is_processed_by_the_next_delivery() {
    let db = database().await;
    // What a crash between the claim and the processing leaves behind.
    db.connect()
        .await
        .unwrap()
        .execute(
            "INSERT INTO stripe_events (id, type) VALUES ('evt_crash', 'invoice.paid')",
            &[],
        )
        .await
        .unwrap();
    let pool = pool(&db, 2);
    assert_eq!(deliver_ok(&pool, "evt_crash").await, Outcome::Processed);
    assert_eq!(effects(&db, "evt_crash").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_events_delivered_twice_are_each_processed_once() {
    let db = database().await;
    let pool = pool(&db, 16);
    let ids: Vec<String> = (0..1000).map(|i| format!("evt_{i:04}")).collect();
    let mut tasks = JoinSet::new();
    for id in ids.iter().chain(ids.iter().rev()) {
        let (pool, id) = (pool.clone(), id.clone());
        tasks.spawn(async move {
            let outcome = deliver_ok(&pool, &id).await;
            (id, outcome)
        });
    }
    let mut processed: HashMap<String, usize> = HashMap::new();
    for (id, outcome) in tasks.join_all().await {
        match outcome {
            Outcome::Processed => *processed.entry(id).or_default() += 1,
            Outcome::AlreadyProcessed | Outcome::InProgress => {}
            Outcome::Failed { error } => panic!("{id} failed: {error}"),
        }
    }
    assert_eq!(processed.len(), 1000, "every event processed");
    assert!(processed.values().all(|&n| n == 1), "each event once");

    let client = db.connect().await.unwrap();
    let per_event: Vec<(String, i64)> = client
        .query(
            "SELECT event_id, count(*) FROM webhook_effects GROUP BY event_id ORDER BY event_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected: Vec<(String, i64)> = ids.iter().map(|id| (id.clone(), 1)).collect();
    assert_eq!(per_event, expected);
    let unprocessed: i64 = client
        .query_one(
            "SELECT count(*) FROM stripe_events WHERE processed_at IS NULL OR error IS NOT NULL",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(unprocessed, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_gives_a_clear_error() {
    let config: tokio_postgres::Config =
        "postgres://postgres@127.0.0.1:1/postgres".parse().unwrap();
    let pool = Pool::builder(Manager::new(config, NoTls))
        .max_size(2)
        .build()
        .unwrap();
    let error = handle_delivery(&pool, "evt_offline", "invoice.paid", async |_tx| {
        Ok::<_, tokio_postgres::Error>(())
    })
    .await
    .expect_err("no server on port 1");
    assert!(matches!(error, WebhookError::Pool { .. }), "{error:?}");
    // The message names the event; the cause follows once, as the error's source.
    let message = error.to_string();
    assert!(message.contains("evt_offline"), "{message}");
    assert!(!message.contains("refused"), "{message}");
    let chain = schema_core::error_chain(&error);
    assert!(chain.starts_with(&message), "{chain}");
    assert_eq!(chain.matches("refused").count(), 1, "{chain}");
}

/// A processing that delivers another event through the same pool of one waits for the
/// connection its own delivery holds: the inner delivery gives up, and says why.
#[tokio::test(flavor = "multi_thread")]
async fn a_processing_that_needs_a_second_connection_of_a_full_pool_fails_clearly() {
    let db = database().await;
    let pool = pool(&db, 1);
    let inner_pool = pool.clone();
    let delivery = handle_delivery(&pool, "evt_outer", "invoice.paid", async |tx| {
        record_effect(tx, "evt_outer").await?;
        handle_delivery(&inner_pool, "evt_inner", "invoice.paid", async |_tx| {
            Ok::<_, tokio_postgres::Error>(())
        })
        .await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    });
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(120), delivery)
        .await
        .expect("the delivery gave up by itself")
        .expect("the outer delivery reports the failure");
    let Outcome::Failed { error } = outcome else {
        panic!("{outcome:?}");
    };
    assert!(
        error.contains("no database connection came free for Stripe event `evt_inner`"),
        "{error}"
    );
    assert!(error.contains("all 1 connection(s) of the pool"), "{error}");
    assert_eq!(effects(&db, "evt_outer").await, 0, "rolled back");
    let (processed, stored) = event_state(&db, "evt_outer").await;
    assert!(!processed);
    assert_eq!(stored.as_deref(), Some(error.as_str()));
}

/// A `COMMIT` run by the processing commits the event's mark with its writes: a delivery
/// meeting the event right after, before the handler could complete, acknowledges it instead
/// of processing it again; the handler reports what happened.
#[tokio::test(flavor = "multi_thread")]
async fn a_processing_that_commits_itself_is_kept_once_and_reported() {
    let db = database().await;
    let pool = pool(&db, 2);
    let redelivery = pool.clone();
    let error = handle_delivery(&pool, "evt_commit", "invoice.paid", async |tx| {
        record_effect(tx, "evt_commit").await?;
        tx.batch_execute("COMMIT").await?;
        // Stripe delivers the event again while this delivery is still running.
        let again = deliver_ok(&redelivery, "evt_commit").await;
        assert_eq!(again, Outcome::AlreadyProcessed);
        Ok::<_, tokio_postgres::Error>(())
    })
    .await
    .expect_err("the transaction was ended by the processing");
    assert!(
        matches!(&error, WebhookError::TransactionEnded { kept: true, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("COMMIT or ROLLBACK"), "{error}");
    assert_eq!(
        deliver_ok(&pool, "evt_commit").await,
        Outcome::AlreadyProcessed
    );
    assert_eq!(effects(&db, "evt_commit").await, 1);
    assert_eq!(event_state(&db, "evt_commit").await, (true, None));
}

/// A processing that commits and then fails: the old handling could not roll back to its
/// savepoint and left the event unprocessed with its writes committed.
#[tokio::test(flavor = "multi_thread")]
async fn a_processing_that_commits_then_fails_is_never_processed_again() {
    let db = database().await;
    let pool = pool(&db, 2);
    let error = handle_delivery(&pool, "evt_commit_fail", "invoice.paid", async |tx| {
        record_effect(tx, "evt_commit_fail").await?;
        tx.batch_execute("COMMIT").await?;
        Err::<(), Box<dyn std::error::Error + Send + Sync>>("card declined after the commit".into())
    })
    .await
    .expect_err("the transaction was ended by the processing");
    assert!(
        matches!(&error, WebhookError::TransactionEnded { kept: true, .. }),
        "{error:?}"
    );
    assert_eq!(
        deliver_ok(&pool, "evt_commit_fail").await,
        Outcome::AlreadyProcessed
    );
    assert_eq!(effects(&db, "evt_commit_fail").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_processing_that_rolls_back_itself_keeps_nothing_and_is_retried() {
    let db = database().await;
    let pool = pool(&db, 1);
    let error = handle_delivery(&pool, "evt_rollback", "invoice.paid", async |tx| {
        record_effect(tx, "evt_rollback").await?;
        tx.batch_execute("ROLLBACK").await?;
        Ok::<_, tokio_postgres::Error>(())
    })
    .await
    .expect_err("the transaction was ended by the processing");
    assert!(
        matches!(&error, WebhookError::TransactionEnded { kept: false, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("processes it again"), "{error}");
    assert_eq!(effects(&db, "evt_rollback").await, 0);
    assert_eq!(deliver_ok(&pool, "evt_rollback").await, Outcome::Processed);
    assert_eq!(effects(&db, "evt_rollback").await, 1);
}
