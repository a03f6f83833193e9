//! The question-bank schema: five enums and eleven tables, written with `#[pg_enum]` and
//! `#[table]`. Every name here is a contract shared with the drizzle-kit schema it replaces.

use chrono::{DateTime, Utc};
use schema_core::Schema;
use schema_core::{pg_enum, table, Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[pg_enum]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionDifficulty {
    Easy,
    Medium,
    Hard,
}

#[pg_enum]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionStatus {
    Draft,
    Published,
    Archived,
}

#[pg_enum]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagKind {
    Domain,
    Topic,
    Substance,
    Treatment,
    Diagnosis,
}

#[pg_enum]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PracticeMode {
    Tutor,
    Exam,
}

/// Stripe's subscription statuses, as Stripe spells them.
#[pg_enum(name = "stripe_subscription_status")]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Canceled,
    Unpaid,
    Paused,
}

#[table(name = "users")]
#[unique_index(name = "users_clerk_user_id_uq", on(clerk_user_id))]
#[unique_index(name = "users_email_uq", on(email))]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[primary_key]
    pub id: Uuid,
    #[column(varchar = 64)]
    pub clerk_user_id: String,
    #[column(varchar = 320)]
    pub email: String,
    #[column(default = now)]
    pub created_at: DateTime<Utc>,
    #[column(default = now)]
    pub updated_at: DateTime<Utc>,
}

#[table(name = "stripe_customers")]
#[unique_index(name = "stripe_customers_user_id_uq", on(user_id))]
#[unique_index(
    name = "stripe_customers_stripe_customer_id_uq",
    on(stripe_customer_id)
)]
#[derive(Debug, Clone, PartialEq)]
pub struct StripeCustomer {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id, on_delete = cascade)]
    pub user_id: Uuid,
    #[column(varchar = 255)]
    pub stripe_customer_id: String,
    #[column(default = now)]
    pub created_at: DateTime<Utc>,
}

#[table(name = "stripe_subscriptions")]
#[unique_index(name = "stripe_subscriptions_user_id_uq", on(user_id))]
#[unique_index(
    name = "stripe_subscriptions_stripe_subscription_id_uq",
    on(stripe_subscription_id)
)]
#[index(name = "stripe_subscriptions_user_status_idx", on(user_id, status))]
#[derive(Debug, Clone, PartialEq)]
pub struct StripeSubscription {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id, on_delete = cascade)]
    pub user_id: Uuid,
    #[column(varchar = 255)]
    pub stripe_subscription_id: String,
    pub status: SubscriptionStatus,
    #[column(varchar = 255)]
    pub price_id: String,
    pub current_period_end: DateTime<Utc>,
    #[column(default = false)]
    pub cancel_at_period_end: bool,
    #[column(default = now)]
    pub created_at: DateTime<Utc>,
    #[column(default = now)]
    pub updated_at: DateTime<Utc>,
}

/// One Stripe webhook event, keyed by Stripe's own event id so that a redelivery finds the
/// row of the first delivery.
#[table(name = "stripe_events")]
#[index(name = "stripe_events_type_idx", on(r#type))]
#[index(name = "stripe_events_processed_at_idx", on(processed_at))]
#[derive(Debug, Clone, PartialEq)]
pub struct StripeEvent {
    #[primary_key(natural)]
    #[column(varchar = 255)]
    pub id: String,
    #[column(varchar = 255)]
    pub r#type: String,
    pub processed_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

#[table(name = "questions")]
#[unique_index(name = "questions_slug_uq", on(slug))]
#[index(name = "questions_status_difficulty_idx", on(status, difficulty))]
#[index(name = "questions_status_created_at_idx", on(status, created_at(desc)))]
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    #[primary_key]
    pub id: Uuid,
    #[column(varchar = 255)]
    pub slug: String,
    pub stem_md: String,
    pub explanation_md: String,
    pub difficulty: QuestionDifficulty,
    pub status: QuestionStatus,
    #[column(default = now)]
    pub created_at: DateTime<Utc>,
    #[column(default = now)]
    pub updated_at: DateTime<Utc>,
}

