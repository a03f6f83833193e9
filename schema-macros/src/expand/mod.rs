//! Code generation: what a checked model expands to. `table` for a `#[table]` struct,
//! `pg_enum` for a `#[pg_enum]` enum; each also writes the stand-ins emitted next to errors.

pub mod pg_enum;
pub mod table;
