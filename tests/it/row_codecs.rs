//! The code `#[pg_enum]` and `#[table]` generate for reading and writing rows, against the
//! real PostgreSQL: enum codecs for every label, `from_row`, typed jsonb, and the error a
//! row that does not fit gives.

use chrono::{DateTime, SubsecRound, Utc};
use schema::question_bank::{
    PracticeMode, PracticeParams, PracticeSession, QuestionDifficulty, QuestionStatus, StripeEvent,
    SubscriptionStatus, TagKind, SCHEMA,
};
use schema_core::testing::TestDatabase;
use schema_core::{Json, PgEnum, Table};
use std::fmt::Debug;
use tokio_postgres::types::{FromSqlOwned, ToSql};
use tokio_postgres::Client;
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Creates the five enum types from their descriptors.
async fn create_enums(client: &Client) -> TestResult {
    for e in SCHEMA.enums.iter() {
        let labels: Vec<String> = e.labels.iter().map(|l| format!("'{l}'")).collect();
        let sql = format!("CREATE TYPE \"{}\" AS ENUM ({})", e.name, labels.join(", "));
        client.batch_execute(&sql).await?;
    }
    Ok(())
}

/// Sends every value as a parameter of the enum's type and reads it back, both as the Rust
/// enum and as the label text the server stored.
async fn round_trip<E>(client: &Client) -> TestResult
where
    E: PgEnum + ToSql + FromSqlOwned + PartialEq + Debug + Sync,
{
    let name = E::ENUM.name;
    assert_eq!(E::VARIANTS.len(), E::ENUM.labels.len());
    for value in E::VARIANTS {
        let sql = format!("SELECT $1::\"{name}\" AS v, ($1::\"{name}\")::text AS label");
        let row = client.query_one(&sql, &[value]).await?;
        assert_eq!(row.try_get::<_, E>("v")?, *value);
        assert_eq!(row.try_get::<_, String>("label")?, value.label());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_label_of_every_enum_round_trips() -> TestResult {
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    create_enums(&client).await?;
    round_trip::<QuestionDifficulty>(&client).await?;
    round_trip::<QuestionStatus>(&client).await?;
    round_trip::<TagKind>(&client).await?;
    round_trip::<PracticeMode>(&client).await?;
    round_trip::<SubscriptionStatus>(&client).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enum_refuses_a_value_of_another_enum_type() -> TestResult {
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    create_enums(&client).await?;
    let row = client
        .query_one("SELECT 'draft'::question_status AS v", &[])
        .await?;
    let err = row.try_get::<_, QuestionDifficulty>("v").unwrap_err();
    let cause = std::error::Error::source(&err).map(|s| s.to_string());
    assert!(
        cause
            .as_deref()
            .is_some_and(|c| c.contains("question_status")),
        "{err:?}"
    );
    let err = client
        .query_one("SELECT $1::question_status", &[&QuestionDifficulty::Easy])
        .await
        .unwrap_err();
    let cause = std::error::Error::source(&err).map(|s| s.to_string());
    assert!(
        cause
            .as_deref()
            .is_some_and(|c| c.contains("QuestionDifficulty")),
        "{err:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_are_read_by_column_name() -> TestResult {
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    create_enums(&client).await?;
    client
        .batch_execute(
            "CREATE TABLE stripe_events (id varchar(255) PRIMARY KEY, type varchar(255) NOT NULL, \
             processed_at timestamptz, error text);
             CREATE TABLE practice_sessions (id uuid PRIMARY KEY, user_id uuid NOT NULL, \
             mode practice_mode NOT NULL, params_json jsonb NOT NULL, \
             started_at timestamptz NOT NULL DEFAULT now(), ended_at timestamptz)",
        )
        .await?;

    let processed_at: DateTime<Utc> = Utc::now().trunc_subsecs(6);
    client
        .execute(
            "INSERT INTO stripe_events (id, type, processed_at) VALUES ($1, $2, $3)",
            &[&"evt_1", &"invoice.paid", &processed_at],
        )
        .await?;
    let sql = format!("SELECT {} FROM stripe_events", StripeEvent::COLUMN_LIST);
    let event = StripeEvent::from_row(&client.query_one(&sql, &[]).await?)?;
    assert_eq!(
        event,
        StripeEvent {
            id: "evt_1".into(),
            r#type: "invoice.paid".into(),
            processed_at: Some(processed_at),
            error: None,
        }
    );

    let params = PracticeParams {
        count: 20,
        tag_slugs: vec!["cardiology".into(), "renal".into()],
        difficulties: vec![QuestionDifficulty::Medium, QuestionDifficulty::Hard],
        question_ids: vec![Uuid::new_v4()],
    };
    let (id, user_id) = (Uuid::new_v4(), Uuid::new_v4());
    let insert = format!(
        "INSERT INTO practice_sessions ({}, {}, {}, {}) VALUES ($1, $2, $3, $4)",
        PracticeSession::id.quoted(),
        PracticeSession::user_id.quoted(),
        PracticeSession::mode.quoted(),
        PracticeSession::params_json.quoted(),
    );
    client
        .execute(
            &insert,
            &[&id, &user_id, &PracticeMode::Exam, &Json(params.clone())],
        )
        .await?;
    let sql = format!(
        "SELECT {} FROM practice_sessions",
        PracticeSession::COLUMN_LIST
    );
    let session = PracticeSession::from_row(&client.query_one(&sql, &[]).await?)?;
    assert_eq!(session.id, id);
    assert_eq!(session.mode, PracticeMode::Exam);
    assert_eq!(session.params_json.0, params);
    assert_eq!(session.ended_at, None);

    // The JSON the database holds has the camelCase keys the application reads elsewhere.
    let keys: Vec<String> = client
        .query(
            "SELECT jsonb_object_keys(params_json) AS k FROM practice_sessions ORDER BY 1",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get("k"))
        .collect();
    assert_eq!(keys, ["count", "difficulties", "questionIds", "tagSlugs"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_that_does_not_fit_names_table_column_and_type() -> TestResult {
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    let row = client
        .query_one(
            "SELECT 'evt_1'::text AS id, 'x'::text AS type, now() AS processed_at, 5 AS error",
            &[],
        )
        .await?;
    let err = StripeEvent::from_row(&row).unwrap_err();
    assert_eq!((err.table, err.column), ("stripe_events", "error"));
    assert_eq!(err.rust_type, "Option<String>");
    let message = err.to_string();
    assert!(
        message.starts_with("cannot read column `stripe_events.error` as Option<String>"),
        "{message}"
    );

    let row = client.query_one("SELECT 'evt_1'::text AS id", &[]).await?;
    let err = StripeEvent::from_row(&row).unwrap_err();
    assert_eq!(err.column, "type", "a missing column is named: {err}");
    Ok(())
}
