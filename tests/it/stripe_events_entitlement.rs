//! Subscription webhooks processed exactly once keep the spec's entitlement right: a late
//! redelivery of an old event must not bring a cancelled subscription back.

use chrono::{DateTime, Duration, Utc};
use deadpool_postgres::{Manager, Pool};
use schema::question_bank::{StripeSubscription as Sub, SubscriptionStatus};
use schema::stripe_events::{handle_delivery, EventTransaction, Outcome};
use schema_core::testing::TestDatabase;
use tokio_postgres::NoTls;
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The part of a `customer.subscription.*` event the application keeps.
struct SubscriptionEvent {
    id: &'static str,
    r#type: &'static str,
    subscription: &'static str,
    status: SubscriptionStatus,
    current_period_end: DateTime<Utc>,
}

/// The application's processing of a subscription event: one idempotent upsert.
async fn apply(
    tx: &EventTransaction<'_>,
    user_id: Uuid,
    event: &SubscriptionEvent,
) -> Result<(), tokio_postgres::Error> {
    let sql = format!(
        "INSERT INTO stripe_subscriptions ({user}, {sub}, {status}, {price}, {end}) \
         VALUES ($1, $2, $3, 'price_monthly', $4) \
         ON CONFLICT ({sub}) DO UPDATE SET {status} = EXCLUDED.{status}, \
         {end} = EXCLUDED.{end}, {updated} = now()",
        user = Sub::user_id.quoted(),
        sub = Sub::stripe_subscription_id.quoted(),
        status = Sub::status.quoted(),
        price = Sub::price_id.quoted(),
        end = Sub::current_period_end.quoted(),
        updated = Sub::updated_at.quoted(),
    );
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] = [
        &user_id,
        &event.subscription,
        &event.status,
        &event.current_period_end,
    ];
    tx.execute(&sql, &params).await.map(drop)
}

async fn deliver(pool: &Pool, user_id: Uuid, event: &SubscriptionEvent) -> Outcome {
    handle_delivery(pool, event.id, event.r#type, async |tx| {
        apply(tx, user_id, event).await
    })
    .await
    .expect("delivery")
}

/// The spec's entitlement: the user's one subscription is active or trialing and its period
/// has not ended.
async fn entitled(db: &TestDatabase, user_id: Uuid) -> bool {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM stripe_subscriptions WHERE {user} = $1 \
         AND {status} = ANY($2) AND {end} > now())",
        user = Sub::user_id.quoted(),
        status = Sub::status.quoted(),
        end = Sub::current_period_end.quoted(),
    );
    let entitling = vec![SubscriptionStatus::Active, SubscriptionStatus::Trialing];
    db.connect()
        .await
        .unwrap()
        .query_one(&sql, &[&user_id, &entitling])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_redelivery_does_not_revive_a_cancelled_subscription() -> TestResult {
    let db = crate::support::migrated::question_bank().await;
    let client = db.connect().await?;
    let user_id = Uuid::new_v4();
    client
        .execute(
            "INSERT INTO users (id, clerk_user_id, email) VALUES ($1, 'user_1', 'a@example.com')",
            &[&user_id],
        )
        .await?;
    let pool = Pool::builder(Manager::new(db.config().clone(), NoTls))
        .max_size(4)
        .build()?;
    let period_end = Utc::now() + Duration::days(30);

    let created = SubscriptionEvent {
        id: "evt_created",
        r#type: "customer.subscription.created",
        subscription: "sub_1",
        status: SubscriptionStatus::Trialing,
        current_period_end: period_end,
    };
    let deleted = SubscriptionEvent {
        id: "evt_deleted",
        r#type: "customer.subscription.deleted",
        status: SubscriptionStatus::Canceled,
        ..created
    };

    assert!(!entitled(&db, user_id).await);
    assert_eq!(deliver(&pool, user_id, &created).await, Outcome::Processed);
    assert!(entitled(&db, user_id).await, "trialing within the period");
    assert_eq!(deliver(&pool, user_id, &deleted).await, Outcome::Processed);
    assert!(!entitled(&db, user_id).await, "canceled");

    assert_eq!(
        deliver(&pool, user_id, &created).await,
        Outcome::AlreadyProcessed
    );
    assert!(!entitled(&db, user_id).await, "still canceled");

    let lapsed = SubscriptionEvent {
        id: "evt_lapsed",
        r#type: "customer.subscription.updated",
        status: SubscriptionStatus::Active,
        current_period_end: Utc::now() - Duration::minutes(1),
        ..created
    };
    assert_eq!(deliver(&pool, user_id, &lapsed).await, Outcome::Processed);
    assert!(!entitled(&db, user_id).await, "active but the period ended");
    Ok(())
}
