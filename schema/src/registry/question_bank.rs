//! The question-bank schema as the ordered registry: the list `generate` and the runner's
//! checks work from.

use crate::model::Schema;
use crate::question_bank::*;

/// The five enums and eleven tables of the question bank, each table after the tables its
/// foreign keys reference.
pub const QUESTION_BANK: Schema = crate::schema! {
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
