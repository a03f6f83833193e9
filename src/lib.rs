//! The question-bank database: the schema crate's tests and examples live in this package.

pub use schema;

pub mod synthetic;
