//! How the catalog spells the model's types and defaults, both ways.
//!
//! `format_type()` and `pg_get_expr()` print types and defaults in a canonical form that is
//! not what a migration wrote (`varchar(64)` comes back as `character varying(64)`, a
//! negative default as `'-1'::integer`). The reader turns each spelling back into the model's
//! value here, once, so that a comparison compares values, never texts.

use crate::model::{ColumnDefault, SqlType};
use crate::sql::{default_spelling, format_type};

/// The model's type for a type as `format_type()` prints it; `enum_name` is the type's
/// name when it is an enum of the schema being read.
pub(super) fn sql_type(found: &str, enum_name: Option<String>) -> SqlType {
    if let Some(name) = enum_name {
        return SqlType::Enum(name.into());
    }
    const BUILT_IN: [SqlType; 10] = [
        SqlType::Uuid,
        SqlType::Text,
        SqlType::Boolean,
        SqlType::SmallInt,
        SqlType::Integer,
        SqlType::BigInt,
        SqlType::Real,
        SqlType::DoublePrecision,
        SqlType::TimestampTz,
        SqlType::Jsonb,
    ];
    if let Some(ty) = BUILT_IN.into_iter().find(|ty| format_type(ty) == found) {
        return ty;
    }
    let varchar = found
        .strip_prefix("character varying(")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|n| n.parse::<u32>().ok());
    match varchar {
        Some(n) => SqlType::Varchar(n),
        None => SqlType::Other(found.to_string().into()),
    }
}

/// The model's default for a default as `pg_get_expr()` prints it, on a column of
/// `sql_type` in `schema`: one of the forms a migration writes when the text is exactly that
/// form's spelling, an [`ColumnDefault::Expr`] otherwise.
pub(super) fn column_default(found: &str, sql_type: &SqlType, schema: &str) -> ColumnDefault {
    let candidate = match found {
        "now()" => Some(ColumnDefault::Now),
        "gen_random_uuid()" => Some(ColumnDefault::GenRandomUuid),
        "true" => Some(ColumnDefault::Bool(true)),
        "false" => Some(ColumnDefault::Bool(false)),
        _ if found.starts_with('\'') => literal(found, sql_type, schema),
        _ => number(found),
    };
    match candidate {
        // An enum label may come back qualified with its schema; `literal` judged it already.
        Some(d @ ColumnDefault::EnumLabel(_)) => d,
        Some(d) if default_spelling(&d, sql_type) == found => d,
        _ => ColumnDefault::Expr(found.to_string().into()),
    }
}

/// `0`, `1.5`, `'-1'::integer`, `'-1.5'::numeric`.
fn number(found: &str) -> Option<ColumnDefault> {
    let text = found
        .strip_prefix('\'')
        .and_then(|rest| rest.split_once("'::"))
        .map_or(found, |(text, _)| text);
    if let Ok(n) = text.parse::<i64>() {
        return Some(ColumnDefault::Int(n));
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let decimal = digits.contains('.')
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|&c| c == '.').count() == 1;
    decimal.then(|| ColumnDefault::Float(text.to_string().into()))
}

