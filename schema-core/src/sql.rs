//! SQL text: the one place the engine spells identifiers, literals, types, qualified names
//! and casts, and the migration file format.
//!
//! The primitives the proc macros need too (quoting, the file-format constants, the rule for
//! migration file names) live in `schema_rules::sql` and are re-exported here; what needs the
//! model ([`SqlType`], [`ColumnDefault`]) is spelled here. The rest of the engine builds its
//! text from these functions rather than quoting by hand, so that a statement, a catalog
//! comparison and a message all spell a name alike.

use crate::model::{ColumnDefault, SqlType, PUBLIC_SCHEMA};
use crate::plan::Using;
use std::borrow::Cow;

pub use schema_rules::sql::{
    down_file, is_quoted_keyword, migration_file, needs_quotes, quote_ident, quote_ident_if_needed,
    quote_literal, serial_default, up_file, MigrationFile, MigrationName, Misnamed, NameProblem,
    DOWN_EXTENSION, NO_TRANSACTION_MARKER, QUOTED_KEYWORDS, SQL_EXTENSION, STATEMENT_BREAKPOINT,
    VERSION_DIGITS,
};

/// A name in the `public` schema, qualified as drizzle-kit writes an enum type in
/// `CREATE TYPE`: `"public"."post_state"`.
pub fn qualified(name: &str) -> String {
    qualified_in(PUBLIC_SCHEMA, name)
}

/// A name qualified with its PostgreSQL schema: `"app"."post_state"`.
pub fn qualified_in(schema: &str, name: &str) -> String {
    format!("{}.{}", quote_ident(schema), quote_ident(name))
}

/// A column type as a migration writes it (`varchar(64)`, `timestamp with time zone`), an
/// enum type quoted.
pub fn sql_type(ty: &SqlType) -> String {
    match ty {
        SqlType::Varchar(n) => format!("varchar({n})"),
        SqlType::Enum(name) => quote_ident(name),
        other => base_type_name(other).to_string(),
    }
}

/// A type as PostgreSQL's `format_type()` prints it, e.g. `character varying(64)`; an enum
/// type by its name, quoted only where PostgreSQL quotes it ([`quote_ident_if_needed`]).
pub fn format_type(ty: &SqlType) -> String {
    match ty {
        SqlType::Varchar(len) => format!("character varying({len})"),
        other => format_type_name(other),
    }
}

/// [`format_type`] without the length modifier: the type a cast in a default expression
/// names (`'y'::character varying`).
pub fn format_type_name(ty: &SqlType) -> String {
    match ty {
        SqlType::Enum(name) => quote_ident_if_needed(name),
        other => base_type_name(other).to_string(),
    }
}

/// A type's name as messages give it: the SQL keyword of a built-in type (`varchar` without
/// its length), an enum's name unquoted. A `const fn`, for the checks the compiler runs.
pub const fn type_name(ty: &SqlType) -> &str {
    match ty {
        SqlType::Uuid => "uuid",
        SqlType::Text => "text",
        SqlType::Varchar(_) => "varchar",
        SqlType::Boolean => "boolean",
        SqlType::SmallInt => "smallint",
        SqlType::Integer => "integer",
        SqlType::BigInt => "bigint",
        SqlType::Real => "real",
        SqlType::DoublePrecision => "double precision",
        SqlType::TimestampTz => "timestamp with time zone",
        SqlType::Jsonb => "jsonb",
        SqlType::Enum(Cow::Borrowed(name)) => name,
        SqlType::Enum(Cow::Owned(name)) => name.as_str(),
        SqlType::Other(Cow::Borrowed(name)) => name,
        SqlType::Other(Cow::Owned(name)) => name.as_str(),
    }
}

/// A built-in type's name as `format_type()` prints it.
fn base_type_name(ty: &SqlType) -> &str {
    match ty {
        SqlType::Varchar(_) => "character varying",
        other => type_name(other),
    }
}

/// `expr::type`, the type as a migration writes it.
pub fn cast(expr: &str, to: &SqlType) -> String {
    format!("{expr}::{}", sql_type(to))
}

