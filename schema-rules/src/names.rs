//! The names PostgreSQL objects are given when the schema does not name them.
//!
//! They are part of the contract (a database built by drizzle-kit has the same names), so
//! they are derived here only: the macros check their lengths at expansion, `schema!` checks
//! them for clashes in a `const` item, and the engine renders, diffs and verifies them.
//! Each name comes with a `const fn` that measures it or recognises it without building it,
//! for the compiler's constant evaluator, which cannot allocate.

use crate::const_str::match_part;
pub use crate::const_str::{ends_with, is_concat, starts_with, without_suffix};

/// PostgreSQL's limit on identifier length (NAMEDATALEN - 1); longer names are truncated
/// silently by the server, so they are refused instead.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// What PostgreSQL appends to a table's name for the constraint of a one-column primary key.
pub const PRIMARY_KEY_SUFFIX: &str = "_pkey";
/// What drizzle-kit appends to `<table>_<column>_<column>` for a composite primary key.
pub const COMPOSITE_KEY_SUFFIX: &str = "_pk";
/// What drizzle-kit appends to `<table>_<column>_<table>_<column>` for a foreign key.
pub const FOREIGN_KEY_SUFFIX: &str = "_fk";
/// What an online migration appends to a constraint it builds beside the one it replaces.
pub const REPLACEMENT_SUFFIX: &str = "_new";
/// What an online migration appends to `<table>_<column>` for the CHECK that proves a column
/// has no NULLs before `SET NOT NULL`.
pub const NOT_NULL_CHECK_SUFFIX: &str = "_not_null";

/// `<table>_pkey`: the constraint (and index) of a one-column primary key.
pub fn primary_key(table: &str) -> String {
    [table, PRIMARY_KEY_SUFFIX].concat()
}

/// `<table>_<column>_..._pk`: the constraint of a composite primary key.
pub fn composite_primary_key<'a>(
    table: &str,
    columns: impl IntoIterator<Item = &'a str>,
) -> String {
    let mut name = table.to_string();
    for column in columns {
        name.push('_');
        name.push_str(column);
    }
    name.push_str(COMPOSITE_KEY_SUFFIX);
    name
}

/// `<table>_<column>_<referenced table>_<referenced column>_fk`.
pub fn foreign_key(table: &str, column: &str, target: &str, target_column: &str) -> String {
    [
        table,
        "_",
        column,
        "_",
        target,
        "_",
        target_column,
        FOREIGN_KEY_SUFFIX,
    ]
    .concat()
}

/// The length in bytes of [`foreign_key`]'s name, without building it.
pub const fn foreign_key_len(
    table: &str,
    column: &str,
    target: &str,
    target_column: &str,
) -> usize {
    table.len() + column.len() + target.len() + target_column.len() + 3 + FOREIGN_KEY_SUFFIX.len()
}

/// `<table>_<column>_..._unique`: a UNIQUE constraint's name, as drizzle-kit derives it for
/// `.unique()` and `unique().on(..)`.
pub fn unique_constraint<'a>(table: &str, columns: impl IntoIterator<Item = &'a str>) -> String {
    let mut name = table.to_string();
    for column in columns {
        name.push('_');
        name.push_str(column);
    }
    name.push_str("_unique");
    name
}

