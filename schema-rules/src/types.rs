//! A SQL type as a user writes it (`varchar(40)`, `timestamptz(3)`, `int[]`), spelled the way
//! PostgreSQL's `format_type()` prints it (`character varying(40)`, `timestamp(3) with time
//! zone`, `integer[]`).
//!
//! The catalog reader gets every column type in that printed form, so a type named in code is
//! put in the same form on the way into the model: a schema in code and a database then
//! compare as values, and `int4` in code is no difference from `integer` in the database.
//! The macros call this at expansion, so a malformed type is an error at its literal.

use crate::const_str::{ends_with, without_suffix};

/// The types the model names with a variant of their own (`schema_core::model::SqlType`),
/// by their printed spelling; every other type is held by its spelling. `varchar(n)` is the
/// one with a modifier, and has a variant of its own too.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("uuid", "Uuid"),
    ("text", "Text"),
    ("boolean", "Boolean"),
    ("smallint", "SmallInt"),
    ("integer", "Integer"),
    ("bigint", "BigInt"),
    ("real", "Real"),
    ("double precision", "DoublePrecision"),
    ("timestamp with time zone", "TimestampTz"),
    ("jsonb", "Jsonb"),
];

/// The length of `character varying(n)`, as printed.
pub fn varchar_length(canonical: &str) -> Option<u32> {
    canonical
        .strip_prefix("character varying(")?
        .strip_suffix(')')?
        .parse()
        .ok()
}

/// Whether a printed type is a timestamp or time without time zone (an array of one too),
/// which the house rules ask a column to declare on purpose.
/// A `const fn`, for the check the compiler evaluates on a Rust type's SQL type.
pub const fn is_without_time_zone(canonical: &str) -> bool {
    let mut text = canonical;
    while ends_with(text, "[]") {
        text = without_suffix(text, 2);
    }
    ends_with(text, " without time zone")
}

/// Whether a printed type (an array of one too) is built into PostgreSQL, rather than a
/// domain, an enum or a type an extension or `CREATE TYPE` makes.
pub fn is_built_in(canonical: &str) -> bool {
    let base = canonical.strip_suffix("[]").unwrap_or(canonical);
    split_modifiers(base, base)
        .is_ok_and(|(name, modifiers, tail)| spell(name, modifiers.as_deref(), tail).is_some())
}

/// `text` in `format_type()`'s spelling, or why it is not a type.
///
/// Built-in names and their aliases are rewritten (`int8` → `bigint`, `decimal(10,2)` →
/// `numeric(10,2)`, `timestamp` → `timestamp without time zone`); any other name, such as
/// a type from an extension (`citext`, `geometry(Polygon,4326)`), is kept with its modifiers
/// as written, spaces after commas removed, as the server prints them.
pub fn canonical_type(text: &str) -> Result<String, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = words.join(" ");
    if text.is_empty() {
        return Err("the SQL type is empty; write one, e.g. `numeric(10,2)`".into());
    }
    // Array dimensions: `format_type()` prints `[]` once per dimension whatever was written.
    let mut base = text.as_str();
    let mut dims = 0;
    loop {
        let trimmed = base.trim_end();
        if let Some(rest) = trimmed.strip_suffix(']') {
            let open = rest.rfind('[').ok_or_else(|| unbalanced(&text))?;
            if !rest[open + 1..].chars().all(|c| c.is_ascii_digit()) {
                return Err(format!(
                    "`{text}`: an array bound is a number, as in `integer[3]`"
                ));
            }
            base = &rest[..open];
            dims += 1;
        } else if let Some(rest) = trimmed.strip_suffix(" array") {
            base = rest;
            dims += 1;
        } else {
            base = trimmed;
            break;
        }
    }
    let (name, modifiers, tail) = split_modifiers(base, &text)?;
    let name_lower = name.to_ascii_lowercase();
    let tail_lower = tail.to_ascii_lowercase();
    let spelled = spell(&name_lower, modifiers.as_deref(), &tail_lower).unwrap_or_else(|| {
        // Not a built-in: kept as written (a quoted or qualified name keeps its case).
        let mut out = if name.contains('"') {
            name.to_string()
        } else {
            name_lower.clone()
        };
        if let Some(m) = &modifiers {
            out.push_str(&format!("({m})"));
        }
        if !tail.is_empty() {
            out.push(' ');
            out.push_str(&tail_lower);
        }
        out
    });
    Ok(if dims > 0 { spelled + "[]" } else { spelled })
}

