//! What a broken rule is: [`Violation`], with the names it concerns, generic over its strings.
//! Its words are written in `wording`; `Display` reads them from there.

use super::message::Piece;
use std::fmt;

/// One broken rule of a schema, with the names it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation<S> {
    /// A name is empty.
    EmptyName {
        /// What the name names, e.g. `column` or `index`.
        kind: &'static str,
    },
    /// A name is longer than PostgreSQL keeps (63 bytes).
    NameTooLong {
        /// What the name names, e.g. `column` or `index`.
        kind: &'static str,
        /// The name, in full.
        name: S,
    },
    /// The derived foreign key name `<table>_<column>_<target>_<target column>_fk` is longer
    /// than PostgreSQL keeps.
    ForeignKeyNameTooLong {
        /// The referencing table.
        table: S,
        /// The referencing column.
        column: S,
        /// The referenced table.
        target: S,
        /// The referenced column.
        target_column: S,
    },
    /// The PostgreSQL schema is empty, starts with `pg_`, is `information_schema` or is the
    /// migration ledger's.
    ReservedSchema {
        /// The schema's name.
        name: S,
        /// Why it cannot be used, e.g. `is where the migration ledger is kept`.
        reason: &'static str,
    },
    /// Two enum types, tables, labels of one enum, columns of one table or indexes have the
    /// same name.
    Duplicate {
        /// What the name names, e.g. `table` or `label`.
        kind: &'static str,
        /// The name declared twice.
        name: S,
        /// What holds the two, e.g. `table`; empty for a schema-wide name.
        owner_kind: &'static str,
        /// The holder's name; empty for a schema-wide name.
        owner: S,
    },
    /// A name is already taken by an object of another kind in the same namespace: an index
    /// named like a table or like a primary key's `<table>_pkey`, a table named like an enum.
    NameTaken {
        /// What the name names, e.g. `index`.
        kind: &'static str,
        /// The name.
        name: S,
        /// What already has it, e.g. `the primary key of the table`.
        taken_by: &'static str,
        /// The name of the object that has it (for a key, its table).
        owner: S,
    },
    /// A column is named like one of the system columns every table has.
    SystemColumn {
        /// The table.
        table: S,
        /// The column.
        column: S,
    },
    /// An enum type is named like a built-in type, which a column's type would resolve to.
    BuiltinTypeName {
        /// The enum type's name.
        name: S,
    },
    /// A column has an enum type the schema does not list.
    UnknownEnum {
        /// The column's table.
        table: S,
        /// The column.
        column: S,
        /// The enum type it names.
        enum_name: S,
    },
    /// A foreign key references a table the schema does not list.
    UnknownTable {
        /// The referencing table.
        table: S,
        /// The referencing column.
        column: S,
        /// The referenced table.
        target: S,
    },
    /// A primary key, index or foreign key names a column its table does not have.
    MissingColumn {
        /// The table that lacks the column (for a foreign key, the referenced one).
        table: S,
        /// What names the column, e.g. `` the index `users_email_uq` ``.
        what: S,
        /// The column named.
        column: S,
    },
    /// A foreign key is `ON DELETE SET NULL` on a `NOT NULL` column.
    SetNullOnNotNull {
        /// The referencing table.
        table: S,
        /// The referencing column.
        column: S,
    },
    /// A foreign key is `ON DELETE SET DEFAULT` on a column without a default.
    SetDefaultWithoutDefault {
        /// The referencing table.
        table: S,
        /// The referencing column.
        column: S,
    },
    /// A foreign key column's type differs from the type of the column it references.
    ForeignKeyType {
        /// The referencing table.
        table: S,
        /// The referencing column.
        column: S,
        /// Its SQL type, e.g. `integer`.
        found: S,
        /// The referenced table.
        target: S,
        /// The referenced column.
        target_column: S,
        /// The referenced column's SQL type, e.g. `uuid`.
        expected: S,
    },
    /// A foreign key references a column that is neither the table's one-column primary key
    /// nor covered by a one-column unique index, so PostgreSQL would refuse it (42830).
    ReferencedNotUnique {
        /// The referencing table.
        table: S,
        /// The referencing column.
        column: S,
        /// The referenced table.
        target: S,
        /// The referenced column.
        target_column: S,
    },
    /// A primary key column is declared nullable.
    NullablePrimaryKey {
        /// The table.
        table: S,
        /// The nullable column.
        column: S,
    },
    /// A composite primary key or an index lists no columns.
    Empty {
        /// The table.
        table: S,
        /// What is empty: `the primary key` or `` the index `users_email_uq` ``.
        what: S,
    },
    /// A column's default is not a value of its type: another kind of value, a label its enum
    /// lacks, a number out of range, or text longer than the varchar.
    DefaultType {
        /// The table.
        table: S,
        /// The column.
        column: S,
        /// The column's SQL type, e.g. `smallint`.
        sql_type: S,
    },
    /// A column is `varchar(0)`, which PostgreSQL refuses.
    ZeroLengthVarchar {
        /// The table.
        table: S,
        /// The column.
        column: S,
    },
    /// A column is a timestamp or time without time zone and does not say so on purpose
    /// (`#[column(without_time_zone)]`).
    WithoutTimeZoneUnmarked {
        /// The table.
        table: S,
        /// The column.
        column: S,
        /// Its SQL type, e.g. `timestamp without time zone`.
        sql_type: S,
    },
    /// `#[column(without_time_zone)]` is on a column whose type is not a timestamp or time
    /// without time zone.
    WithoutTimeZoneMisplaced {
        /// The table.
        table: S,
        /// The column.
        column: S,
        /// Its SQL type, e.g. `timestamp with time zone`.
        sql_type: S,
    },
    /// A partition names a parent that is not a partitioned table listed before it.
    PartitionParent {
        /// The partition.
        table: S,
        /// The table it names as its parent.
        parent: S,
    },
    /// A grant of `schema!` names a table the schema does not list.
    GrantOnUnknownTable {
        /// The role, or `PUBLIC`.
        grantee: S,
        /// The table it names.
        table: S,
    },
    /// A grant of `schema!` names a privilege tables do not have.
    UnknownPrivilege {
        /// The role, or `PUBLIC`.
        grantee: S,
        /// The table.
        table: S,
        /// The privilege, e.g. `EXECUTE`.
        privilege: S,
    },
}

