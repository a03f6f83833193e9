//! The rules, derived names and SQL spellings shared by `schema-macros` and `schema-core`.
//!
//! A proc-macro crate cannot depend on the crate that re-exports it, so what both need lives
//! here, with no dependencies: each rule once, as a `const fn` that returns the violation, so
//! the macros (at expansion), `schema!` (in a `const` item) and `registry::validate` (at run
//! time) decide alike and print the same words.

#![warn(missing_docs)]

mod const_str;
pub mod names;
pub mod rules;
pub mod sql;
pub mod types;
