//! The drift of objects no migration makes (views, sequences, triggers, rules, policies,
//! extensions) and of table, column, index and constraint properties a migration never sets
//! (UNLOGGED, row-level security, collations, INVALID, NOT VALID, DEFERRABLE): how each is
//! told to the user, and what to do about it.

use super::drift::Drift;
use std::fmt;

/// What kind of object an [`Drift::ExtraObject`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A sequence no column owns.
    Sequence,
    /// A trigger on a table.
    Trigger,
    /// A rewrite rule on a table.
    Rule,
    /// A row-level security policy on a table.
    Policy,
    /// An extension other than `pgcrypto` and the built-in `plpgsql`.
    Extension,
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Rule => "rule",
            ObjectKind::Policy => "policy",
            ObjectKind::Extension => "extension",
        })
    }
}

/// The message of each drift kind declared after `ExtraConstraint`.
pub(super) fn fmt(drift: &Drift, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match drift {
        Drift::ExtraObject {
            kind,
            table,
            name,
            found,
        } => {
            if let Some(table) = table {
                write!(f, "table `{table}`: ")?;
            }
            write!(f, "{kind} `{name}`")?;
            if !found.is_empty() {
                write!(f, " ({found})")?;
            }
            write!(f, " exists in the database but no migration makes it")
        }
        Drift::MissingExtension { name } => write!(
            f,
            "extension `{name}` is missing from the database; the migrations install it \
             (CREATE EXTENSION IF NOT EXISTS {})",
            crate::sql::quote_ident(name)
        ),
        Drift::RowLevelSecurity { table, forced } => write!(
            f,
            "table `{table}` has row-level security {} in the database, none in code",
            if *forced {
                "enabled and forced"
            } else {
                "enabled"
            }
        ),
        Drift::UnloggedTable { table } => write!(
            f,
            "table `{table}` is UNLOGGED in the database (emptied after a crash, not \
             replicated), a logged table in code"
        ),
        Drift::ColumnCollation {
            table,
            column,
            collation,
        } => write!(
            f,
            "column `{table}.{column}` has collation `{collation}` in the database, its type's \
             default in code"
        ),
        Drift::InvalidIndex { table, name } => write!(
            f,
            "table `{table}`: index `{name}` is INVALID in the database (what a failed \
             CREATE INDEX CONCURRENTLY leaves): queries do not use it; drop it and create it again"
        ),
        Drift::ConstraintNotValid {
            table,
            name,
            definition,
        } => write!(
            f,
            "table `{table}`: constraint `{name}` ({definition}) was never validated: existing \
             rows were not checked (ALTER TABLE .. VALIDATE CONSTRAINT checks them)"
        ),
        Drift::ConstraintDeferrable {
            table,
            name,
            initially_deferred,
        } => write!(
            f,
            "table `{table}`: constraint `{name}` is DEFERRABLE{} in the database, NOT \
             DEFERRABLE in code",
            if *initially_deferred {
                " INITIALLY DEFERRED"
            } else {
                ""
            }
        ),
        // The variants declared before these are written in `drift.rs`.
        other => write!(f, "{other:?}"),
    }
}