/// `'text'::type`: a label of the column's enum, or a string on a text column.
fn literal(found: &str, sql_type: &SqlType, schema: &str) -> Option<ColumnDefault> {
    // Inside quotes `''` stands for one `'`; a lone `'` ends the literal.
    let mut text = String::new();
    let mut chars = found[1..].char_indices().peekable();
    let end = loop {
        match chars.next()? {
            (_, '\'') if chars.next_if(|&(_, c)| c == '\'').is_some() => text.push('\''),
            (i, '\'') => break i + 2,
            (_, c) => text.push(c),
        }
    };
    let cast = found[end..].strip_prefix("::")?;
    match sql_type {
        SqlType::Enum(name) if names_enum(cast, name, schema) => {
            Some(ColumnDefault::EnumLabel(text.into()))
        }
        _ if crate::sql::string_default_cast(sql_type).is_some() => {
            Some(ColumnDefault::Text(text.into()))
        }
        _ => number(found),
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
    crate::sql::printed_identifiers(text, ".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// The macros map a printed type to a variant by `schema_rules::types::BUILT_IN`; the
    /// reader maps it by `format_type`: both must name the same variant.
    #[test]
    fn the_macros_and_the_reader_agree_on_the_built_in_types() {
        for (printed, variant) in schema_rules::types::BUILT_IN {
            let ty = sql_type(printed, None);
            assert_eq!(format!("{ty:?}"), *variant, "{printed}");
        }
    }

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

    /// Every default a migration writes reads back as itself.
    #[test]
    fn defaults_read_back_as_the_model_wrote_them() {
        let cases = [
            (ColumnDefault::Int(0), SqlType::Integer),
            (ColumnDefault::Int(-2), SqlType::SmallInt),
            (ColumnDefault::Int(3_000_000_000), SqlType::BigInt),
            (ColumnDefault::Float("0.5".into()), SqlType::Real),
            (
                ColumnDefault::Float("-1.25".into()),
                SqlType::DoublePrecision,
            ),
            (ColumnDefault::Text("it's".into()), SqlType::Text),
            (ColumnDefault::Text("y".into()), SqlType::Varchar(4)),
            (
                ColumnDefault::EnumLabel("happy".into()),
                SqlType::Enum("mood".into()),
            ),
            (ColumnDefault::Bool(true), SqlType::Boolean),
            (ColumnDefault::Now, SqlType::TimestampTz),
            (ColumnDefault::GenRandomUuid, SqlType::Uuid),
        ];
        for (default, ty) in cases {
            let spelled = default_spelling(&default, &ty);
            assert_eq!(
                column_default(&spelled, &ty, "public"),
                default,
                "{spelled}"
            );
        }
        let serial = "nextval('t_id_seq'::regclass)";
        assert_eq!(
            column_default(serial, &SqlType::Integer, "public"),
            ColumnDefault::Expr(serial.into())
        );
    }

    #[test]
    fn types_read_back_as_the_model_wrote_them() {
        assert_eq!(
            sql_type("character varying(64)", None),
            SqlType::Varchar(64)
        );
        assert_eq!(
            sql_type("timestamp with time zone", None),
            SqlType::TimestampTz
        );
        assert_eq!(sql_type("inet", None), SqlType::Other("inet".into()));
        assert_eq!(
            sql_type("\"group\"", Some("group".into())),
            SqlType::Enum("group".into())
        );
    }

    /// PostgreSQL quotes a keyword type name (`"group"`); the names are compared, not the
    /// quoting.
    #[test]
    fn keyword_enum_labels_read_however_the_type_is_quoted() {
        let group = SqlType::Enum("group".into());
        let label = ColumnDefault::EnumLabel("admin".into());
        assert_eq!(
            column_default("'admin'::\"group\"", &group, "public"),
            label
        );
        assert_eq!(
            column_default("'admin'::public.\"group\"", &group, "public"),
            label
        );
        assert!(matches!(
            column_default("'admin'::\"grou\"", &group, "public"),
            ColumnDefault::Expr(_)
        ));
        let odd = SqlType::Enum("say \"hi\"".into());
        assert_eq!(
            column_default("'x'::\"say \"\"hi\"\"\"", &odd, "public"),
            ColumnDefault::EnumLabel("x".into())
        );
    }

    #[test]
    fn an_enum_label_qualified_with_its_schema_reads() {
        let mood = SqlType::Enum("mood".into());
        let ok = ColumnDefault::EnumLabel("ok".into());
        assert_eq!(column_default("'ok'::app.mood", &mood, "app"), ok);
        assert!(matches!(
            column_default("'ok'::other.mood", &mood, "app"),
            ColumnDefault::Expr(_)
        ));
    }
}