#[table(name = "choices")]
#[index(name = "choices_question_id_idx", on(question_id))]
#[unique_index(name = "choices_question_id_label_uq", on(question_id, label))]
#[unique_index(
    name = "choices_question_id_sort_order_uq",
    on(question_id, sort_order)
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = Question::id, on_delete = cascade)]
    pub question_id: Uuid,
    #[column(varchar = 4)]
    pub label: String,
    pub text_md: String,
    pub is_correct: bool,
    pub sort_order: i32,
}

#[table(name = "tags")]
#[unique_index(name = "tags_slug_uq", on(slug))]
#[index(name = "tags_kind_slug_idx", on(kind, slug))]
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    #[primary_key]
    pub id: Uuid,
    #[column(varchar = 255)]
    pub slug: String,
    #[column(varchar = 255)]
    pub name: String,
    pub kind: TagKind,
}

#[table(name = "question_tags")]
#[primary_key(question_id, tag_id)]
#[index(name = "question_tags_question_id_idx", on(question_id))]
#[index(name = "question_tags_tag_id_idx", on(tag_id))]
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionTag {
    #[foreign_key(references = Question::id, on_delete = cascade)]
    pub question_id: Uuid,
    #[foreign_key(references = Tag::id, on_delete = cascade)]
    pub tag_id: Uuid,
}

/// What a practice session was asked for, stored as jsonb with camelCase keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PracticeParams {
    pub count: u32,
    pub tag_slugs: Vec<String>,
    pub difficulties: Vec<QuestionDifficulty>,
    pub question_ids: Vec<Uuid>,
}

#[table(name = "practice_sessions")]
#[index(
    name = "practice_sessions_user_started_at_idx",
    on(user_id, started_at(desc))
)]
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeSession {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id, on_delete = cascade)]
    pub user_id: Uuid,
    pub mode: PracticeMode,
    pub params_json: Json<PracticeParams>,
    #[column(default = now)]
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[table(name = "attempts")]
#[index(name = "attempts_question_id_idx", on(question_id))]
#[index(name = "attempts_user_answered_at_idx", on(user_id, answered_at(desc)))]
#[index(
    name = "attempts_user_question_answered_at_idx",
    on(user_id, question_id, answered_at(desc))
)]
#[index(
    name = "attempts_user_is_correct_answered_at_idx",
    on(user_id, is_correct, answered_at(desc))
)]
#[index(
    name = "attempts_session_answered_at_idx",
    on(practice_session_id, answered_at(desc))
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id, on_delete = cascade)]
    pub user_id: Uuid,
    #[foreign_key(references = Question::id, on_delete = cascade)]
    pub question_id: Uuid,
    #[foreign_key(references = PracticeSession::id, on_delete = set_null)]
    pub practice_session_id: Option<Uuid>,
    #[foreign_key(references = Choice::id, on_delete = set_null)]
    pub selected_choice_id: Option<Uuid>,
    pub is_correct: bool,
    #[column(default = 0)]
    pub time_spent_seconds: i32,
    #[column(default = now)]
    pub answered_at: DateTime<Utc>,
}

#[table(name = "bookmarks")]
#[primary_key(user_id, question_id)]
#[index(name = "bookmarks_question_id_idx", on(question_id))]
#[index(name = "bookmarks_user_created_at_idx", on(user_id, created_at(desc)))]
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    #[foreign_key(references = User::id, on_delete = cascade)]
    pub user_id: Uuid,
    #[foreign_key(references = Question::id, on_delete = cascade)]
    pub question_id: Uuid,
    #[column(default = now)]
    pub created_at: DateTime<Utc>,
}

/// The question-bank schema as the ordered registry: the five enums, and the eleven tables,
/// each after the tables its foreign keys reference. `generate` and `verify` work from it.
pub const SCHEMA: Schema = schema_core::schema! {
    enums: [QuestionDifficulty, QuestionStatus, TagKind, PracticeMode, SubscriptionStatus],
    tables: [
        User,
        StripeCustomer,
        StripeSubscription,
        StripeEvent,
        Question,
        Choice,
        Tag,
        QuestionTag,
        PracticeSession,
        Attempt,
        Bookmark,
    ],
};