fn unbalanced(text: &str) -> String {
    format!("`{text}` has unbalanced brackets")
}

/// `name(modifiers) tail`: `timestamp(3) with time zone` gives `timestamp`, `3` and `with time
/// zone`; modifiers lose their spaces (`numeric(10, 2)` → `10,2`).
fn split_modifiers<'a>(
    base: &'a str,
    text: &str,
) -> Result<(&'a str, Option<String>, &'a str), String> {
    let Some(open) = base.find('(') else {
        // `double precision`, `timestamp with time zone`: the name is the first word(s); the
        // tail is found by `spell`, which knows the multi-word names.
        return Ok((base, None, ""));
    };
    let close = base[open..].find(')').ok_or_else(|| unbalanced(text))? + open;
    if base[open + 1..close].contains('(') {
        return Err(unbalanced(text));
    }
    let modifiers: String = base[open + 1..close]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if modifiers.is_empty() {
        return Err(format!(
            "`{text}`: empty parentheses; give the modifier or leave them out"
        ));
    }
    let tail = base[close + 1..].trim();
    if tail.contains(['(', ')']) {
        return Err(unbalanced(text));
    }
    Ok((base[..open].trim_end(), Some(modifiers), tail))
}

/// A built-in type's printed spelling; `None` for a name this does not know.
fn spell(name: &str, modifiers: Option<&str>, tail: &str) -> Option<String> {
    // Multi-word names without modifiers arrive whole in `name`.
    let (name, tail) = match (name, tail) {
        (n, "") if modifiers.is_none() => split_known_tail(n),
        (n, t) => (n, t),
    };
    let with = |base: &str| match modifiers {
        Some(m) => format!("{base}({m})"),
        None => base.to_string(),
    };
    let zone = |base: &str, default_with: bool| -> Option<String> {
        let with_zone = match tail {
            "" => default_with,
            "with time zone" => true,
            "without time zone" => false,
            _ => return None,
        };
        Some(format!(
            "{} {} time zone",
            with(base),
            if with_zone { "with" } else { "without" }
        ))
    };
    let plain = |base: &str| (tail.is_empty() && modifiers.is_none()).then(|| base.to_string());
    match name {
        "int" | "int4" | "integer" => plain("integer"),
        "int2" | "smallint" => plain("smallint"),
        "int8" | "bigint" => plain("bigint"),
        "bool" | "boolean" => plain("boolean"),
        "float4" | "real" => plain("real"),
        "float8" | "double precision" => plain("double precision"),
        "float" => match modifiers.map(str::parse::<u32>) {
            None => plain("double precision"),
            Some(Ok(1..=24)) => Some("real".into()),
            Some(Ok(25..=53)) => Some("double precision".into()),
            Some(_) => None,
        },
        "decimal" | "numeric" if tail.is_empty() => Some(with("numeric")),
        "varchar" | "character varying" | "char varying" if tail.is_empty() => {
            Some(with("character varying"))
        }
        // `character` alone is `character(1)`; `bpchar` alone has no length limit.
        "char" | "character" if tail.is_empty() => {
            Some(with("character") + if modifiers.is_none() { "(1)" } else { "" })
        }
        "bpchar" if tail.is_empty() => Some(match modifiers {
            Some(_) => with("character"),
            None => "bpchar".into(),
        }),
        "text" | "uuid" | "json" | "jsonb" | "bytea" | "date" | "inet" | "cidr" | "macaddr"
        | "macaddr8" | "money" | "xml" | "tsvector" | "tsquery" | "oid" | "point" | "line"
        | "box" | "circle" | "polygon" | "path" | "lseg" | "int4range" | "int8range"
        | "numrange" | "tsrange" | "tstzrange" | "daterange" | "pg_lsn" | "txid_snapshot" => {
            plain(name)
        }
        "timestamp" => zone("timestamp", false),
        "timestamptz" if tail.is_empty() => zone("timestamp", true),
        "time" => zone("time", false),
        "timetz" if tail.is_empty() => zone("time", true),
        "bit" | "bit varying" | "varbit" if tail.is_empty() => Some(match name {
            "bit" => with("bit") + if modifiers.is_none() { "(1)" } else { "" },
            _ => with("bit varying"),
        }),
        "interval" => Some(match (modifiers, tail) {
            (m, "") => match m {
                Some(m) => format!("interval({m})"),
                None => "interval".into(),
            },
            // `interval day to second(3)` and other field lists are printed as written.
            (None, fields) => format!("interval {fields}"),
            (Some(_), _) => return None,
        }),
        _ => None,
    }
}

