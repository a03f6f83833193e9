#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// Without TLS the connector is tokio-postgres's `NoTls`, which is `Copy`; the code that
// clones it is the same for rustls's, which is not.
#![cfg_attr(not(feature = "tls"), allow(clippy::clone_on_copy))]

// The macros name the engine `::schema_core`; this lets the engine's own tests use them.
extern crate self as schema_core;

#[cfg(feature = "dev")]
pub mod catalog;
#[cfg(feature = "cli")]
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

#[cfg(feature = "dev")]
pub mod diff;
#[cfg(feature = "dev")]
pub mod generate;
#[cfg(feature = "lint")]
pub mod lint;
pub mod migrations_dir;
#[cfg(feature = "dev")]
pub mod online;
pub mod plan;
pub mod registry;
mod report;
pub use report::error_chain;
/// The names PostgreSQL objects get when the schema does not name them (`<table>_pkey`, ...).
pub use schema_rules::names;
/// The registry rules, each a `const fn` returning the [`rules::Violation`] it finds.
pub use schema_rules::rules;
#[cfg(feature = "dev")]
pub mod render;
pub mod sql;
