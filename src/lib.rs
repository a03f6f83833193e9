//! The question-bank database: the tests, examples and benchmarks of the workspace live in this
//! package; the engine is `schema-core`, the question-bank schema is `schema`.

pub use schema;
pub use schema_core;

pub mod synthetic;