impl Violation<&str> {
    /// The same violation holding owned strings, to keep.
    pub fn owned(&self) -> Violation<String> {
        self.map(|s| s.to_string())
    }
}

impl<S: AsRef<str>> Violation<S> {
    /// The same violation borrowing its strings.
    pub fn as_borrowed(&self) -> Violation<&str> {
        self.map(AsRef::as_ref)
    }

    #[rustfmt::skip]
    fn map<'b, U>(&'b self, f: impl Fn(&'b S) -> U) -> Violation<U> {
        use Violation as V;
        match self {
            V::EmptyName { kind } => V::EmptyName { kind },
            V::NameTooLong { kind, name } => V::NameTooLong { kind, name: f(name) },
            V::ForeignKeyNameTooLong {
                table, column, target, target_column,
            } => V::ForeignKeyNameTooLong {
                table: f(table), column: f(column), target: f(target),
                target_column: f(target_column),
            },
            V::ReservedSchema { name, reason } => V::ReservedSchema { name: f(name), reason },
            V::Duplicate { kind, name, owner_kind, owner } => V::Duplicate {
                kind, name: f(name), owner_kind, owner: f(owner),
            },
            V::NameTaken { kind, name, taken_by, owner } => V::NameTaken {
                kind, name: f(name), taken_by, owner: f(owner),
            },
            V::SystemColumn { table, column } => V::SystemColumn {
                table: f(table), column: f(column),
            },
            V::BuiltinTypeName { name } => V::BuiltinTypeName { name: f(name) },
            V::UnknownEnum { table, column, enum_name } => V::UnknownEnum {
                table: f(table), column: f(column), enum_name: f(enum_name),
            },
            V::UnknownTable { table, column, target } => V::UnknownTable {
                table: f(table), column: f(column), target: f(target),
            },
            V::MissingColumn { table, what, column } => V::MissingColumn {
                table: f(table), what: f(what), column: f(column),
            },
            V::SetNullOnNotNull { table, column } => V::SetNullOnNotNull {
                table: f(table), column: f(column),
            },
            V::SetDefaultWithoutDefault { table, column } => V::SetDefaultWithoutDefault {
                table: f(table), column: f(column),
            },
            V::ForeignKeyType {
                table, column, found, target, target_column, expected,
            } => V::ForeignKeyType {
                table: f(table), column: f(column), found: f(found), target: f(target),
                target_column: f(target_column), expected: f(expected),
            },
            V::ReferencedNotUnique {
                table, column, target, target_column,
            } => V::ReferencedNotUnique {
                table: f(table), column: f(column), target: f(target),
                target_column: f(target_column),
            },
            V::NullablePrimaryKey { table, column } => V::NullablePrimaryKey {
                table: f(table), column: f(column),
            },
            V::Empty { table, what } => V::Empty { table: f(table), what: f(what) },
            V::DefaultType { table, column, sql_type } => V::DefaultType {
                table: f(table), column: f(column), sql_type: f(sql_type),
            },
            V::ZeroLengthVarchar { table, column } => V::ZeroLengthVarchar {
                table: f(table), column: f(column),
            },
            V::WithoutTimeZoneUnmarked { table, column, sql_type } => V::WithoutTimeZoneUnmarked {
                table: f(table), column: f(column), sql_type: f(sql_type),
            },
            V::WithoutTimeZoneMisplaced { table, column, sql_type } => V::WithoutTimeZoneMisplaced {
                table: f(table), column: f(column), sql_type: f(sql_type),
            },
            V::PartitionParent { table, parent } => V::PartitionParent {
                table: f(table), parent: f(parent),
            },
            V::GrantOnUnknownTable { grantee, table } => V::GrantOnUnknownTable {
                grantee: f(grantee), table: f(table),
            },
            V::UnknownPrivilege { grantee, table, privilege } => V::UnknownPrivilege {
                grantee: f(grantee), table: f(table), privilege: f(privilege),
            },
        }
    }
}

impl<S: AsRef<str>> fmt::Display for Violation<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in self.as_borrowed().pieces() {
            match piece {
                Piece::Text(text) => f.write_str(text)?,
                Piece::Number(n) => write!(f, "{n}")?,
            }
        }
        Ok(())
    }
}

impl<S: AsRef<str> + fmt::Debug> std::error::Error for Violation<S> {}
