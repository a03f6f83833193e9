//! Rust names for SQL names: `snake_case` fields, `CamelCase` types and variants, raw
//! identifiers for keywords, and a rename wherever the derived SQL name would differ from the
//! database's, so that every name in the database is kept exactly.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeMap;

/// Rust's keywords (strict, reserved and those of later editions), which a field can only
/// take as a raw identifier.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers either.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// A Rust identifier chosen for a SQL name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RustName {
    /// The identifier as the code writes it (`r#type` for a keyword).
    pub ident: String,
    /// The SQL name, when the macros would not derive it from `ident`: the code then says
    /// `name = ".."` (or `rename = ".."` on a variant).
    pub rename: Option<String>,
}

fn is_plain_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && s != "_"
}

/// Letters, digits and underscores only, not starting with a digit.
fn sanitized(s: &str, prefix: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) || out == "_" {
        out.insert_str(0, prefix);
    }
    out
}

fn keyword_safe(ident: String) -> String {
    if NOT_RAW.contains(&ident.as_str()) {
        format!("{ident}_")
    } else if KEYWORDS.contains(&ident.as_str()) {
        format!("r#{ident}")
    } else {
        ident
    }
}

/// The field for column `sql`; the macros take a field's name (raw prefix dropped) as its
/// column's.
pub(super) fn field(sql: &str) -> RustName {
    let base = if is_plain_ident(sql) && sql == sql.to_snake_case() {
        sql.to_string()
    } else {
        sanitized(&sql.to_snake_case(), "c_")
    };
    let ident = keyword_safe(base);
    let derived = ident.trim_start_matches("r#");
    RustName {
        rename: (derived != sql).then(|| sql.to_string()),
        ident,
    }
}

/// The type for a table or an enum type `sql`; the macros take the snake_case of a type's
/// name as its SQL name.
pub(super) fn type_name(sql: &str) -> RustName {
    camel(sql, "T")
}

/// The variant for enum label `label`; the macros take the snake_case of a variant's name as
/// its label.
pub(super) fn variant(label: &str) -> RustName {
    camel(label, "V")
}

fn camel(sql: &str, prefix: &str) -> RustName {
    let ident = sanitized(&sql.to_upper_camel_case(), prefix);
    let ident = if NOT_RAW.contains(&ident.as_str()) {
        format!("{ident}_")
    } else {
        ident
    };
    RustName {
        rename: (ident.to_snake_case() != sql).then(|| sql.to_string()),
        ident,
    }
}

/// Makes the identifiers of one namespace distinct: a second `OrderItems` (from
/// `order_items` and `OrderItems`) becomes `OrderItems2`, and so on; each change is
/// returned as a line for the report. The SQL names are kept by the renames.
pub(super) fn distinct(names: &mut [(String, RustName)], what: &str) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut notes = Vec::new();
    for (sql, name) in names.iter_mut() {
        let count = seen.entry(name.ident.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            let ident = format!("{}{}", name.ident, count);
            notes.push(format!(
                "{what} `{sql}` is `{ident}` in Rust: `{}` was taken by another {what}",
                name.ident
            ));
            name.ident = ident;
            name.rename = Some(sql.clone());
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_column_keeps_its_name_and_a_keyword_goes_raw() {
        assert_eq!(field("email").ident, "email");
        assert_eq!(field("email").rename, None);
        assert_eq!(field("type").ident, "r#type");
        assert_eq!(field("type").rename, None);
        assert_eq!(field("self").ident, "self_");
        assert_eq!(field("self").rename.as_deref(), Some("self"));
    }

    #[test]
    fn names_that_are_not_identifiers_are_renamed_and_kept() {
        let f = field("First Name");
        assert_eq!(f.ident, "first_name");
        assert_eq!(f.rename.as_deref(), Some("First Name"));
        let f = field("userId");
        assert_eq!(f.ident, "user_id");
        assert_eq!(f.rename.as_deref(), Some("userId"));
        let f = field("2fa");
        assert_eq!(f.ident, "c_2fa");
        assert_eq!(f.rename.as_deref(), Some("2fa"));
    }

    #[test]
    fn types_and_variants_are_camel_case_with_their_sql_names_kept() {
        assert_eq!(type_name("order_items").ident, "OrderItems");
        assert_eq!(type_name("order_items").rename, None);
        assert_eq!(type_name("Order").ident, "Order");
        assert_eq!(type_name("Order").rename.as_deref(), Some("Order"));
        assert_eq!(variant("past_due").ident, "PastDue");
        assert_eq!(variant("past_due").rename, None);
        assert_eq!(variant("PAST DUE").ident, "PastDue");
        assert_eq!(variant("PAST DUE").rename.as_deref(), Some("PAST DUE"));
        assert_eq!(variant("1st").ident, "V1st");
    }

    #[test]
    fn collisions_get_a_number_and_a_note() {
        let mut names = vec![
            ("order_items".to_string(), type_name("order_items")),
            ("OrderItems".to_string(), type_name("OrderItems")),
        ];
        let notes = distinct(&mut names, "table");
        assert_eq!(names[1].1.ident, "OrderItems2");
        assert_eq!(names[1].1.rename.as_deref(), Some("OrderItems"));
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
}
