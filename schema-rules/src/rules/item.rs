//! The rules about one item at a time (a name, a column, a foreign key, an index). Each is a
//! `const fn` that returns the violation, or `None` when the rule holds; the caller gathers
//! the facts (is the column nullable, is the name its table's key) however it can.

use super::builtin::{BUILTIN_TYPES, SYSTEM_COLUMNS};
use super::violation::Violation;
use crate::const_str::{contains, same, starts_with};
use crate::names::{self, MAX_IDENTIFIER_BYTES};

/// A name must be non-empty and fit in PostgreSQL's 63 bytes.
pub const fn identifier<'a>(kind: &'static str, name: &'a str) -> Option<Violation<&'a str>> {
    if name.is_empty() {
        Some(Violation::EmptyName { kind })
    } else if name.len() > MAX_IDENTIFIER_BYTES {
        Some(Violation::NameTooLong { kind, name })
    } else {
        None
    }
}

/// The derived foreign key name must fit in PostgreSQL's 63 bytes.
pub const fn foreign_key_name<'a>(
    table: &'a str,
    column: &'a str,
    target: &'a str,
    target_column: &'a str,
) -> Option<Violation<&'a str>> {
    if names::foreign_key_len(table, column, target, target_column) > MAX_IDENTIFIER_BYTES {
        Some(Violation::ForeignKeyNameTooLong {
            table,
            column,
            target,
            target_column,
        })
    } else {
        None
    }
}

/// The namespace must be a name PostgreSQL lets a user create, and not the one the runner
/// keeps its ledger in (`ledger_schema`).
pub const fn pg_schema<'a>(name: &'a str, ledger_schema: &str) -> Option<Violation<&'a str>> {
    let reason = if name.is_empty() {
        "is empty"
    } else if starts_with(name, "pg_") {
        "starts with `pg_`, which PostgreSQL reserves"
    } else if same(name, ledger_schema) {
        "is where the migration ledger is kept"
    } else if same(name, "information_schema") {
        "is PostgreSQL's own"
    } else {
        return None;
    };
    Some(Violation::ReservedSchema { name, reason })
}

/// A column must not be named like a system column.
pub const fn column_name<'a>(table: &'a str, column: &'a str) -> Option<Violation<&'a str>> {
    if contains(SYSTEM_COLUMNS, column) {
        Some(Violation::SystemColumn { table, column })
    } else {
        None
    }
}

/// An enum type must not be named like a built-in type (or start with `pg_`).
pub const fn enum_name(name: &str) -> Option<Violation<&str>> {
    if contains(BUILTIN_TYPES, name) || starts_with(name, "pg_") {
        Some(Violation::BuiltinTypeName { name })
    } else {
        None
    }
}

/// `ON DELETE SET NULL` needs a nullable column.
pub const fn set_null<'a>(
    table: &'a str,
    column: &'a str,
    nullable: bool,
) -> Option<Violation<&'a str>> {
    if nullable {
        None
    } else {
        Some(Violation::SetNullOnNotNull { table, column })
    }
}

/// `ON DELETE SET DEFAULT` needs a column with a default.
pub const fn set_default<'a>(
    table: &'a str,
    column: &'a str,
    has_default: bool,
) -> Option<Violation<&'a str>> {
    if has_default {
        None
    } else {
        Some(Violation::SetDefaultWithoutDefault { table, column })
    }
}

/// A foreign key must reference the target's one-column primary key or a column with a
/// one-column unique index.
pub const fn referenced_unique<'a>(
    table: &'a str,
    column: &'a str,
    target: &'a str,
    target_column: &'a str,
    is_key: bool,
    is_unique: bool,
) -> Option<Violation<&'a str>> {
    if is_key || is_unique {
        None
    } else {
        Some(Violation::ReferencedNotUnique {
            table,
            column,
            target,
            target_column,
        })
    }
}

/// An index must not take the name of its own table or of its table's primary key
/// constraint (`is_primary_key_name`: the caller derives that name, `<table>_pkey` or the
/// composite `<table>_<column>_..._pk`): PostgreSQL keeps tables, indexes and key constraints
/// in one namespace. (Clashes with other tables' names are found by `schema!`, which sees them
/// all.)
pub const fn index_name<'a>(
    table: &'a str,
    index: &'a str,
    is_primary_key_name: bool,
) -> Option<Violation<&'a str>> {
    let taken_by = if same(index, table) {
        "the table"
    } else if is_primary_key_name {
        "the primary key of the table"
    } else {
        return None;
    };
    Some(Violation::NameTaken {
        kind: "index",
        name: index,
        taken_by,
        owner: table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_return_the_violation_or_none() {
        assert_eq!(
            identifier("column", ""),
            Some(Violation::EmptyName { kind: "column" })
        );
        assert!(identifier("column", &"c".repeat(63)).is_none());
        assert!(identifier("column", &"c".repeat(64)).is_some());
        assert!(column_name("t", "xmin").is_some());
        assert!(column_name("t", "xmin_value").is_none());
        assert!(enum_name("interval").is_some());
        assert!(enum_name("pg_thing").is_some());
        assert!(enum_name("billing_interval").is_none());
        assert!(set_default("t", "c", false).is_some());
        assert!(referenced_unique("t", "c", "u", "email", false, false).is_some());
        assert!(referenced_unique("t", "c", "u", "email", false, true).is_none());
        assert!(index_name("users", "users_pkey", true).is_some());
        assert!(index_name("users", "users_pkey", false).is_none());
        assert!(index_name("users", "users", false).is_some());
        assert!(index_name("pairs", "pairs_a_b_pk", true).is_some());
        assert!(pg_schema("pg_app", "ledger").is_some());
        assert!(pg_schema("ledger", "ledger").is_some());
        assert!(pg_schema("app", "ledger").is_none());
        assert!(foreign_key_name("a", "b", "c", "d").is_none());
        let long = "x".repeat(30);
        assert!(foreign_key_name(&long, &long, "c", "d").is_some());
    }
}