/// The expression after `USING` in `ALTER COLUMN column SET DATA TYPE to`:
/// `"column"::to`, or `"column"::text::to` through text.
pub fn using(column: &str, using: Using, to: &SqlType) -> String {
    let column = quote_ident(column);
    match using {
        Using::Cast => cast(&column, to),
        Using::ThroughText => cast(&cast(&column, &SqlType::Text), to),
    }
}

/// A column default as a migration writes it: `now()`, `0`, `'text'`.
pub fn default(value: &ColumnDefault) -> String {
    match value {
        ColumnDefault::Now => "now()".into(),
        ColumnDefault::GenRandomUuid => "gen_random_uuid()".into(),
        ColumnDefault::Bool(b) => b.to_string(),
        ColumnDefault::Int(n) => n.to_string(),
        ColumnDefault::Float(text) => text.to_string(),
        ColumnDefault::Text(text) | ColumnDefault::EnumLabel(text) => quote_literal(text),
        ColumnDefault::Expr(text) => text.to_string(),
    }
}

/// The `pg_get_expr()` spelling of a default written by a migration, for a column of
/// `sql_type`, e.g. `now()`, `0`, `'-1'::integer`, `'x'::text`, `'happy'::mood`.
pub fn default_spelling(default: &ColumnDefault, sql_type: &SqlType) -> String {
    match default {
        ColumnDefault::Now => "now()".to_string(),
        ColumnDefault::GenRandomUuid => "gen_random_uuid()".to_string(),
        ColumnDefault::Bool(b) => b.to_string(),
        // The literal keeps the type the parser gave it (int4, or int8 beyond int4's range),
        // whatever the column's type; only non-negative int4 constants print bare.
        ColumnDefault::Int(n) => match i32::try_from(*n) {
            Ok(v) if v >= 0 => v.to_string(),
            Ok(v) => format!("'{v}'::integer"),
            Err(_) => format!("'{n}'::bigint"),
        },
        // A decimal literal is a numeric constant: bare when non-negative, cast when negative.
        ColumnDefault::Float(text) if text.starts_with('-') => format!("'{text}'::numeric"),
        ColumnDefault::Float(text) => text.to_string(),
        // A quoted literal takes the column's type, without its length modifier.
        ColumnDefault::Text(text) => match string_default_cast(sql_type) {
            Some(cast) => format!("{}::{cast}", quote_literal(text)),
            None => format!("{}::{}", quote_literal(text), format_type_name(sql_type)),
        },
        ColumnDefault::EnumLabel(text) => {
            format!("{}::{}", quote_literal(text), format_type_name(sql_type))
        }
        ColumnDefault::Expr(text) => text.to_string(),
    }
}

/// The type PostgreSQL casts a string default to when it prints it back, for a column of a
/// character type (`text`, `varchar` with or without a length, `char(n)`, which prints as
/// `bpchar`); `None` for any other type.
pub fn string_default_cast(ty: &SqlType) -> Option<&'static str> {
    match ty {
        SqlType::Text => Some("text"),
        SqlType::Varchar(_) => Some("character varying"),
        SqlType::Other(name) if name == "character varying" => Some("character varying"),
        SqlType::Other(name) if name == "character" || name.starts_with("character(") => {
            Some("bpchar")
        }
        _ => None,
    }
}

/// The identifiers of a list PostgreSQL printed, `separator` between them (`.` in a dotted
/// name, `, ` in a column list), each unquoted: `app."Order"` gives `["app", "Order"]`. An
/// identifier is printed bare only when plain lower case (see [`quote_ident_if_needed`]), in
/// double quotes otherwise, a `"` inside doubled. `None` when the text is not such a list.
#[cfg(feature = "dev")]
pub(crate) fn printed_identifiers(text: &str, separator: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            // Inside quotes `""` stands for one `"`; a lone `"` ends the identifier.
            let mut ident = String::new();
            let mut chars = quoted.char_indices().peekable();
            let end = loop {
                match chars.next()? {
                    (_, '"') if chars.next_if(|&(_, c)| c == '"').is_some() => ident.push('"'),
                    (i, '"') => break i + 1,
                    (_, c) => ident.push(c),
                }
            };
            out.push(ident);
            rest = &quoted[end..];
        } else {
            let len = rest
                .find(|c: char| {
                    !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
                })
                .unwrap_or(rest.len());
            if len == 0 {
                return None;
            }
            out.push(rest[..len].to_string());
            rest = &rest[len..];
        }
        match rest.strip_prefix(separator) {
            Some(next) => rest = next,
            None if rest.is_empty() => return Some(out),
            None => return None,
        }
    }
}

