//! The question-bank database: the tests, examples and benchmarks of the workspace live in this
//! package; the engine is `schema-core`, the question-bank schema is `schema`.

pub use schema;
pub use schema_core;

pub mod synthetic;

// The README's Rust examples compile and run as doc tests, so they cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
