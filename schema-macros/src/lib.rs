//! `#[table]` and `#[pg_enum]`.
