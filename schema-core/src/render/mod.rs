//! SQL text for statements, in the shape drizzle-kit writes, so migrations read the same to a
//! drizzle user and a database built by either tool has the same catalog.
//!
//! Pure functions of their input: the same statements give the same bytes everywhere.

mod ddl;
mod online;

pub use ddl::{statement, statement_in};

use crate::model::{ColumnDefault, SqlType, PUBLIC_SCHEMA};
use crate::plan::Statement;

/// The line that separates statements in a migration file (drizzle-kit's marker).
pub const BREAKPOINT: &str = "--> statement-breakpoint";

/// The first line of a migration that must run outside a transaction.
pub const NO_TRANSACTION: &str = "-- schema:no-transaction";

/// A migration file's text: each statement, separated by [`BREAKPOINT`] lines.
pub fn migration(statements: &[Statement], no_transaction: bool) -> String {
    let mut out = String::new();
    if no_transaction {
        out.push_str(NO_TRANSACTION);
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

/// A double-quoted identifier. Quotes inside are doubled, as PostgreSQL reads them.
pub fn ident(name: &str) -> String {
    quoted(name, '"')
}

/// A single-quoted string literal.
pub fn literal(text: &str) -> String {
    quoted(text, '\'')
}

/// `text` between `quote`s, each `quote` inside doubled. One allocation: identifiers are
/// rendered several times per statement, and a `replace` then `format!` made two.
fn quoted(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for (i, part) in text.split(quote).enumerate() {
        if i > 0 {
            out.push(quote);
            out.push(quote);
        }
        out.push_str(part);
    }
    out.push(quote);
    out
}

/// An enum type's qualified name, as drizzle-kit writes it in `CREATE TYPE`.
pub fn qualified(name: &str) -> String {
    qualified_in(PUBLIC_SCHEMA, name)
}

/// A name qualified with its PostgreSQL schema: `"app"."post_state"`.
pub fn qualified_in(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// A column type as PostgreSQL spells it (`format_type`), enum types quoted.
pub fn sql_type(ty: &SqlType) -> String {
    match ty {
        SqlType::Uuid => "uuid".into(),
        SqlType::Text => "text".into(),
        SqlType::Varchar(n) => format!("varchar({n})"),
        SqlType::Boolean => "boolean".into(),
        SqlType::SmallInt => "smallint".into(),
        SqlType::Integer => "integer".into(),
        SqlType::BigInt => "bigint".into(),
        SqlType::Real => "real".into(),
        SqlType::DoublePrecision => "double precision".into(),
        SqlType::TimestampTz => "timestamp with time zone".into(),
        SqlType::Jsonb => "jsonb".into(),
        SqlType::Enum(name) => ident(name),
    }
}

/// A default expression.
pub fn default(value: &ColumnDefault) -> String {
    match value {
        ColumnDefault::Now => "now()".into(),
        ColumnDefault::GenRandomUuid => "gen_random_uuid()".into(),
        ColumnDefault::Bool(b) => b.to_string(),
        ColumnDefault::Int(n) => n.to_string(),
        ColumnDefault::Float(text) => text.to_string(),
        ColumnDefault::Text(text) | ColumnDefault::EnumLabel(text) => literal(text),
    }
}

#[cfg(test)]
mod tests;