/// The sequence PostgreSQL makes for a `serial` or identity column: `<table>_<column>_seq`,
/// each part cut as the server cuts it (`makeObjectName`: the longer part loses a character
/// until the name fits in an identifier).
pub fn owned_sequence(table: &str, column: &str) -> String {
    const LABEL: &str = "seq";
    let available = MAX_IDENTIFIER_BYTES - (1 + LABEL.len() + 1);
    let (mut a, mut b) = (table.len(), column.len());
    while a + b > available {
        if a > b {
            a -= 1;
        } else {
            b -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        n
    };
    [
        &table[..clip(table, a)],
        "_",
        &column[..clip(column, b)],
        "_",
        LABEL,
    ]
    .concat()
}

/// The replacement of constraint `name` while both exist: `<name>_new`, cut so it fits.
pub fn replacement(name: &str) -> String {
    temporary(name, REPLACEMENT_SUFFIX)
}

/// The CHECK that proves `<table>.<column>` holds no NULL: `<table>_<column>_not_null`, cut
/// so it fits.
pub fn not_null_check(table: &str, column: &str) -> String {
    temporary(&[table, "_", column].concat(), NOT_NULL_CHECK_SUFFIX)
}

/// `base` and `suffix`, `base` cut at a character boundary so the whole fits in an identifier:
/// a temporary name must not be truncated by the server into one that clashes.
fn temporary(base: &str, suffix: &str) -> String {
    let mut end = base.len().min(MAX_IDENTIFIER_BYTES - suffix.len());
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    [&base[..end], suffix].concat()
}

/// Whether `name` is [`composite_primary_key`]`(table, columns)`, without building it.
pub const fn is_composite_primary_key(
    name: &str,
    table: &str,
    columns: &[std::borrow::Cow<'static, str>],
) -> bool {
    let bytes = name.as_bytes();
    let mut at = match match_part(bytes, 0, table) {
        Some(end) => end,
        None => return false,
    };
    let mut c = 0;
    while c < columns.len() {
        let column = match &columns[c] {
            std::borrow::Cow::Borrowed(column) => column,
            std::borrow::Cow::Owned(column) => column.as_str(),
        };
        at = match match_part(bytes, at, "_") {
            Some(end) => match match_part(bytes, end, column) {
                Some(end) => end,
                None => return false,
            },
            None => return false,
        };
        c += 1;
    }
    matches!(match_part(bytes, at, COMPOSITE_KEY_SUFFIX), Some(end) if end == bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_follow_the_contract() {
        assert_eq!(primary_key("users"), "users_pkey");
        assert_eq!(
            composite_primary_key("question_tags", ["question_id", "tag_id"]),
            "question_tags_question_id_tag_id_pk"
        );
        let fk = foreign_key("attempts", "user_id", "users", "id");
        assert_eq!(fk, "attempts_user_id_users_id_fk");
        assert_eq!(
            foreign_key_len("attempts", "user_id", "users", "id"),
            fk.len()
        );
        assert_eq!(unique_constraint("users", ["email"]), "users_email_unique");
        assert_eq!(owned_sequence("users", "id"), "users_id_seq");
    }

    /// PostgreSQL 15 names the sequence of `serial` on a 60-byte table `<56 a's>_id_seq`, and
    /// on two long names cuts the longer first (checked against `CREATE TABLE`).
    #[test]
    fn owned_sequences_are_cut_as_the_server_cuts_them() {
        let table = "a".repeat(60);
        assert_eq!(
            owned_sequence(&table, "id"),
            format!("{}_id_seq", "a".repeat(56))
        );
        let (t, c) = ("t".repeat(40), "c".repeat(40));
        assert_eq!(
            owned_sequence(&t, &c),
            format!("{}_{}_seq", "t".repeat(29), "c".repeat(29))
        );
    }

    #[test]
    fn names_are_recognised_without_being_built() {
        assert!(is_concat("users_pkey", &["users", PRIMARY_KEY_SUFFIX]));
        assert!(!is_concat("users_pkey", &["user", PRIMARY_KEY_SUFFIX]));
        assert!(!is_concat("users_pke", &["users", PRIMARY_KEY_SUFFIX]));
        assert!(ends_with("users_pkey", PRIMARY_KEY_SUFFIX));
        assert_eq!(
            without_suffix("users_pkey", PRIMARY_KEY_SUFFIX.len()),
            "users"
        );
        assert_eq!(without_suffix("é_pkey", 6), "");
        let columns = ["question_id".into(), "tag_id".into()];
        let name = "question_tags_question_id_tag_id_pk";
        assert!(is_composite_primary_key(name, "question_tags", &columns));
        assert!(!is_composite_primary_key(name, "question_tag", &columns));
        assert!(!is_composite_primary_key(
            name,
            "question_tags",
            &columns[..1]
        ));
        // A schema read from a snapshot holds owned names, checked by the same function.
        let owned = [
            "question_id".to_string().into(),
            "tag_id".to_string().into(),
        ];
        assert!(is_composite_primary_key(name, "question_tags", &owned));
    }

    #[test]
    fn temporary_names_fit_in_an_identifier() {
        let long = "t".repeat(70);
        let name = replacement(&long);
        assert_eq!(name.len(), MAX_IDENTIFIER_BYTES);
        assert!(name.ends_with(REPLACEMENT_SUFFIX));
        // A multi-byte character at the cut is left out whole.
        let accented = "é".repeat(40);
        assert!(not_null_check(&accented, "c").len() <= MAX_IDENTIFIER_BYTES);
        assert_eq!(not_null_check("t", "c"), "t_c_not_null");
    }
}
