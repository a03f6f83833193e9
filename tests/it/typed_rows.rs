//! Typed rows against a database built by the committed migrations: every `#[table]` struct
//! reads its table's rows, every `#[pg_enum]` agrees with the migrated enum type label for
//! label and refuses another enum type, `practice_sessions.params_json` is read and written as
//! the JSON the application shares with its TypeScript side, and a row that does not fit is
//! named by table, column and type.

use chrono::{DateTime, Utc};
use schema::question_bank::{
    Attempt, Bookmark, Choice, PracticeMode, PracticeParams, PracticeSession, Question,
    QuestionDifficulty, QuestionStatus, QuestionTag, StripeCustomer, StripeEvent,
    StripeSubscription, SubscriptionStatus, Tag, TagKind, User, SCHEMA,
};
use schema_core::testing::TestDatabase;
use schema_core::{Column, Json, PgEnum, Table};
use std::fmt::Debug;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;
use uuid::Uuid;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const USER: &str = "00000000-0000-4000-8000-000000000001";
const QUESTION: &str = "00000000-0000-4000-8000-000000000002";
const CHOICE: &str = "00000000-0000-4000-8000-000000000003";
const TAG: &str = "00000000-0000-4000-8000-000000000004";
const SESSION: &str = "00000000-0000-4000-8000-000000000005";
/// With microseconds, the precision `timestamptz` keeps.
const PROCESSED_AT: &str = "2024-05-01T12:00:00.123456Z";