/// The key of a unique constraint's definition as PostgreSQL prints it (`UNIQUE (a, b)`,
/// `UNIQUE NULLS NOT DISTINCT (a)`): whether NULLs are not distinct, and the parenthesized
/// column list. `None` for a definition with more than that (INCLUDE, storage parameters),
/// which is added in its plain form.
#[cfg(feature = "dev")]
pub fn unique_key(definition: &str) -> Option<(bool, &str)> {
    let rest = definition.strip_prefix("UNIQUE ")?;
    let (nulls, key) = match rest.strip_prefix("NULLS NOT DISTINCT ") {
        Some(key) => (true, key),
        None => (false, rest),
    };
    (key.starts_with('(') && key.ends_with(')') && key.matches(')').count() == 1)
        .then_some((nulls, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_casts_and_qualified_names() {
        assert_eq!(sql_type(&SqlType::Varchar(64)), "varchar(64)");
        assert_eq!(sql_type(&SqlType::Enum("group".into())), "\"group\"");
        assert_eq!(format_type(&SqlType::Varchar(64)), "character varying(64)");
        assert_eq!(format_type(&SqlType::Enum("mood".into())), "mood");
        assert_eq!(format_type(&SqlType::Enum("group".into())), "\"group\"");
        assert_eq!(format_type_name(&SqlType::Varchar(4)), "character varying");
        assert_eq!(qualified("mood"), "\"public\".\"mood\"");
        assert_eq!(qualified_in("app", "a\"b"), "\"app\".\"a\"\"b\"");
        let feeling = SqlType::Enum("feeling".into());
        assert_eq!(using("mood", Using::Cast, &SqlType::Text), "\"mood\"::text");
        assert_eq!(
            using("mood", Using::ThroughText, &feeling),
            "\"mood\"::text::\"feeling\""
        );
        assert_eq!(cast("1", &SqlType::BigInt), "1::bigint");
        assert_eq!(default(&ColumnDefault::Text("it's".into())), "'it''s'");
    }

    /// The keyword list is PostgreSQL's, and names are quoted as `quote_ident()` quotes them.
    #[tokio::test]
    async fn keywords_and_quoting_agree_with_the_server() {
        let url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("the local PostgreSQL server (TEST_DATABASE_URL) is reachable");
        tokio::spawn(connection);
        let version: i32 = client
            .query_one("SELECT current_setting('server_version_num')::int", &[])
            .await
            .unwrap()
            .get(0);
        let words: Vec<String> = client
            .query(
                "SELECT word FROM pg_get_keywords() WHERE catcode <> 'U' ORDER BY word COLLATE \"C\"",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        if version / 10000 != 15 {
            eprintln!("the keyword list is PostgreSQL 15's; the server is {version}: not compared");
            return;
        }
        assert_eq!(
            words, QUOTED_KEYWORDS,
            "PostgreSQL 15's non-unreserved keywords"
        );
        let mut names: Vec<String> = words;
        names.extend(
            [
                "users",
                "_x",
                "a1",
                "a$b",
                "MixedCase",
                "1a",
                "é",
                "",
                "a\"b",
                "name",
                "text",
            ]
            .map(String::from),
        );
        let quoted: Vec<String> = client
            .query("SELECT quote_ident(n) FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i", &[&names])
            .await
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mine: Vec<String> = names.iter().map(|n| quote_ident_if_needed(n)).collect();
        assert_eq!(mine, quoted);
    }
}
