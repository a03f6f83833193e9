#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

// The macros name the engine `::schema_core`; this lets the engine's own tests use them.
extern crate self as schema_core;

pub mod catalog;
pub mod cli;
pub mod column_type;
pub mod migrate;
pub mod model;
#[cfg(feature = "testing")]
pub mod testing;
pub mod traits;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use column_type::ColumnType;
pub use model::*;
pub use postgres_types::Json;
pub use schema_macros::{embed_migrations, pg_enum, table};
pub use traits::{Column, PgEnum, RowError, Table};

pub mod diff;
pub mod generate;
pub mod lint;
pub mod migrations_dir;
pub mod online;
pub mod plan;
pub mod registry;
mod report;
pub use report::error_chain;
/// The names PostgreSQL objects get when the schema does not name them (`<table>_pkey`, ...).
pub use schema_rules::names;
/// The registry rules, each a `const fn` returning the [`rules::Violation`] it finds.
pub use schema_rules::rules;
pub mod render;
pub mod sql;
