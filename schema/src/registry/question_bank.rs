//! The question-bank schema, under the name the commands and checks use.

/// The five enums and eleven tables of the question bank, declared in
/// [`crate::question_bank`].
pub use crate::question_bank::SCHEMA as QUESTION_BANK;