/// One row in every table, written as plain SQL (as the TypeScript side of the application
/// writes them), with the database's defaults filling the rest.
fn seed_sql() -> String {
    format!(
        "INSERT INTO users (id, clerk_user_id, email) VALUES ('{USER}', 'user_1', 'a@example.com');
         INSERT INTO stripe_customers (user_id, stripe_customer_id) VALUES ('{USER}', 'cus_1');
         INSERT INTO stripe_subscriptions (user_id, stripe_subscription_id, status, price_id,
             current_period_end) VALUES ('{USER}', 'sub_1', 'past_due', 'price_1', now());
         INSERT INTO stripe_events (id, type, processed_at)
             VALUES ('evt_1', 'invoice.paid', '{PROCESSED_AT}');
         INSERT INTO questions (id, slug, stem_md, explanation_md, difficulty, status)
             VALUES ('{QUESTION}', 'q-1', 'Stem', 'Why', 'medium', 'published');
         INSERT INTO choices (id, question_id, label, text_md, is_correct, sort_order)
             VALUES ('{CHOICE}', '{QUESTION}', 'A', 'Yes', true, 1);
         INSERT INTO tags (id, slug, name, kind) VALUES ('{TAG}', 'renal', 'Renal', 'topic');
         INSERT INTO question_tags (question_id, tag_id) VALUES ('{QUESTION}', '{TAG}');
         INSERT INTO practice_sessions (id, user_id, mode, params_json) VALUES ('{SESSION}',
             '{USER}', 'exam', '{{\"count\": 10, \"tagSlugs\": [\"renal\"],
             \"difficulties\": [\"easy\", \"hard\"], \"questionIds\": [\"{QUESTION}\"]}}');
         INSERT INTO attempts (user_id, question_id, practice_session_id, selected_choice_id,
             is_correct) VALUES ('{USER}', '{QUESTION}', '{SESSION}', '{CHOICE}', true);
         INSERT INTO bookmarks (user_id, question_id) VALUES ('{USER}', '{QUESTION}');"
    )
}

async fn migrated() -> Result<(TestDatabase, Client), Box<dyn std::error::Error>> {
    let db = crate::support::migrated::question_bank().await;
    let client = db.connect().await?;
    client.batch_execute(&seed_sql()).await?;
    Ok((db, client))
}

/// Every row of `T`'s table, selected by its column list and read by `from_row`.
async fn read_all<T: Table>(client: &Client) -> Result<Vec<T>, Box<dyn std::error::Error>> {
    let sql = format!("SELECT {} FROM \"{}\"", T::COLUMN_LIST, T::TABLE.name);
    let mut rows = Vec::new();
    for row in client.query(&sql, &[]).await? {
        rows.push(T::from_row(&row)?);
    }
    Ok(rows)
}

fn uuid(text: &str) -> Uuid {
    text.parse().expect("a UUID constant")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_table_reads_its_migrated_rows_by_column_list() -> TestResult {
    let (_db, client) = migrated().await?;
    let mut read = Vec::new();

    let [user] = <[User; 1]>::try_from(read_all::<User>(&client).await?).unwrap();
    assert_eq!(
        (user.id, user.email.as_str()),
        (uuid(USER), "a@example.com")
    );
    read.push(User::TABLE.name);
    let [customer] = <[StripeCustomer; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(customer.stripe_customer_id, "cus_1");
    read.push(StripeCustomer::TABLE.name);
    let [sub] = <[StripeSubscription; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(sub.status, SubscriptionStatus::PastDue);
    assert!(!sub.cancel_at_period_end, "the migrated default");
    read.push(StripeSubscription::TABLE.name);
    let [event] = <[StripeEvent; 1]>::try_from(read_all(&client).await?).unwrap();
    let processed_at: DateTime<Utc> = PROCESSED_AT.parse()?;
    assert_eq!(
        (event.processed_at, event.error),
        (Some(processed_at), None)
    );
    read.push(StripeEvent::TABLE.name);
    let [question] = <[Question; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(
        (question.difficulty, question.status),
        (QuestionDifficulty::Medium, QuestionStatus::Published)
    );
    read.push(Question::TABLE.name);
    let [choice] = <[Choice; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!((choice.question_id, choice.sort_order), (uuid(QUESTION), 1));
    read.push(Choice::TABLE.name);
    let [tag] = <[Tag; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(tag.kind, TagKind::Topic);
    read.push(Tag::TABLE.name);
    let [link] = <[QuestionTag; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!((link.question_id, link.tag_id), (uuid(QUESTION), uuid(TAG)));
    read.push(QuestionTag::TABLE.name);
    let [session] = <[PracticeSession; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(session.mode, PracticeMode::Exam);
    read.push(PracticeSession::TABLE.name);
    let [attempt] = <[Attempt; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(attempt.selected_choice_id, Some(uuid(CHOICE)));
    assert_eq!(attempt.time_spent_seconds, 0, "the migrated default");
    read.push(Attempt::TABLE.name);
    let [bookmark] = <[Bookmark; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(bookmark.user_id, uuid(USER));
    read.push(Bookmark::TABLE.name);

    let declared: Vec<_> = SCHEMA.tables.iter().map(|t| t.name.clone()).collect();
    assert_eq!(read, declared, "every declared table is read here");
    Ok(())
}

/// Stores every value of `E` in `column` of the row with id `key`, reads the row back as
/// `T`, and checks the value and the label the server stored; also that the migrated type
/// has exactly the Rust enum's labels, in order.
async fn round_trip_through<T, E>(
    client: &Client,
    column: Column<T, E>,
    key: Uuid,
    field: fn(&T) -> E,
) -> Result<String, Box<dyn std::error::Error>>
where
    T: Table,
    E: PgEnum + ToSql + Sync + PartialEq + Debug,
{
    let labels_sql = format!(
        "SELECT unnest(enum_range(NULL::\"{}\"))::text",
        E::ENUM.name
    );
    let migrated: Vec<String> = client
        .query(&labels_sql, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let declared: Vec<&str> = E::VARIANTS.iter().map(|v| v.label()).collect();
    assert_eq!(migrated, declared, "labels of {}", E::ENUM.name);

    let (table, col) = (column.table(), column.quoted());
    let update = format!("UPDATE \"{table}\" SET {col} = $1 WHERE id = $2");
    let select = format!(
        "SELECT {}, {col}::text FROM \"{table}\" WHERE id = $1",
        T::COLUMN_LIST
    );
    for value in E::VARIANTS {
        assert_eq!(client.execute(&update, &[value, &key]).await?, 1);
        let row = client.query_one(&select, &[&key]).await?;
        assert_eq!(field(&T::from_row(&row)?), *value);
        assert_eq!(row.get::<_, String>(T::TABLE.columns.len()), value.label());
    }
    Ok(E::ENUM.name.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_label_of_every_enum_round_trips_through_its_migrated_column() -> TestResult {
    let (_db, client) = migrated().await?;
    let covered = vec![
        round_trip_through(&client, Question::difficulty, uuid(QUESTION), |q| {
            q.difficulty
        })
        .await?,
        round_trip_through(&client, Question::status, uuid(QUESTION), |q| q.status).await?,
        round_trip_through(&client, Tag::kind, uuid(TAG), |t| t.kind).await?,
        round_trip_through(&client, PracticeSession::mode, uuid(SESSION), |s| s.mode).await?,
        round_trip_through(
            &client,
            StripeSubscription::status,
            read_all::<StripeSubscription>(&client).await?[0].id,
            |s| s.status,
        )
        .await?,
    ];
    let declared: Vec<String> = SCHEMA.enums.iter().map(|e| e.name.to_string()).collect();
    assert_eq!(covered, declared, "every declared enum is covered here");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enum_refuses_a_value_of_another_enum_type() -> TestResult {
    let (_db, client) = migrated().await?;
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
async fn practice_params_are_the_camel_case_jsonb_both_sides_share() -> TestResult {
    let (_db, client) = migrated().await?;

    // Written by SQL as the TypeScript side writes it, read as the typed struct.
    let [seeded] = <[PracticeSession; 1]>::try_from(read_all(&client).await?).unwrap();
    assert_eq!(
        seeded.params_json.0,
        PracticeParams {
            count: 10,
            tag_slugs: vec!["renal".into()],
            difficulties: vec![QuestionDifficulty::Easy, QuestionDifficulty::Hard],
            question_ids: vec![uuid(QUESTION)],
        }
    );

    // Written as the typed struct, read back both ways.
    let params = PracticeParams {
        count: 40,
        tag_slugs: vec![],
        difficulties: QuestionDifficulty::VARIANTS.to_vec(),
        question_ids: vec![Uuid::new_v4(), Uuid::new_v4()],
    };
    let id = Uuid::new_v4();
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
            &[
                &id,
                &uuid(USER),
                &PracticeMode::Tutor,
                &Json(params.clone()),
            ],
        )
        .await?;
    let select = format!(
        "SELECT {}, params_json::text AS raw FROM practice_sessions WHERE id = $1",
        PracticeSession::COLUMN_LIST
    );
    let row = client.query_one(&select, &[&id]).await?;
    assert_eq!(PracticeSession::from_row(&row)?.params_json.0, params);

    let raw: serde_json::Value = serde_json::from_str(row.get("raw"))?;
    let expected = serde_json::json!({
        "count": 40,
        "tagSlugs": [],
        "difficulties": ["easy", "medium", "hard"],
        "questionIds": [params.question_ids[0].to_string(), params.question_ids[1].to_string()],
    });
    assert_eq!(raw, expected);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_that_does_not_fit_names_table_column_and_type() -> TestResult {
    let (_db, client) = migrated().await?;

    // A NULL where the struct has no Option (as an outer join would produce).
    let columns = StripeSubscription::COLUMN_LIST.replace(
        StripeSubscription::current_period_end.quoted(),
        "NULL::timestamptz AS current_period_end",
    );
    let row = client
        .query_one(&format!("SELECT {columns} FROM stripe_subscriptions"), &[])
        .await?;
    let err = StripeSubscription::from_row(&row).unwrap_err();
    assert_eq!(
        (err.table, err.column),
        ("stripe_subscriptions", "current_period_end")
    );
    assert!(err.rust_type.contains("DateTime"), "{err}");
    assert!(
        err.to_string()
            .contains("`stripe_subscriptions.current_period_end`"),
        "{err}"
    );

    // A value of another enum type in an enum column.
    let columns =
        Question::COLUMN_LIST.replace(Question::difficulty.quoted(), "status AS difficulty");
    let row = client
        .query_one(&format!("SELECT {columns} FROM questions"), &[])
        .await?;
    let err = Question::from_row(&row).unwrap_err();
    assert_eq!((err.table, err.column), ("questions", "difficulty"));
    assert!(err.rust_type.contains("QuestionDifficulty"), "{err}");

    // A value of another SQL type.
    let columns = StripeEvent::COLUMN_LIST.replace(StripeEvent::error.quoted(), "5 AS error");
    let row = client
        .query_one(&format!("SELECT {columns} FROM stripe_events"), &[])
        .await?;
    let err = StripeEvent::from_row(&row).unwrap_err();
    assert_eq!((err.table, err.column), ("stripe_events", "error"));
    assert_eq!(err.rust_type, "Option<String>");
    let message = err.to_string();
    assert_eq!(
        message,
        "cannot read column `stripe_events.error` as Option<String>"
    );
    // The driver's error is the source, printed once after the message.
    let source = std::error::Error::source(&err).expect("a source");
    assert!(source.is::<tokio_postgres::Error>());
    let chain = schema_core::error_chain(&err);
    let cause = source.to_string();
    assert_eq!(chain.matches(cause.as_str()).count(), 1, "{chain}");
    assert!(chain.starts_with(&format!("{message}: ")), "{chain}");

    // A column left out of the select list.
    let row = client
        .query_one("SELECT id FROM stripe_events", &[])
        .await?;
    let err = StripeEvent::from_row(&row).unwrap_err();
    assert_eq!(err.column, "type", "a missing column is named: {err}");
    Ok(())
}

/// A column whose name holds a double quote: the column constant, the ready column list and
/// the migration must all double it, or the SQL they produce is wrong.
#[schema_core::table(name = "quotes")]
#[derive(Debug, PartialEq)]
pub struct Quote {
    #[primary_key]
    pub id: Uuid,
    #[column(name = "say \"hi\"")]
    pub said: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_column_name_with_a_double_quote_is_quoted_the_same_everywhere() -> TestResult {
    assert_eq!(
        Quote::said.quoted(),
        schema_core::sql::quote_ident("say \"hi\"")
    );
    assert_eq!(Quote::COLUMN_LIST, "\"id\", \"say \"\"hi\"\"\"");
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    let create = schema_core::render::statement(&schema_core::plan::Statement::CreateTable(
        Box::new(Quote::TABLE),
    ));
    client.batch_execute(&create).await?;
    client
        .execute(
            &format!("INSERT INTO quotes ({}) VALUES ($1)", Quote::said.quoted()),
            &[&"hello"],
        )
        .await?;
    let rows = read_all::<Quote>(&client).await?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].said, "hello");
    Ok(())
}

/// The column types of the `decimal` and `network` features: `numeric` with and without a
/// precision, `inet` with its prefix length, `cidr` and `macaddr`.
mod feature_types {
    use schema_core::cidr::{IpCidr, IpInet};
    use schema_core::eui48::MacAddress;
    use schema_core::files::journal::MigrationsDir;
    use schema_core::generate::{generate, GenerateOptions};
    use schema_core::migrate::Migrator;
    use schema_core::rust_decimal::Decimal;
    use schema_core::testing::TestDatabase;
    use schema_core::{schema, table, Schema, Table};
    use std::str::FromStr;

    #[table(name = "devices")]
    pub struct Device {
        #[primary_key(serial)]
        pub id: i32,
        #[column(sql_type = "numeric(10,2)")]
        pub price: Decimal,
        pub balance: Option<Decimal>,
        pub address: IpInet,
        pub network: Option<IpCidr>,
        pub mac: MacAddress,
    }

    const SCHEMA: Schema = schema! {
        enums: [],
        tables: [Device],
    };

    #[tokio::test(flavor = "multi_thread")]
    async fn decimal_and_network_rows_round_trip_through_generated_columns() -> super::TestResult {
        let tmp = tempfile::tempdir()?;
        let dir = MigrationsDir::new(tmp.path());
        let options = GenerateOptions {
            name: Some("devices".into()),
            ..GenerateOptions::default()
        };
        let generated = generate(&SCHEMA, &dir, &options)?;
        let sql = crate::support::written_sql(&dir, &generated).join("\n");
        for column in [
            "\"price\" numeric(10,2) NOT NULL",
            "\"balance\" numeric",
            "\"address\" inet NOT NULL",
            "\"network\" cidr",
            "\"mac\" macaddr NOT NULL",
        ] {
            assert!(sql.contains(column), "`{column}` in:\n{sql}");
        }
        let db = TestDatabase::create().await?;
        let client = db.connect().await?;
        Migrator::from_dir(tmp.path())?
            .run_on_client(&client)
            .await?;
        // The catalog reads back the types the fields declare.
        let drift = schema_core::catalog::verify(&client, &SCHEMA).await?;
        assert!(drift.is_clean(), "{drift}");

        let row = Device {
            id: 1,
            price: Decimal::from_str("1234.50")?,
            // More digits than a float keeps.
            balance: Some(Decimal::from_str("-98765432109876.123456789")?),
            // A host address with its network's prefix length, which `IpAddr` would drop.
            address: IpInet::from_str("192.168.10.7/24")?,
            network: Some(IpCidr::from_str("2001:db8::/32")?),
            mac: MacAddress::parse_str("08:00:2b:01:02:03")?,
        };
        client
            .execute(
                "INSERT INTO devices (price, balance, address, network, mac)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &row.price,
                    &row.balance,
                    &row.address,
                    &row.network,
                    &row.mac,
                ],
            )
            .await?;
        // PostgreSQL's own text of what the typed parameters wrote.
        let text = client
            .query_one(
                "SELECT price::text, balance::text, address::text, network::text, mac::text
                 FROM devices",
                &[],
            )
            .await?;
        let texts: Vec<String> = (0..5).map(|i| text.get(i)).collect();
        assert_eq!(
            texts,
            [
                "1234.50",
                "-98765432109876.123456789",
                "192.168.10.7/24",
                "2001:db8::/32",
                "08:00:2b:01:02:03"
            ]
        );
        let sql = format!("SELECT {} FROM devices", Device::COLUMN_LIST);
        let read = Device::from_row(&client.query_one(&sql, &[]).await?)?;
        assert_eq!(read.id, 1);
        assert_eq!(read.price, row.price);
        assert_eq!(read.price.to_string(), "1234.50");
        assert_eq!(read.balance, row.balance);
        assert_eq!(read.address, row.address);
        assert_eq!(read.network, row.network);
        assert_eq!(read.mac, row.mac);
        Ok(())
    }
}
