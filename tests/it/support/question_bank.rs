//! The question-bank schema of `spec/question-bank-schema.md`, written as plain data, line by
//! line from the spec: the reference the macro-built schema is compared with.

use super::build::*;
use schema_core::model::{ColumnDefault, OnDelete::*, Schema, SqlType};

pub fn spec_schema() -> Schema {
    let enums = vec![
        enum_def("question_difficulty", &["easy", "medium", "hard"]),
        enum_def("question_status", &["draft", "published", "archived"]),
        enum_def(
            "tag_kind",
            &["domain", "topic", "substance", "treatment", "diagnosis"],
        ),
        enum_def("practice_mode", &["tutor", "exam"]),
        enum_def(
            "stripe_subscription_status",
            &[
                "incomplete",
                "incomplete_expired",
                "trialing",
                "active",
                "past_due",
                "canceled",
                "unpaid",
                "paused",
            ],
        ),
    ];
    let users = table(
        "users",
        vec![
            uuid_pk(),
            varchar("clerk_user_id", 64),
            varchar("email", 320),
            now("created_at"),
            now("updated_at"),
        ],
    );
    let users = index(users, "users_clerk_user_id_uq", true, &["clerk_user_id"]);
    let users = index(users, "users_email_uq", true, &["email"]);

    let customers = table(
        "stripe_customers",
        vec![
            uuid_pk(),
            col("user_id", SqlType::Uuid),
            varchar("stripe_customer_id", 255),
            now("created_at"),
        ],
    );
    let customers = fk(customers, "user_id", "users", Cascade);
    let customers = index(customers, "stripe_customers_user_id_uq", true, &["user_id"]);
    let customers = index(
        customers,
        "stripe_customers_stripe_customer_id_uq",
        true,
        &["stripe_customer_id"],
    );

    let subs = table(
        "stripe_subscriptions",
        vec![
            uuid_pk(),
            col("user_id", SqlType::Uuid),
            varchar("stripe_subscription_id", 255),
            enum_col("status", "stripe_subscription_status"),
            varchar("price_id", 255),
            tz("current_period_end"),
            def(
                col("cancel_at_period_end", SqlType::Boolean),
                ColumnDefault::Bool(false),
            ),
            now("created_at"),
            now("updated_at"),
        ],
    );
    let subs = fk(subs, "user_id", "users", Cascade);
    let subs = index(subs, "stripe_subscriptions_user_id_uq", true, &["user_id"]);
    let subs = index(
        subs,
        "stripe_subscriptions_stripe_subscription_id_uq",
        true,
        &["stripe_subscription_id"],
    );
    let subs = index(
        subs,
        "stripe_subscriptions_user_status_idx",
        false,
        &["user_id", "status"],
    );

    let events = table(
        "stripe_events",
        vec![
            varchar("id", 255),
            varchar("type", 255),
            null(tz("processed_at")),
            null(col("error", SqlType::Text)),
        ],
    );
    let events = index(events, "stripe_events_type_idx", false, &["type"]);
    let events = index(
        events,
        "stripe_events_processed_at_idx",
        false,
        &["processed_at"],
    );

    let questions = table(
        "questions",
        vec![
            uuid_pk(),
            varchar("slug", 255),
            col("stem_md", SqlType::Text),
            col("explanation_md", SqlType::Text),
            enum_col("difficulty", "question_difficulty"),
            enum_col("status", "question_status"),
            now("created_at"),
            now("updated_at"),
        ],
    );
    let questions = index(questions, "questions_slug_uq", true, &["slug"]);
    let questions = index(
        questions,
        "questions_status_difficulty_idx",
        false,
        &["status", "difficulty"],
    );
    let questions = index(
        questions,
        "questions_status_created_at_idx",
        false,
        &["status", "created_at desc"],
    );

    let choices = table(
        "choices",
        vec![
            uuid_pk(),
            col("question_id", SqlType::Uuid),
            varchar("label", 4),
            col("text_md", SqlType::Text),
            col("is_correct", SqlType::Boolean),
            col("sort_order", SqlType::Integer),
        ],
    );
    let choices = fk(choices, "question_id", "questions", Cascade);
    let choices = index(choices, "choices_question_id_idx", false, &["question_id"]);
    let choices = index(
        choices,
        "choices_question_id_label_uq",
        true,
        &["question_id", "label"],
    );
    let choices = index(
        choices,
        "choices_question_id_sort_order_uq",
        true,
        &["question_id", "sort_order"],
    );

    let tags = table(
        "tags",
        vec![
            uuid_pk(),
            varchar("slug", 255),
            varchar("name", 255),
            enum_col("kind", "tag_kind"),
        ],
    );
    let tags = index(tags, "tags_slug_uq", true, &["slug"]);
    let tags = index(tags, "tags_kind_slug_idx", false, &["kind", "slug"]);

    let qt = table(
        "question_tags",
        vec![
            col("question_id", SqlType::Uuid),
            col("tag_id", SqlType::Uuid),
        ],
    );
    let qt = composite(qt, &["question_id", "tag_id"]);
    let qt = fk(qt, "question_id", "questions", Cascade);
    let qt = fk(qt, "tag_id", "tags", Cascade);
    let qt = index(qt, "question_tags_question_id_idx", false, &["question_id"]);
    let qt = index(qt, "question_tags_tag_id_idx", false, &["tag_id"]);

    let sessions = table(
        "practice_sessions",
        vec![
            uuid_pk(),
            col("user_id", SqlType::Uuid),
            enum_col("mode", "practice_mode"),
            col("params_json", SqlType::Jsonb),
            now("started_at"),
            null(tz("ended_at")),
        ],
    );
    let sessions = fk(sessions, "user_id", "users", Cascade);
    let sessions = index(
        sessions,
        "practice_sessions_user_started_at_idx",
        false,
        &["user_id", "started_at desc"],
    );

    let attempts = table(
        "attempts",
        vec![
            uuid_pk(),
            col("user_id", SqlType::Uuid),
            col("question_id", SqlType::Uuid),
            null(col("practice_session_id", SqlType::Uuid)),
            null(col("selected_choice_id", SqlType::Uuid)),
            col("is_correct", SqlType::Boolean),
            def(
                col("time_spent_seconds", SqlType::Integer),
                ColumnDefault::Int(0),
            ),
            now("answered_at"),
        ],
    );
    let attempts = fk(attempts, "user_id", "users", Cascade);
    let attempts = fk(attempts, "question_id", "questions", Cascade);
    let attempts = fk(
        attempts,
        "practice_session_id",
        "practice_sessions",
        SetNull,
    );
    let attempts = fk(attempts, "selected_choice_id", "choices", SetNull);
    let attempts = index(
        attempts,
        "attempts_question_id_idx",
        false,
        &["question_id"],
    );
    let attempts = index(
        attempts,
        "attempts_user_answered_at_idx",
        false,
        &["user_id", "answered_at desc"],
    );
    let attempts = index(
        attempts,
        "attempts_user_question_answered_at_idx",
        false,
        &["user_id", "question_id", "answered_at desc"],
    );
    let attempts = index(
        attempts,
        "attempts_user_is_correct_answered_at_idx",
        false,
        &["user_id", "is_correct", "answered_at desc"],
    );
    let attempts = index(
        attempts,
        "attempts_session_answered_at_idx",
        false,
        &["practice_session_id", "answered_at desc"],
    );

    let bookmarks = table(
        "bookmarks",
        vec![
            col("user_id", SqlType::Uuid),
            col("question_id", SqlType::Uuid),
            now("created_at"),
        ],
    );
    let bookmarks = composite(bookmarks, &["user_id", "question_id"]);
    let bookmarks = fk(bookmarks, "user_id", "users", Cascade);
    let bookmarks = fk(bookmarks, "question_id", "questions", Cascade);
    let bookmarks = index(
        bookmarks,
        "bookmarks_question_id_idx",
        false,
        &["question_id"],
    );
    let bookmarks = index(
        bookmarks,
        "bookmarks_user_created_at_idx",
        false,
        &["user_id", "created_at desc"],
    );

    let tables = vec![
        users, customers, subs, events, questions, choices, tags, qt, sessions, attempts, bookmarks,
    ];
    Schema {
        enums: enums.into(),
        tables: tables.into(),
        ..Default::default()
    }
}
