//! The names PostgreSQL objects are given when the schema does not name them.
