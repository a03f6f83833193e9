//! The kinds of objects a live database can hold and a schema in code does not declare yet:
//! unique, check and exclusion constraints, views, free sequences, and a table's triggers,
//! rules and policies. The catalog reader fills them in; a schema in code leaves them empty.

use super::Name;
use serde::{Deserialize, Serialize};

/// A unique, check or exclusion constraint (primary and foreign keys have types of their own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintDef {
    /// The constraint's name.
    pub name: Name,
    /// Unique, check, exclusion or another kind.
    pub kind: ConstraintKind,
    /// Its definition as `pg_get_constraintdef` prints it (`CHECK ((views >= 0))`), without
    /// the `NOT VALID` that `not_valid` says.
    pub definition: Name,
    /// Added `NOT VALID` and never validated: existing rows were not checked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `DEFERRABLE`; `None` for PostgreSQL's default, `NOT DEFERRABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferrable: Option<Deferral>,
}

/// What sort of constraint a [`ConstraintDef`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    /// `UNIQUE`.
    Unique,
    /// `CHECK`.
    Check,
    /// `EXCLUDE`.
    Exclusion,
    /// A constraint trigger or any kind a newer server adds.
    Other,
}

/// When a `DEFERRABLE` constraint is checked unless a transaction says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferral {
    /// `INITIALLY IMMEDIATE`: per statement.
    InitiallyImmediate,
    /// `INITIALLY DEFERRED`: at commit.
    InitiallyDeferred,
}

/// A view or materialized view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewDef {
    /// The view's name, unqualified.
    pub name: Name,
    /// True for a materialized view.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    /// Its query as `pg_get_viewdef` prints it, trimmed.
    pub definition: Name,
    /// The indexes of a materialized view, each as `pg_get_indexdef` prints it, sorted.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub indexes: super::List<Name>,
}

/// A sequence no column owns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceDef {
    /// The sequence's name, unqualified.
    pub name: Name,
    /// Its type and settings as `CREATE SEQUENCE` takes them (`AS integer START WITH 1
    /// INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE`); `None` in snapshots
    /// written before it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Name>,
}

/// An object known by its name and its definition as PostgreSQL prints it: a table's trigger,
/// rule or policy (`pg_get_triggerdef`, `pg_get_ruledef`, the policy's clauses from
/// `pg_policies`), or a schema's function (`pg_get_functiondef`), domain or event trigger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableObjectDef {
    /// The object's name.
    pub name: Name,
    /// Its definition as PostgreSQL prints it.
    pub definition: Name,
}
