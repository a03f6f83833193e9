//! The repository's own `migrations/` applied to a fresh database gives the question-bank
//! schema of `question-bank-schema.md`. Expectations are written from that spec, not read
//! from the migration, so a generated migration that drifts from the contract fails here.

use crate::migrate_support as support;

use std::collections::BTreeSet;

use schema_core::migrate::Migrator;
use schema_core::model::{OnDelete, PrimaryKey, Schema, SqlType};
use schema_core::testing::TestDatabase;
use support::config;
use tokio_postgres::Client;

/// The spec, as the data the other tests compare the macro-built schema with: the tables,
/// enums, keys and timestamps this database must have are read from it, not from the
/// migration.
fn spec() -> Schema {
    crate::support::question_bank::spec_schema()
}

/// How `pg_constraint.confdeltype` reads, spelled as the spec writes ON DELETE.
fn on_delete(action: OnDelete) -> &'static str {
    match action {
        OnDelete::Cascade => "CASCADE",
        OnDelete::SetNull => "SET NULL",
        OnDelete::Restrict => "RESTRICT",
        OnDelete::SetDefault => "SET DEFAULT",
        OnDelete::NoAction => "NO ACTION",
    }
}

async fn strings(client: &Client, sql: &str) -> Vec<String> {
    let rows = client.query(sql, &[]).await.expect(sql);
    rows.iter().map(|r| r.get(0)).collect()
}

/// The committed migrations applied by a run on a fresh database.
async fn migrated_by_a_run() -> (TestDatabase, Client) {
    let db = TestDatabase::create().await.unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    assert!(
        std::path::Path::new(dir).join("0000_initial.sql").is_file(),
        "{dir}/0000_initial.sql is missing: it is written by the generate command from the \
         schema code (cargo run --example generate) and committed"
    );
    let migrator = Migrator::from_dir(dir).unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    let report = migrator
        .run(&config(&db))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    assert_eq!(report.applied[0].name, "0000_initial.sql");
    let again = migrator.run(&config(&db)).await.unwrap();
    assert!(again.applied.is_empty(), "a second run applies nothing");
    let client = db.connect().await.unwrap();
    (db, client)
}

