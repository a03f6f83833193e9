//! The change between two schemas, as migrations.

use crate::model::Schema;
use crate::plan::{plan_create, Statement};

/// Choices that change what a diff may contain.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    pub allow_destructive: bool,
}

/// One migration to write: its statements and the schema it leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub statements: Vec<Statement>,
    pub no_transaction: bool,
    pub snapshot: Schema,
}

/// A change that is not written without the user's say.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// The migrations that turn `old` (none: an empty database) into `new`; empty when they are
/// the same.
pub fn steps(
    old: Option<&Schema>,
    new: &Schema,
    _options: &DiffOptions,
) -> Result<Vec<Step>, Refusal> {
    match old {
        None => Ok(vec![Step {
            statements: plan_create(new),
            no_transaction: false,
            snapshot: new.clone(),
        }]),
        Some(old) if old == new => Ok(Vec::new()),
        Some(_) => Err(Refusal(
            "changes after the initial migration are not supported yet".into(),
        )),
    }
}
