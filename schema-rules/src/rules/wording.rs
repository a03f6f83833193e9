//! The words of every violation, written once: the compiler's constant evaluator assembles
//! them into a [`Message`](super::message::Message), and `Display` prints the same pieces.

use super::message::{pieces, Piece, Pieces};
use super::violation::Violation;
use crate::const_str::same;
use crate::names;

use Piece::{Number as N, Text as T};

impl<'a> Violation<&'a str> {
    /// The message, as pieces: the one place its words are written.
    #[rustfmt::skip]
    pub const fn pieces(&self) -> Pieces<'a> {
        const CUT: &str = " bytes long, more than PostgreSQL keeps (63): it would cut it silently, so choose a shorter name";
        match *self {
            Violation::EmptyName { kind } => pieces([T("the "), T(kind), T(" cannot be empty")]),
            Violation::NameTooLong { kind, name } => pieces([
                T("the "), T(kind), T(" `"), T(name), T("` is "), N(name.len()), T(CUT),
                // A derived name is shortened through the names it is made of.
                T(if same(kind, "primary key constraint") {
                    ", shortening the table or column names"
                } else {
                    ""
                }),
            ]),
            Violation::ForeignKeyNameTooLong { table, column, target, target_column } => pieces([
                T("the foreign key constraint `"), T(table), T("_"), T(column), T("_"), T(target),
                T("_"), T(target_column), T(names::FOREIGN_KEY_SUFFIX), T("` is "),
                N(names::foreign_key_len(table, column, target, target_column)),
                T(" bytes long, more than PostgreSQL keeps (63): it would cut it silently, so shorten the table or column names"),
            ]),
            Violation::ReservedSchema { name, reason } => pieces([
                T("the PostgreSQL schema `"), T(name), T("` "), T(reason),
                T("; choose another name in `schema!`"),
            ]),
            Violation::Duplicate { kind, name, owner_kind, owner } => {
                let (within, of, close) = if owner_kind.is_empty() {
                    ("", "", "")
                } else {
                    (" in the ", " `", "`")
                };
                pieces([
                    T("the "), T(kind), T(" `"), T(name), T("` is declared twice"), T(within),
                    T(owner_kind), T(of), T(owner), T(close), T("; each "), T(kind),
                    T(" needs a name of its own"),
                ])
            }
            Violation::NameTaken { kind, name, taken_by, owner } => pieces([
                T("the "), T(kind), T(" `"), T(name), T("` is already the name of "), T(taken_by),
                T(" `"), T(owner), T("`: PostgreSQL keeps both in one namespace, so rename the "),
                T(kind),
            ]),
            Violation::SystemColumn { table, column } => pieces([
                T("the column `"), T(table), T("."), T(column),
                T("` is named like a system column PostgreSQL gives every table, so CREATE TABLE would fail; name it otherwise, e.g. #[column(name = \""),
                T(column), T("_value\")]"),
            ]),
            Violation::BuiltinTypeName { name } => pieces([
                T("the enum type `"), T(name),
                T("` is named like PostgreSQL's built-in type, which a column declared with it would get instead; name it otherwise, e.g. #[pg_enum(name = \""),
                T(name), T("_kind\")]"),
            ]),
            Violation::UnknownEnum { table, column, enum_name } => pieces([
                T("the column `"), T(table), T("."), T(column), T("` has the enum type `"),
                T(enum_name), T("`, which is not registered; add its Rust enum to `enums: [...]`"),
            ]),
            Violation::UnknownTable { table, column, target } => pieces([
                T("the foreign key `"), T(table), T("."), T(column), T("` references the table `"),
                T(target), T("`, which is not registered; add it to `tables: [...]` before `"),
                T(table), T("`"),
            ]),
            Violation::MissingColumn { table, what, column } => pieces([
                T(what), T(" of the table `"), T(table), T("` names the column `"), T(column),
                T("`, which the table does not have"),
            ]),
            Violation::SetNullOnNotNull { table, column } => pieces([
                T("the foreign key `"), T(table), T("."), T(column),
                T("` has ON DELETE SET NULL but the column is NOT NULL; make the column nullable or choose another action"),
            ]),
            Violation::SetDefaultWithoutDefault { table, column } => pieces([
                T("the foreign key `"), T(table), T("."), T(column),
                T("` has ON DELETE SET DEFAULT but the column has no default, so deleting a referenced row would fail; give the column a default or choose another action"),
            ]),
            Violation::ForeignKeyType {
                table, column, found, target, target_column, expected,
            } => pieces([
                T("the foreign key `"), T(table), T("."), T(column), T("` is "), T(found),
                T(" but `"), T(target), T("."), T(target_column), T("` is "), T(expected),
                T("; a foreign key has the type of the column it references"),
            ]),
            Violation::ReferencedNotUnique { table, column, target, target_column } => pieces([
                T("the foreign key `"), T(table), T("."), T(column), T("` references `"),
                T(target), T("."), T(target_column),
                T("`, which is neither the primary key nor a one-column unique index of `"),
                T(target),
                T("`, so PostgreSQL would refuse it; reference the key, or add #[unique_index(name = \"..\", on("),
                T(target_column), T("))] to `"), T(target), T("`"),
            ]),
            Violation::NullablePrimaryKey { table, column } => pieces([
                T("the primary key column `"), T(table), T("."), T(column),
                T("` is nullable; primary key columns are NOT NULL"),
            ]),
            Violation::Empty { table, what } => pieces([
                T(what), T(" of the table `"), T(table), T("` has no columns"),
            ]),
            Violation::DefaultType { table, column, sql_type } => pieces([
                T("the default of `"), T(table), T("."), T(column),
                T("` is not a value of its type `"), T(sql_type),
                T("`; give a number in the type's range, one of the enum's labels, or text no longer than the varchar"),
            ]),
            Violation::ZeroLengthVarchar { table, column } => pieces([
                T("the column `"), T(table), T("."), T(column),
                T("` is varchar(0); a varchar holds at least one character"),
            ]),
            Violation::WithoutTimeZoneUnmarked { table, column, sql_type } => pieces([
                T("the column `"), T(table), T("."), T(column), T("` is `"), T(sql_type),
                T("`, which stores no offset: write #[column(without_time_zone)] to keep it on purpose, or use DateTime<Utc> (timestamp with time zone)"),
            ]),
            Violation::WithoutTimeZoneMisplaced { table, column, sql_type } => pieces([
                T("`without_time_zone` marks a timestamp or time without time zone, but the column `"),
                T(table), T("."), T(column), T("` is `"), T(sql_type), T("`; remove it"),
            ]),
            Violation::PartitionParent { table, parent } => pieces([
                T("the table `"), T(table), T("` is a partition of `"), T(parent),
                T("`, which is not a partitioned table listed before it; register `"), T(parent),
                T("` with #[table(partition_by = \"..\")] before `"), T(table), T("`"),
            ]),
            Violation::GrantOnUnknownTable { grantee, table } => pieces([
                T("the grant to `"), T(grantee), T("` names the table `"), T(table),
                T("`, which is not registered; add it to `tables: [...]`, or grant on the tables of the list"),
            ]),
            Violation::UnknownPrivilege { grantee, table, privilege } => pieces([
                T("the grant to `"), T(grantee), T("` on `"), T(table), T("` names the privilege `"),
                T(privilege),
                T("`, which tables do not have; write SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER or ALL"),
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::message::Message;
    use super::*;

    const fn assembled(v: &Violation<&str>) -> Message {
        Message::of(v.pieces())
    }

    #[test]
    fn the_constant_message_and_the_display_are_the_same_words() {
        let cases: Vec<Violation<&str>> = vec![
            Violation::NameTooLong {
                kind: "column",
                name: "é",
            },
            Violation::ForeignKeyNameTooLong {
                table: "a",
                column: "b",
                target: "c",
                target_column: "d",
            },
            Violation::Duplicate {
                kind: "column",
                name: "x",
                owner_kind: "table",
                owner: "t",
            },
            Violation::Duplicate {
                kind: "table",
                name: "t",
                owner_kind: "",
                owner: "",
            },
        ];
        for v in &cases {
            assert_eq!(assembled(v).as_str(), v.to_string());
            assert_eq!(v.owned().to_string(), v.to_string());
        }
        assert_eq!(
            cases[1].to_string(),
            "the foreign key constraint `a_b_c_d_fk` is 10 bytes long, more than PostgreSQL \
             keeps (63): it would cut it silently, so shorten the table or column names"
        );
        assert_eq!(
            cases[2].to_string(),
            "the column `x` is declared twice in the table `t`; each column needs a name of its own"
        );
        assert_eq!(
            cases[3].to_string(),
            "the table `t` is declared twice; each table needs a name of its own"
        );
        assert!(cases[0].to_string().contains("is 2 bytes long"));
    }

    #[test]
    fn every_message_fits_and_reads_the_same_in_both_forms() {
        let x = "x";
        let all: Vec<Violation<&str>> = vec![
            Violation::EmptyName { kind: x },
            Violation::NameTooLong { kind: x, name: x },
            Violation::ForeignKeyNameTooLong {
                table: x,
                column: x,
                target: x,
                target_column: x,
            },
            Violation::ReservedSchema { name: x, reason: x },
            Violation::Duplicate {
                kind: x,
                name: x,
                owner_kind: x,
                owner: x,
            },
            Violation::NameTaken {
                kind: x,
                name: x,
                taken_by: x,
                owner: x,
            },
            Violation::SystemColumn {
                table: x,
                column: x,
            },
            Violation::BuiltinTypeName { name: x },
            Violation::UnknownEnum {
                table: x,
                column: x,
                enum_name: x,
            },
            Violation::UnknownTable {
                table: x,
                column: x,
                target: x,
            },
            Violation::MissingColumn {
                table: x,
                what: x,
                column: x,
            },
            Violation::SetNullOnNotNull {
                table: x,
                column: x,
            },
            Violation::SetDefaultWithoutDefault {
                table: x,
                column: x,
            },
            Violation::ForeignKeyType {
                table: x,
                column: x,
                found: x,
                target: x,
                target_column: x,
                expected: x,
            },
            Violation::ReferencedNotUnique {
                table: x,
                column: x,
                target: x,
                target_column: x,
            },
            Violation::NullablePrimaryKey {
                table: x,
                column: x,
            },
            Violation::Empty { table: x, what: x },
            Violation::DefaultType {
                table: x,
                column: x,
                sql_type: x,
            },
            Violation::ZeroLengthVarchar {
                table: x,
                column: x,
            },
            Violation::WithoutTimeZoneUnmarked {
                table: x,
                column: x,
                sql_type: x,
            },
            Violation::WithoutTimeZoneMisplaced {
                table: x,
                column: x,
                sql_type: x,
            },
            Violation::PartitionParent {
                table: x,
                parent: x,
            },
            Violation::GrantOnUnknownTable {
                grantee: x,
                table: x,
            },
            Violation::UnknownPrivilege {
                grantee: x,
                table: x,
                privilege: x,
            },
        ];
        for v in &all {
            let text = v.to_string();
            assert!(text.contains('x'), "{text}");
            assert_eq!(assembled(v).as_str(), text);
            assert_eq!(v.owned().to_string(), text);
        }
    }
}
