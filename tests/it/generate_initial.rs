//! The initial migration of the question-bank schema: its exact text, and what it builds in a
//! real database.

use crate::support;

use schema_core::plan::plan_create;
use schema_core::render;
use schema_core::testing::TestDatabase;
use support::question_bank::spec_schema;

fn initial_sql() -> String {
    render::migration(&plan_create(&spec_schema()), false)
}

#[test]
fn initial_migration_sql() {
    insta::assert_snapshot!("initial_migration", initial_sql());
}

#[test]
fn initial_migration_is_the_same_on_every_run() {
    assert_eq!(initial_sql(), initial_sql());
}

async fn apply(db: &TestDatabase, sql: &str) -> tokio_postgres::Client {
    let client = db.connect().await.expect("connect to the test database");
    for (i, statement) in sql.split(render::BREAKPOINT).enumerate() {
        if let Err(e) = client.batch_execute(statement).await {
            panic!("statement {i} failed: {e}\n{statement}");
        }
    }
    client
}

async fn strings(client: &tokio_postgres::Client, query: &str) -> Vec<String> {
    let rows = client.query(query, &[]).await.expect(query);
    rows.iter().map(|r| r.get::<_, String>(0)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn initial_migration_builds_the_spec_schema() {
    let db = TestDatabase::create().await.expect("test database");
    let client = apply(&db, &initial_sql()).await;

    let ext = strings(
        &client,
        "SELECT extname::text FROM pg_extension WHERE extname = 'pgcrypto'",
    )
    .await;
    assert_eq!(ext, ["pgcrypto"]);

    let tables = strings(
        &client,
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .await;
    assert_eq!(
        tables,
        [
            "attempts",
            "bookmarks",
            "choices",
            "practice_sessions",
            "question_tags",
            "questions",
            "stripe_customers",
            "stripe_events",
            "stripe_subscriptions",
            "tags",
            "users"
        ]
    );

    let enums = strings(
        &client,
        "SELECT t.typname || ':' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) \
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY 1",
    )
    .await;
    assert_eq!(
        enums,
        [
            "practice_mode:tutor,exam",
            "question_difficulty:easy,medium,hard",
            "question_status:draft,published,archived",
            "stripe_subscription_status:incomplete,incomplete_expired,trialing,active,past_due,canceled,unpaid,paused",
            "tag_kind:domain,topic,substance,treatment,diagnosis",
        ]
    );

    let constraints = strings(
        &client,
        "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'p') \
         AND conrelid::regclass::text IN ('attempts', 'bookmarks', 'stripe_events') ORDER BY 1",
    )
    .await;
    assert_eq!(
        constraints,
        [
            "attempts attempts_pkey PRIMARY KEY (id)",
            "attempts attempts_practice_session_id_practice_sessions_id_fk FOREIGN KEY (practice_session_id) REFERENCES practice_sessions(id) ON DELETE SET NULL",
            "attempts attempts_question_id_questions_id_fk FOREIGN KEY (question_id) REFERENCES questions(id) ON DELETE CASCADE",
            "attempts attempts_selected_choice_id_choices_id_fk FOREIGN KEY (selected_choice_id) REFERENCES choices(id) ON DELETE SET NULL",
            "attempts attempts_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
            "bookmarks bookmarks_question_id_questions_id_fk FOREIGN KEY (question_id) REFERENCES questions(id) ON DELETE CASCADE",
            "bookmarks bookmarks_user_id_question_id_pk PRIMARY KEY (user_id, question_id)",
            "bookmarks bookmarks_user_id_users_id_fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
            "stripe_events stripe_events_pkey PRIMARY KEY (id)",
        ]
    );
    let fk_count = strings(
        &client,
        "SELECT count(*)::text FROM pg_constraint WHERE contype = 'f' AND confupdtype = 'a' \
         AND connamespace = 'public'::regnamespace",
    )
    .await;
    assert_eq!(fk_count, ["12"], "12 foreign keys, all ON UPDATE NO ACTION");

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
