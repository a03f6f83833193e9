//! How the catalog spells the model's types and defaults.
//!
//! `format_type()` and `pg_get_expr()` print types and defaults in a canonical form that is
//! not what a migration wrote (`varchar(64)` comes back as `character varying(64)`, a
//! negative default as `'-1'::integer`), so the comparison needs the catalog's form of each.

use crate::model::{ColumnDefault, SqlType};
use crate::sql::{format_type, format_type_name, quote_literal};

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
        ColumnDefault::Text(text) | ColumnDefault::EnumLabel(text) => {
            format!("{}::{}", quote_literal(text), format_type_name(sql_type))
        }
    }
}

/// Whether a type as the catalog spells it is the model's type. An enum type outside the
/// search path comes back qualified with its schema, which also counts as a match. Enum names
/// are compared as identifiers, so a keyword name that PostgreSQL quotes (`"group"`) matches.
pub fn type_matches(sql_type: &SqlType, found: &str, schema: &str) -> bool {
    match sql_type {
        SqlType::Enum(name) => names_enum(found, name, schema),
        _ => found == format_type(sql_type),
    }
}

/// Whether `found`, a type name as PostgreSQL prints it (`mood`, `"group"`, `app."Order"`),
/// names the enum `name`, unqualified or qualified with `schema`.
fn names_enum(found: &str, name: &str, schema: &str) -> bool {
    match identifiers(found).as_deref() {
        Some([n]) => n == name,
        Some([s, n]) => s == schema && n == name,
        _ => false,
    }
}

/// The identifiers of a dotted name as PostgreSQL prints it, unquoted: `app."Order"` gives
/// `["app", "Order"]`. `None` when the text is not such a name.
fn identifiers(text: &str) -> Option<Vec<String>> {
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
        match rest.strip_prefix('.') {
            Some(next) => rest = next,
            None if rest.is_empty() => return Some(out),
            None => return None,
        }
    }
}

/// Whether a default as the catalog spells it is the model's default.
pub fn default_matches(
    default: Option<&ColumnDefault>,
    sql_type: &SqlType,
    found: Option<&str>,
    schema: &str,
) -> bool {
    match (default, found) {
        (None, None) => true,
        (Some(default), Some(found)) => match (default, sql_type) {
            // `'label'::type`, the type compared as an identifier (see `type_matches`).
            (ColumnDefault::EnumLabel(label), SqlType::Enum(name)) => found
                .strip_prefix(&format!("{}::", quote_literal(label)))
                .is_some_and(|ty| names_enum(ty, name, schema)),
            _ => found == default_spelling(default, sql_type),
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    // Each expectation below is what PostgreSQL 15 printed for the same column and default.
    #[test]
    fn types_are_spelled_as_format_type_prints_them() {
        assert_eq!(format_type(&SqlType::Varchar(64)), "character varying(64)");
        assert_eq!(
            format_type(&SqlType::TimestampTz),
            "timestamp with time zone"
        );
        assert_eq!(format_type(&SqlType::DoublePrecision), "double precision");
        assert_eq!(
            format_type(&SqlType::Enum(Cow::Borrowed("tag_kind"))),
            "tag_kind"
        );
        assert_eq!(
            format_type(&SqlType::Enum(Cow::Borrowed("MixedCase"))),
            "\"MixedCase\""
        );
    }

    #[test]
    fn defaults_are_spelled_as_pg_get_expr_prints_them() {
        let int = |n| default_spelling(&ColumnDefault::Int(n), &SqlType::SmallInt);
        assert_eq!(int(0), "0");
        assert_eq!(int(-2), "'-2'::integer");
        assert_eq!(int(3_000_000_000), "'3000000000'::bigint");
        assert_eq!(
            default_spelling(&ColumnDefault::Text("it's".into()), &SqlType::Text),
            "'it''s'::text"
        );
        assert_eq!(
            default_spelling(&ColumnDefault::Text("y".into()), &SqlType::Varchar(4)),
            "'y'::character varying"
        );
        assert_eq!(
            default_spelling(
                &ColumnDefault::EnumLabel("happy".into()),
                &SqlType::Enum("mood".into())
            ),
            "'happy'::mood"
        );
        assert_eq!(
            default_spelling(&ColumnDefault::Bool(false), &SqlType::Boolean),
            "false"
        );
    }

    /// PostgreSQL quotes a keyword type name (`"group"`); the names are compared, not the
    /// quoting.
    #[test]
    fn keyword_enum_names_match_however_they_are_quoted() {
        let group = SqlType::Enum("group".into());
        assert!(type_matches(&group, "\"group\"", "public"));
        assert!(type_matches(&group, "public.\"group\"", "public"));
        assert!(!type_matches(&group, "\"Group\"", "public"));
        let odd = SqlType::Enum("say \"hi\"".into());
        assert!(type_matches(&odd, "\"say \"\"hi\"\"\"", "public"));
        let label = ColumnDefault::EnumLabel("admin".into());
        assert!(default_matches(
            Some(&label),
            &group,
            Some("'admin'::\"group\""),
            "public"
        ));
        assert!(!default_matches(
            Some(&label),
            &group,
            Some("'admin'::\"grou\""),
            "public"
        ));
    }

    #[test]
    fn an_enum_qualified_with_its_schema_matches() {
        let mood = SqlType::Enum("mood".into());
        assert!(type_matches(&mood, "app.mood", "app"));
        assert!(!type_matches(&mood, "other.mood", "app"));
        let label = ColumnDefault::EnumLabel("ok".into());
        assert!(default_matches(
            Some(&label),
            &mood,
            Some("'ok'::app.mood"),
            "app"
        ));
        assert!(!default_matches(
            Some(&label),
            &mood,
            Some("'no'::app.mood"),
            "app"
        ));
        assert!(!default_matches(Some(&label), &mood, None, "app"));
    }
}
