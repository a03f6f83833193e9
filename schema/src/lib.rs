//! The question-bank schema, written with `schema-core`: its enums and tables
//! ([`question_bank`], re-exported here), the ordered registry [`SCHEMA`], typed rows, and the
//! exactly-once handling of Stripe webhooks on `stripe_events` ([`stripe_events`]).
//!
//! It uses only `schema-core`'s public API, as any application's schema crate would.

pub mod question_bank;
pub mod stripe_events;

pub use question_bank::*;

/// The question bank's database on a development machine, used when neither `DATABASE_URL`
/// nor the libpq variables name one.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/question_bank";
