//! The question-bank descriptors against the facts of the spec (no database needed).

use schema::question_bank::{self, PracticeParams, QuestionDifficulty, SubscriptionStatus};
use schema_core::model::{ColumnDefault, IndexDef, OnDelete, PrimaryKey, SqlType, TableDef};
use schema_core::{PgEnum, Table};

fn table(name: &str) -> &'static TableDef {
    question_bank::SCHEMA
        .tables
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no table {name}"))
}

#[test]
fn enums_have_the_spec_names_and_labels_in_order() {
    let got: Vec<(String, Vec<String>)> = question_bank::SCHEMA
        .enums
        .iter()
        .map(|e| {
            (
                e.name.to_string(),
                e.labels.iter().map(|l| l.to_string()).collect(),
            )
        })
        .collect();
    let want = [
        ("question_difficulty", "easy medium hard"),
        ("question_status", "draft published archived"),
        ("tag_kind", "domain topic substance treatment diagnosis"),
        ("practice_mode", "tutor exam"),
        (
            "stripe_subscription_status",
            "incomplete incomplete_expired trialing active past_due canceled unpaid paused",
        ),
    ];
    let want: Vec<(String, Vec<String>)> = want
        .iter()
        .map(|(n, l)| (n.to_string(), l.split(' ').map(String::from).collect()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn tables_are_listed_in_dependency_order() {
    let names: Vec<&str> = question_bank::SCHEMA
        .tables
        .iter()
        .map(|t| &*t.name)
        .collect();
    assert_eq!(
        names,
        [
            "users",
            "stripe_customers",
            "stripe_subscriptions",
            "stripe_events",
            "questions",
            "choices",
            "tags",
            "question_tags",
            "practice_sessions",
            "attempts",
            "bookmarks"
        ]
    );
    for (i, t) in question_bank::SCHEMA.tables.iter().enumerate() {
        for fk in t.foreign_keys.iter() {
            let target = names.iter().position(|n| *n == fk.references_table);
            assert!(
                target.is_some_and(|p| p < i),
                "{} references {} which is not listed before it",
                t.name,
                fk.references_table
            );
        }
    }
}

#[test]
fn every_foreign_key_has_the_spec_name_and_action() {
    let mut got: Vec<(String, OnDelete)> = question_bank::SCHEMA
        .tables
        .iter()
        .flat_map(|t| {
            t.foreign_keys
                .iter()
                .map(move |fk| (fk.constraint_name(&t.name), fk.on_delete))
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    use OnDelete::*;
    let mut want = vec![
        ("stripe_customers_user_id_users_id_fk", Cascade),
        ("stripe_subscriptions_user_id_users_id_fk", Cascade),
        ("choices_question_id_questions_id_fk", Cascade),
        ("question_tags_question_id_questions_id_fk", Cascade),
        ("question_tags_tag_id_tags_id_fk", Cascade),
        ("practice_sessions_user_id_users_id_fk", Cascade),
        ("attempts_user_id_users_id_fk", Cascade),
        ("attempts_question_id_questions_id_fk", Cascade),
        (
            "attempts_practice_session_id_practice_sessions_id_fk",
            SetNull,
        ),
        ("attempts_selected_choice_id_choices_id_fk", SetNull),
        ("bookmarks_user_id_users_id_fk", Cascade),
        ("bookmarks_question_id_questions_id_fk", Cascade),
    ];
    want.sort_by(|a, b| a.0.cmp(b.0));
    let want: Vec<(String, OnDelete)> = want.into_iter().map(|(n, a)| (n.into(), a)).collect();
    assert_eq!(got, want);
}

/// `name unique? col[ desc][ nulls first/last], ...` for every index of the schema; a NULLs
/// order is shown only where it is not the direction's default (plain `DESC`: NULLs first).
fn index_line(t: &TableDef, i: &IndexDef) -> String {
    let cols: Vec<String> = i
        .columns
        .iter()
        .map(|c| {
            let nulls = c.nulls_clause().map(|n| format!(" {}", n.to_lowercase()));
            let desc = if c.desc { " desc" } else { "" };
            format!("{}{desc}{}", c.name, nulls.unwrap_or_default())
        })
        .collect();
    let kind = if i.unique { "unique" } else { "index" };
    format!("{}: {} {kind} ({})", t.name, i.name, cols.join(", "))
}

#[test]
fn every_index_has_the_spec_name_columns_and_order() {
    let got: Vec<String> = question_bank::SCHEMA
        .tables
        .iter()
        .flat_map(|t| t.indexes.iter().map(move |i| index_line(t, i)))
        .collect();
    let want = [
        "users: users_clerk_user_id_uq unique (clerk_user_id)",
        "users: users_email_uq unique (email)",
        "stripe_customers: stripe_customers_user_id_uq unique (user_id)",
        "stripe_customers: stripe_customers_stripe_customer_id_uq unique (stripe_customer_id)",
        "stripe_subscriptions: stripe_subscriptions_user_id_uq unique (user_id)",
        "stripe_subscriptions: stripe_subscriptions_stripe_subscription_id_uq unique (stripe_subscription_id)",
        "stripe_subscriptions: stripe_subscriptions_user_status_idx index (user_id, status)",
        "stripe_events: stripe_events_type_idx index (type)",
        "stripe_events: stripe_events_processed_at_idx index (processed_at)",
        "questions: questions_slug_uq unique (slug)",
        "questions: questions_status_difficulty_idx index (status, difficulty)",
        "questions: questions_status_created_at_idx index (status, created_at desc)",
        "choices: choices_question_id_idx index (question_id)",
        "choices: choices_question_id_label_uq unique (question_id, label)",
        "choices: choices_question_id_sort_order_uq unique (question_id, sort_order)",
        "tags: tags_slug_uq unique (slug)",
        "tags: tags_kind_slug_idx index (kind, slug)",
        "question_tags: question_tags_question_id_idx index (question_id)",
        "question_tags: question_tags_tag_id_idx index (tag_id)",
        "practice_sessions: practice_sessions_user_started_at_idx index (user_id, started_at desc)",
        "attempts: attempts_question_id_idx index (question_id)",
        "attempts: attempts_user_answered_at_idx index (user_id, answered_at desc)",
        "attempts: attempts_user_question_answered_at_idx index (user_id, question_id, answered_at desc)",
        "attempts: attempts_user_is_correct_answered_at_idx index (user_id, is_correct, answered_at desc)",
        "attempts: attempts_session_answered_at_idx index (practice_session_id, answered_at desc)",
        "bookmarks: bookmarks_question_id_idx index (question_id)",
        "bookmarks: bookmarks_user_created_at_idx index (user_id, created_at desc)",
    ];
    assert_eq!(got, want);
}

#[test]
fn primary_keys_follow_the_spec() {
    for t in question_bank::SCHEMA.tables.iter() {
        match t.name.as_ref() {
            "question_tags" => {
                assert_eq!(t.primary_key_name(), "question_tags_question_id_tag_id_pk")
            }
            "bookmarks" => assert_eq!(t.primary_key_name(), "bookmarks_user_id_question_id_pk"),
            "stripe_events" => {
                assert_eq!(t.primary_key, PrimaryKey::Column("id".into()));
                let id = t.column("id").unwrap();
                assert_eq!(id.sql_type, SqlType::Varchar(255));
                assert_eq!(id.default, None, "the Stripe event id has no default");
            }
            _ => {
                assert_eq!(t.primary_key, PrimaryKey::Column("id".into()), "{}", t.name);
                let id = t.column("id").unwrap();
                assert_eq!(id.sql_type, SqlType::Uuid);
                assert_eq!(id.default, Some(ColumnDefault::GenRandomUuid));
                assert_eq!(t.primary_key_name(), format!("{}_pkey", t.name));
            }
        }
    }
}

/// `name type [null] [default]` for every column of a table.
fn columns(name: &str) -> Vec<String> {
    table(name)
        .columns
        .iter()
        .map(|c| {
            let mut line = format!("{} {:?}", c.name, c.sql_type);
            if c.nullable {
                line.push_str(" null");
            }
            if let Some(d) = &c.default {
                line.push_str(&format!(" default {d:?}"));
            }
            line
        })
        .collect()
}

#[test]
fn columns_have_the_spec_types_nullability_and_defaults() {
    assert_eq!(
        columns("stripe_subscriptions"),
        [
            "id Uuid default GenRandomUuid",
            "user_id Uuid",
            "stripe_subscription_id Varchar(255)",
            "status Enum(\"stripe_subscription_status\")",
            "price_id Varchar(255)",
            "current_period_end TimestampTz",
            "cancel_at_period_end Boolean default Bool(false)",
            "created_at TimestampTz default Now",
            "updated_at TimestampTz default Now",
        ]
    );
    assert_eq!(
        columns("stripe_events"),
        [
            "id Varchar(255)",
            "type Varchar(255)",
            "processed_at TimestampTz null",
            "error Text null",
        ]
    );
    assert_eq!(
        columns("attempts"),
        [
            "id Uuid default GenRandomUuid",
            "user_id Uuid",
            "question_id Uuid",
            "practice_session_id Uuid null",
            "selected_choice_id Uuid null",
            "is_correct Boolean",
            "time_spent_seconds Integer default Int(0)",
            "answered_at TimestampTz default Now",
        ]
    );
    assert_eq!(
        columns("practice_sessions"),
        [
            "id Uuid default GenRandomUuid",
            "user_id Uuid",
            "mode Enum(\"practice_mode\")",
            "params_json Jsonb",
            "started_at TimestampTz default Now",
            "ended_at TimestampTz null",
        ]
    );
    assert_eq!(
        columns("users"),
        [
            "id Uuid default GenRandomUuid",
            "clerk_user_id Varchar(64)",
            "email Varchar(320)",
            "created_at TimestampTz default Now",
            "updated_at TimestampTz default Now",
        ]
    );
    assert_eq!(
        columns("choices"),
        [
            "id Uuid default GenRandomUuid",
            "question_id Uuid",
            "label Varchar(4)",
            "text_md Text",
            "is_correct Boolean",
            "sort_order Integer",
        ]
    );
}

#[test]
fn column_consts_name_the_columns_for_application_sql() {
    use question_bank::{Attempt, StripeEvent};
    assert_eq!(StripeEvent::r#type.name(), "type");
    assert_eq!(StripeEvent::r#type.quoted(), "\"type\"");
    assert_eq!(Attempt::selected_choice_id.table(), "attempts");
    assert_eq!(
        StripeEvent::COLUMN_LIST,
        "\"id\", \"type\", \"processed_at\", \"error\""
    );
}

#[test]
fn enums_map_labels_both_ways() {
    assert_eq!(SubscriptionStatus::PastDue.label(), "past_due");
    assert_eq!(
        SubscriptionStatus::from_label("incomplete_expired"),
        Some(SubscriptionStatus::IncompleteExpired)
    );
    assert_eq!(SubscriptionStatus::from_label("pastdue"), None);
    for e in SubscriptionStatus::VARIANTS {
        assert_eq!(SubscriptionStatus::from_label(e.label()), Some(*e));
    }
}

#[test]
fn practice_params_use_camel_case_keys_and_enum_labels() {
    let params = PracticeParams {
        count: 10,
        tag_slugs: vec!["cardio".into()],
        difficulties: vec![QuestionDifficulty::Hard],
        question_ids: vec![uuid::Uuid::nil()],
    };
    let json = serde_json::to_value(&params).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "count": 10,
            "tagSlugs": ["cardio"],
            "difficulties": ["hard"],
            "questionIds": ["00000000-0000-0000-0000-000000000000"],
        })
    );
    assert_eq!(
        serde_json::from_value::<PracticeParams>(json).unwrap(),
        params
    );
}

/// A table that exists in code but is in no list of the schema.
#[schema_core::table(name = "forgotten_notes")]
#[allow(dead_code)] // declared, never read
pub struct ForgottenNote {
    #[primary_key]
    pub id: uuid::Uuid,
}

#[test]
fn a_table_left_out_of_the_list_is_still_visible() {
    let declared: Vec<&str> = schema_core::__private::declared_tables()
        .map(|r| r.table)
        .collect();
    assert!(declared.contains(&"forgotten_notes"), "{declared:?}");
    assert!(question_bank::SCHEMA
        .tables
        .iter()
        .all(|t| t.name != "forgotten_notes"));
    for t in question_bank::SCHEMA.tables.iter() {
        assert!(declared.contains(&&*t.name), "{} not registered", t.name);
    }
    let note = schema_core::__private::declared_tables()
        .find(|r| r.table == "forgotten_notes")
        .unwrap();
    assert!(
        note.rust_path.ends_with("::ForgottenNote"),
        "{}",
        note.rust_path
    );
    let _ = ForgottenNote::TABLE;
}

/// A table of this crate's own schema, beside `ForgottenNote`, which the schema leaves out.
#[schema_core::table(name = "note_authors")]
#[allow(dead_code)] // declared, never read
pub struct NoteAuthor {
    #[primary_key]
    pub id: uuid::Uuid,
}

const NOTES_SCHEMA: schema_core::Schema = schema_core::schema! { enums: [], tables: [NoteAuthor] };

#[test]
fn generate_names_a_table_left_out_of_its_crates_schema() {
    let missing = schema_core::registry::unregistered_tables(&NOTES_SCHEMA);
    // The question bank's tables are linked in too, but belong to the `schema` crate's list.
    let this_crate = module_path!().split("::").next().unwrap();
    assert!(
        missing.iter().all(|r| r.crate_name() == this_crate),
        "{:?}",
        missing.iter().map(|r| r.rust_path).collect::<Vec<_>>()
    );
    // The other test modules of this crate declare tables of their own, left out as well.
    let of_this_module: Vec<&str> = missing
        .iter()
        .filter(|r| r.rust_path.starts_with(concat!(module_path!(), "::")))
        .map(|r| r.table)
        .collect();
    assert_eq!(of_this_module, ["forgotten_notes"]);

    let dir = tempfile::tempdir().unwrap();
    let args = schema_core::generate::CommandArgs {
        dir: dir.path().join("migrations"),
        check: false,
        options: Default::default(),
        ..Default::default()
    };
    let mut out = Vec::new();
    let ok = schema_core::generate::run(&NOTES_SCHEMA, &args, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(!ok, "{out}");
    assert!(out.contains("`forgotten_notes`"), "{out}");
    assert!(
        !dir.path().join("migrations").exists(),
        "nothing is written while a table is unregistered"
    );
}
