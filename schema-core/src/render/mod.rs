//! SQL text for statements, in the shape drizzle-kit writes, so migrations read the same to a
//! drizzle user and a database built by either tool has the same catalog.
//!
//! Pure functions of their input: the same statements give the same bytes everywhere. Every
//! name, literal, type and cast is spelled by [`crate::sql`]; this module only arranges them.

mod carried;
mod ddl;
mod online;

pub use carried::Carried;

use crate::model::PUBLIC_SCHEMA;
use crate::plan::Statement;
use crate::sql::{NO_TRANSACTION_MARKER, STATEMENT_BREAKPOINT as BREAKPOINT};

/// The SQL text of one statement, ending with `;` and without a trailing newline.
pub fn statement(s: &Statement) -> String {
    statement_in(s, PUBLIC_SCHEMA)
}

/// [`statement`] for objects of the PostgreSQL schema `schema` (enum types and referenced
/// tables are written qualified, as drizzle-kit writes them).
pub fn statement_in(s: &Statement, schema: &str) -> String {
    match s {
        Statement::Online(online) => online::statement(online, schema),
        plain => ddl::statement_in(plain, schema),
    }
}

/// A migration file's text: each statement, separated by [`BREAKPOINT`] lines.
pub fn migration(statements: &[Statement], no_transaction: bool) -> String {
    let mut out = String::new();
    if no_transaction {
        out.push_str(NO_TRANSACTION_MARKER);
        out.push('\n');
    }
    // A `UseSchema` statement moves the rest of the file into that PostgreSQL schema.
    let mut schema = PUBLIC_SCHEMA;
    for (i, s) in statements.iter().enumerate() {
        if i > 0 {
            out.push_str(BREAKPOINT);
            out.push('\n');
        }
        if let Statement::UseSchema(name) = s {
            schema = name;
        }
        out.push_str(&statement_in(s, schema));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