/// The same database copied from the template the committed migrations build once: the copy
/// has the ledger too, so a run on it applies nothing.
async fn migrated() -> (TestDatabase, Client) {
    let db = crate::support::migrated::question_bank().await;
    let migrator = crate::support::migrated::migrator();
    let again = migrator
        .run(&config(&db))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    assert!(
        again.applied.is_empty(),
        "a run on the copy applies nothing"
    );
    assert_eq!(again.already_applied, migrator.migrations().len());
    let client = db.connect().await.unwrap();
    (db, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_database_gets_the_question_bank_schema() {
    let (_db, client) = migrated_by_a_run().await;

    let pgcrypto = strings(
        &client,
        "SELECT extname::text FROM pg_extension WHERE extname = 'pgcrypto'",
    )
    .await;
    assert_eq!(pgcrypto, ["pgcrypto"]);

    let tables = strings(
        &client,
        "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
         AND relkind = 'r' ORDER BY 1",
    )
    .await;
    let spec = spec();
    let mut expected: Vec<&str> = spec.tables.iter().map(|t| &*t.name).collect();
    expected.sort();
    assert_eq!(tables, expected);

    for e in spec.enums.iter() {
        let name = &e.name;
        let actual = strings(
            &client,
            &format!(
                "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = 'public.{name}'::regtype \
                 ORDER BY enumsortorder"
            ),
        )
        .await;
        assert_eq!(actual, e.labels.as_ref(), "labels of {name}");
    }
    let enum_count = strings(
        &client,
        "SELECT typname::text FROM pg_type WHERE typtype = 'e' \
         AND typnamespace = 'public'::regnamespace",
    )
    .await
    .len();
    assert_eq!(enum_count, spec.enums.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_foreign_key_has_the_specified_name_and_on_delete() {
    let (_db, client) = migrated().await;
    let actual: BTreeSet<String> = strings(
        &client,
        "SELECT c.conname || ' ' || c.conrelid::regclass || '.' || a.attname || ' -> ' || \
                c.confrelid::regclass || '.' || fa.attname || ' ' || \
                CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                     WHEN 'r' THEN 'RESTRICT' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END || \
                ' update:' || c.confupdtype::text \
         FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] \
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace",
    )
    .await
    .into_iter()
    .collect();
    let spec = spec();
    let expected: BTreeSet<String> = spec
        .tables
        .iter()
        .flat_map(|t| t.foreign_keys.iter().map(move |fk| (&t.name, fk)))
        .map(|(table, fk)| {
            let (column, target, key) = (&fk.column, &fk.references_table, &fk.references_column);
            let action = on_delete(fk.on_delete);
            // `update:a` is ON UPDATE NO ACTION.
            format!(
                "{table}_{column}_{target}_{key}_fk {table}.{column} -> {target}.{key} {action} update:a"
            )
        })
        .collect();
    assert_eq!(expected.len(), 12, "the spec's foreign keys");
    assert_eq!(actual, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_timestamp_is_timestamptz() {
    let (_db, client) = migrated().await;
    let timestamps = strings(
        &client,
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND data_type = 'timestamp with time zone' ORDER BY 1",
    )
    .await;
    let mut expected: Vec<String> = spec()
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().map(move |c| (&t.name, c)))
        .filter(|(_, c)| c.sql_type == SqlType::TimestampTz)
        .map(|(table, c)| format!("{table}.{}", c.name))
        .collect();
    expected.sort();
    assert_eq!(expected.len(), 13, "the spec's timestamps");
    assert_eq!(timestamps, expected);
    let without_zone = strings(
        &client,
        "SELECT table_name || '.' || column_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND data_type IN ('timestamp without time zone', 'date', \
         'time without time zone', 'time with time zone')",
    )
    .await;
    assert!(without_zone.is_empty(), "{without_zone:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_uuid_primary_key_defaults_to_gen_random_uuid() {
    let (_db, client) = migrated().await;
    let keys = strings(
        &client,
        "SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || \
                format_type(a.atttypid, a.atttypmod) || ' ' || \
                coalesce(pg_get_expr(d.adbin, d.adrelid), 'no default') \
         FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE c.contype = 'p' AND cardinality(c.conkey) = 1 \
         AND c.connamespace = 'public'::regnamespace ORDER BY 1",
    )
    .await;
    let mut expected: Vec<String> = spec()
        .tables
        .iter()
        .filter(|t| match &t.primary_key {
            PrimaryKey::Column(key) => t.column(key).unwrap().sql_type == SqlType::Uuid,
            PrimaryKey::Composite(_) => false,
        })
        .map(|t| format!("{0} {0}_pkey uuid gen_random_uuid()", t.name))
        .collect();
    assert_eq!(expected.len(), 8, "the spec's generated UUID keys");
    // The one natural key: the Stripe event id, with no default.
    expected.push("stripe_events stripe_events_pkey character varying(255) no default".into());
    expected.sort();
    assert_eq!(keys, expected);

    let composite = strings(
        &client,
        "SELECT conname::text FROM pg_constraint WHERE contype = 'p' \
         AND cardinality(conkey) = 2 AND connamespace = 'public'::regnamespace ORDER BY 1",
    )
    .await;
    assert_eq!(
        composite,
        [
            "bookmarks_user_id_question_id_pk",
            "question_tags_question_id_tag_id_pk"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn indexes_and_columns_are_the_specified_ones() {
    let (_db, client) = migrated().await;
    let indexes = strings(
        &client,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' \
         AND tablename IN ('attempts', 'users', 'questions') ORDER BY indexname",
    )
    .await;
    assert_eq!(
        indexes,
        [
            "CREATE UNIQUE INDEX attempts_pkey ON public.attempts USING btree (id)",
            "CREATE INDEX attempts_question_id_idx ON public.attempts USING btree (question_id)",
            "CREATE INDEX attempts_session_answered_at_idx ON public.attempts USING btree (practice_session_id, answered_at DESC)",
            "CREATE INDEX attempts_user_answered_at_idx ON public.attempts USING btree (user_id, answered_at DESC)",
            "CREATE INDEX attempts_user_is_correct_answered_at_idx ON public.attempts USING btree (user_id, is_correct, answered_at DESC)",
            "CREATE INDEX attempts_user_question_answered_at_idx ON public.attempts USING btree (user_id, question_id, answered_at DESC)",
            "CREATE UNIQUE INDEX questions_pkey ON public.questions USING btree (id)",
            "CREATE UNIQUE INDEX questions_slug_uq ON public.questions USING btree (slug)",
            "CREATE INDEX questions_status_created_at_idx ON public.questions USING btree (status, created_at DESC)",
            "CREATE INDEX questions_status_difficulty_idx ON public.questions USING btree (status, difficulty)",
            "CREATE UNIQUE INDEX users_clerk_user_id_uq ON public.users USING btree (clerk_user_id)",
            "CREATE UNIQUE INDEX users_email_uq ON public.users USING btree (email)",
            "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)",
        ]
    );
    let index_count = strings(
        &client,
        "SELECT count(*)::text FROM pg_indexes WHERE schemaname = 'public'",
    )
    .await;
    assert_eq!(
        index_count,
        ["38"],
        "27 named indexes and 11 primary key indexes"
    );

    let columns = strings(
        &client,
        "SELECT column_name || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || \
         CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END || ' ' || \
         coalesce(pg_get_expr(d.adbin, d.adrelid), '-') \
         FROM information_schema.columns c \
         JOIN pg_attribute a ON a.attrelid = 'attempts'::regclass AND a.attname = c.column_name \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE c.table_name = 'attempts' ORDER BY c.ordinal_position",
    )
    .await;
    assert_eq!(
        columns,
        [
            "id uuid not null gen_random_uuid()",
            "user_id uuid not null -",
            "question_id uuid not null -",
            "practice_session_id uuid null -",
            "selected_choice_id uuid null -",
            "is_correct boolean not null -",
            "time_spent_seconds integer not null 0",
            "answered_at timestamp with time zone not null now()",
        ]
    );
}

/// Fills the tables the descending indexes live on with enough rows (200,000 attempts, 60,000 sessions) that
/// the planner weighs its options, then analyzes them.
async fn fill_for_plans(client: &Client) {
    client
        .batch_execute(
            "INSERT INTO users (clerk_user_id, email)
                 SELECT 'user_' || g, 'user_' || g || '@example.test' FROM generate_series(0, 299) g;
             INSERT INTO questions (slug, stem_md, explanation_md, difficulty, status, created_at)
                 SELECT 'q-' || g, 'stem', 'why',
                        (ARRAY['easy', 'medium', 'hard'])[1 + g % 3]::question_difficulty,
                        (ARRAY['draft', 'published', 'archived'])[1 + (g / 3) % 3]::question_status,
                        now() - g * interval '1 minute'
                 FROM generate_series(0, 29999) g;
             CREATE TEMP TABLE u AS SELECT array_agg(id ORDER BY clerk_user_id) AS a FROM users;
             CREATE TEMP TABLE q AS SELECT array_agg(id ORDER BY slug) AS a FROM questions;
             INSERT INTO practice_sessions (user_id, mode, params_json, started_at)
                 SELECT u.a[1 + g % 300], 'tutor', '{}', now() - g * interval '1 minute'
                 FROM generate_series(0, 59999) g, u;
             CREATE TEMP TABLE s AS SELECT array_agg(id ORDER BY started_at) AS a
                 FROM practice_sessions;
             INSERT INTO attempts (user_id, question_id, practice_session_id, is_correct,
                                   answered_at)
                 SELECT u.a[1 + g % 300], q.a[1 + g % 2000],
                        CASE WHEN g % 10 <> 0 THEN s.a[1 + g % 2000] END,
                        g % 3 = 0, now() - g * interval '1 second'
                 FROM generate_series(0, 199999) g, u, q, s;
             INSERT INTO bookmarks (user_id, question_id, created_at)
                 SELECT u.a[1 + g % 300], q.a[1 + g / 300], now() - g * interval '1 minute'
                 FROM generate_series(0, 59999) g, u, q;
             ANALYZE users, questions, practice_sessions, attempts, bookmarks;",
        )
        .await
        .unwrap();
}

async fn plan(client: &Client, query: &str) -> String {
    strings(client, &format!("EXPLAIN {query}"))
        .await
        .join("\n")
}

/// The app's "latest first" queries read each descending index in order and stop after 20
/// rows: the migrations write plain `DESC`, which is the order `ORDER BY .. DESC` asks for
/// (NULLs first). An index written `DESC NULLS LAST` would need a Sort on top.
#[tokio::test(flavor = "multi_thread")]
async fn each_descending_index_serves_its_latest_first_query_without_a_sort() {
    let (_db, client) = migrated().await;
    fill_for_plans(&client).await;
    let row = client
        .query_one(
            "SELECT user_id::text, question_id::text, practice_session_id::text FROM attempts
             WHERE practice_session_id IS NOT NULL LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    let (user, question, session): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    let cases = [
        (
            "questions_status_created_at_idx",
            "SELECT * FROM questions WHERE status = 'published' ORDER BY created_at DESC LIMIT 20"
                .to_string(),
        ),
        (
            "practice_sessions_user_started_at_idx",
            format!(
                "SELECT * FROM practice_sessions WHERE user_id = '{user}' \
                 ORDER BY started_at DESC LIMIT 20"
            ),
        ),
        (
            "attempts_user_answered_at_idx",
            format!(
                "SELECT * FROM attempts WHERE user_id = '{user}' \
                 ORDER BY answered_at DESC LIMIT 20"
            ),
        ),
        (
            "attempts_user_question_answered_at_idx",
            format!(
                "SELECT * FROM attempts WHERE user_id = '{user}' AND question_id = '{question}' \
                 ORDER BY answered_at DESC LIMIT 20"
            ),
        ),
        (
            "attempts_user_is_correct_answered_at_idx",
            format!(
                "SELECT * FROM attempts WHERE user_id = '{user}' AND is_correct = false \
                 ORDER BY answered_at DESC LIMIT 20"
            ),
        ),
        (
            "attempts_session_answered_at_idx",
            format!(
                "SELECT * FROM attempts WHERE practice_session_id = '{session}' \
                 ORDER BY answered_at DESC LIMIT 20"
            ),
        ),
        (
            "bookmarks_user_created_at_idx",
            format!(
                "SELECT * FROM bookmarks WHERE user_id = '{user}' \
                 ORDER BY created_at DESC LIMIT 20"
            ),
        ),
    ];
    for (index, query) in &cases {
        let plan = plan(&client, query).await;
        assert!(
            plan.contains(&format!("Index Scan using {index} ")) && !plan.contains("Sort"),
            "{query}\nshould read {index} in order, without a Sort:\n{plan}"
        );
    }

    // The same query against the `DESC NULLS LAST` form of the index needs a Sort: the check
    // above can tell the two apart.
    client
        .batch_execute(
            "DROP INDEX attempts_user_answered_at_idx;
             CREATE INDEX attempts_user_answered_at_idx ON attempts
                 (user_id, answered_at DESC NULLS LAST);
             ANALYZE attempts;",
        )
        .await
        .unwrap();
    let plan = plan(&client, &cases[2].1).await;
    assert!(plan.contains("Sort"), "{plan}");
}
