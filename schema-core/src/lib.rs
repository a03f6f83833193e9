#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// Without TLS the connector is tokio-postgres's `NoTls`, which is `Copy`; the code that
// clones it is the same for rustls's, which is not.
#![cfg_attr(not(feature = "tls"), allow(clippy::clone_on_copy))]

// The macros name the engine `::schema_core`; this lets the engine's own tests use them.
extern crate self as schema_core;

// The public surface, by what a user does with it. Everything else is the crate's own.

// --- Writing the schema in code: the macros, the traits they implement, typed rows.
pub use column_type::ColumnType;
pub use model::{Identity, OnDelete, Schema};
pub use postgres_types::Json;
pub use schema_macros::{embed_migrations, pg_enum, table};
pub use traits::{Column, PgEnum, RowError, Table};
// The crates of the optional column types, at the versions whose codecs are on: a field
// named through these needs no dependency of the application's own.
#[cfg(feature = "network")]
pub use cidr;
#[cfg(feature = "network")]
pub use eui48;
#[cfg(feature = "decimal")]
pub use rust_decimal;
/// Which Rust types are which PostgreSQL column types: the traits behind the macros' checks,
/// public so that a compile error names them as short as rustc can (`ForeignKeyTo<Uuid>`).
pub mod column_type;
/// The schema as plain data: what the macros emit, snapshots hold and the catalog reader reads.
pub mod model;
/// The ordered list of enums and tables (`schema!`) and its checks.
pub mod registry;
/// The names PostgreSQL objects get when the schema does not name them (`<table>_pkey`, ...).
pub use schema_rules::names;
/// The registry rules, each a `const fn` returning the [`rules::Violation`] it finds.
pub use schema_rules::rules;

// --- Running migrations: connect, read the files, apply them (all an application needs at
// startup, with `default-features = false`).
pub use connection::DatabaseConfig;
pub use migrate::{EmbeddedMigrations, MigrateError, Migrator, RunOptions};
pub mod connection;
pub mod files;
pub mod migrate;

// --- Developing the schema (feature `dev`, `lint`, `cli`): take over a database, pull one into
// code, generate migrations, compare with a live database, lint, the command line.
#[cfg(feature = "dev")]
pub mod adopt;
#[cfg(feature = "dev")]
pub mod catalog;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "dev")]
pub mod generate;
#[cfg(feature = "lint")]
pub mod lint;
#[cfg(feature = "dev")]
pub mod pull;
/// Databases of a test's own (feature `testing`).
#[cfg(feature = "testing")]
pub mod testing;

// --- The stages generation is built from, public for tools and benchmarks that drive them
// one by one: the change between two schemas, its statements, their SQL text.
#[cfg(feature = "dev")]
pub mod diff;
#[cfg(feature = "dev")]
pub mod online;
pub mod plan;
#[cfg(feature = "dev")]
pub mod render;
pub mod sql;

pub use errors::error_chain;

mod errors;
mod traits;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