/// `timestamp with time zone` → (`timestamp`, `with time zone`); other names as they are.
fn split_known_tail(name: &str) -> (&str, &str) {
    for base in ["timestamp ", "time ", "interval "] {
        if let Some(tail) = name.strip_prefix(base) {
            return (base.trim_end(), tail);
        }
    }
    (name, "")
}

#[cfg(test)]
mod tests {
    use super::{canonical_type, is_built_in};

    #[track_caller]
    fn spelled(input: &str, expected: &str) {
        assert_eq!(canonical_type(input).as_deref(), Ok(expected), "{input}");
    }

    /// Each alias comes out as `format_type()` prints the type it names.
    #[test]
    fn aliases_are_spelled_as_the_server_prints_them() {
        spelled("int", "integer");
        spelled("INT4", "integer");
        spelled("int8", "bigint");
        spelled("int2", "smallint");
        spelled("bool", "boolean");
        spelled("float8", "double precision");
        spelled("float", "double precision");
        spelled("float(10)", "real");
        spelled("Double   Precision", "double precision");
        spelled("decimal(10, 2)", "numeric(10,2)");
        spelled("numeric", "numeric");
        spelled("varchar(40)", "character varying(40)");
        spelled("varchar", "character varying");
        spelled("char(2)", "character(2)");
        spelled("char", "character(1)");
        spelled("timestamp", "timestamp without time zone");
        spelled("timestamp(3)", "timestamp(3) without time zone");
        spelled("timestamptz", "timestamp with time zone");
        spelled("timestamptz(6)", "timestamp(6) with time zone");
        spelled("timestamp(3) with time zone", "timestamp(3) with time zone");
        spelled("timestamp with time zone", "timestamp with time zone");
        spelled("time", "time without time zone");
        spelled("timetz", "time with time zone");
        spelled("interval", "interval");
        spelled("varbit(8)", "bit varying(8)");
        spelled("bit", "bit(1)");
    }

    #[test]
    fn arrays_print_one_pair_of_brackets_per_dimension() {
        spelled("text[]", "text[]");
        spelled("int[3]", "integer[]");
        spelled("int4[][]", "integer[]");
        spelled("varchar(10)[]", "character varying(10)[]");
        spelled("integer array", "integer[]");
    }

    #[test]
    fn other_types_keep_their_name_and_modifiers() {
        spelled("citext", "citext");
        spelled("geometry(Polygon, 4326)", "geometry(Polygon,4326)");
        spelled("vector(1536)", "vector(1536)");
        spelled("\"Mood\"", "\"Mood\"");
        spelled("app.mood[]", "app.mood[]");
    }

    #[test]
    fn built_in_types_are_told_from_the_database_s_own() {
        for printed in [
            "integer",
            "timestamp(3) without time zone",
            "character varying(10)[]",
            "numeric(10,2)",
            "double precision",
            "interval",
        ] {
            assert!(is_built_in(printed), "{printed}");
        }
        for printed in ["year", "citext", "mood[]", "geometry(Polygon,4326)"] {
            assert!(!is_built_in(printed), "{printed}");
        }
    }

    #[test]
    fn malformed_types_are_refused_with_the_reason() {
        for bad in ["", "  ", "numeric(10,2", "numeric()", "int[x]", "a(b(c))"] {
            assert!(canonical_type(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
