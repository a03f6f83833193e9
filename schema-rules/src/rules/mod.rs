//! The registry rules, each a `const fn` that returns the violation.
//!
//! A rule is written once here and called from three places: the macros at expansion (with
//! the span of the token to blame), `schema!`'s `const` item (rules that need the whole list)
//! and `registry::validate` at run time (schemas built by hand or read from a snapshot). All
//! three print [`Violation`]'s words, so a schema the compiler accepts is not refused later
//! with another message, and a message does not change with the place that caught it.
//!
//! `Violation<S>` is generic over its strings: `&str` where it is built (the constant
//! evaluator cannot allocate), `String` where it is kept (`schema_core::registry::RegistryError`
//! is `Violation<String>`).
//!
//! The rooms: `builtin` (the names PostgreSQL already gives), `violation` (what a broken rule
//! is), `wording` (its words), `message` (the words assembled without allocating), `item`
//! (the rules about one item).

mod builtin;
mod item;
mod message;
mod violation;
mod wording;

pub use crate::const_str::{contains, same};
pub use builtin::{BUILTIN_TYPES, SYSTEM_COLUMNS};
pub use item::{
    column_name, enum_name, foreign_key_name, identifier, index_name, pg_schema, referenced_unique,
    set_default, set_null,
};
pub use message::{Message, Piece, Pieces};
pub use violation::Violation;
