//! The registry rules, each a `const fn` that returns the violation.
//!
//! A rule is written once here and called from three places: the macros at expansion (with
//! the span of the token to blame), `schema!`'s `const` item (rules that need the whole list)
//! and `registry::validate` at run time (schemas built by hand or read from a snapshot). All
//! three print [`Violation`]'s words, so a schema the compiler accepts is not refused later
//! with another message, and a message does not change with the place that caught it.
//!
//! `Violation<S>` is generic over its strings: `&str` where it is built (the constant
//! evaluator cannot allocate), `String` where it is kept (`schema_core::registry::RegistryError`
//! is `Violation<String>`).

use crate::names::{self, MAX_IDENTIFIER_BYTES};
use std::fmt;

/// Every table already has these columns; `CREATE TABLE` with one of them fails (42701).
pub const SYSTEM_COLUMNS: &[&str] = &["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"];

/// The type names of PostgreSQL 15's `pg_catalog` (those not starting with `pg_` or `_`), and
/// the SQL spellings of built-in types: a column type is looked up in `pg_catalog` before the
/// schema's own, so a column of an enum named like one would silently get the built-in type,
/// and a default or an insert of a label would fail. A test compares the list with the
/// server's catalog.
pub const BUILTIN_TYPES: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bigint",
    "bigserial",
    "bit",
    "bool",
    "boolean",
    "box",
    "bpchar",
    "bytea",
    "char",
    "character",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "dec",
    "decimal",
    "event_trigger",
    "fdw_handler",
    "float",
    "float4",
    "float8",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "integer",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "point",
    "polygon",
    "real",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "serial",
    "smallint",
    "smallserial",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "trigger",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xid8",
    "xml",
];

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
    /// A foreign key references a table listed after its own: tables are created in the
    /// order they are listed.
    TableRegisteredLater {
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
}

/// One piece of a message: text, or a number the constant evaluator cannot format.
#[derive(Clone, Copy, Debug)]
pub enum Piece<'a> {
    /// Text, as is.
    Text(&'a str),
    /// A number, in decimal.
    Number(usize),
}

/// The most pieces a message has.
const PIECES: usize = 17;

/// A message's pieces, padded with empty text.
pub type Pieces<'a> = [Piece<'a>; PIECES];

const fn pieces<'a, const N: usize>(parts: [Piece<'a>; N]) -> Pieces<'a> {
    assert!(N <= PIECES, "a message has more pieces than PIECES");
    let mut out = [Piece::Text(""); PIECES];
    let mut i = 0;
    while i < N {
        out[i] = parts[i];
        i += 1;
    }
    out
}

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
            Violation::TableRegisteredLater { table, column, target } => pieces([
                T("the foreign key `"), T(table), T("."), T(column), T("` references the table `"),
                T(target), T("`, which is registered after it; move `"), T(target),
                T("` before `"), T(table), T("` in `tables: [...]`"),
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
        }
    }

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
            V::TableRegisteredLater { table, column, target } => V::TableRegisteredLater {
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

// The rules. Each returns the violation, or `None` when the rule holds.

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

/// Whether two strings are equal; `==` on `str` is not callable in a `const fn`.
pub const fn same(a: &str, b: &str) -> bool {
    names::is_concat(a, &[b])
}

/// Whether `list` holds `name`.
pub const fn contains(list: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if same(list[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

const fn starts_with(name: &str, prefix: &str) -> bool {
    let (name, prefix) = (name.as_bytes(), prefix.as_bytes());
    if prefix.len() > name.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if name[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Room for one message; a longer one is cut, at a character boundary.
const MESSAGE_BYTES: usize = 1024;

/// A message assembled in a fixed buffer, for the constant evaluator, which cannot allocate.
pub struct Message {
    buf: [u8; MESSAGE_BYTES],
    len: usize,
}

impl Message {
    /// The message of `pieces`.
    pub const fn of(pieces: Pieces<'_>) -> Self {
        let mut message = Message {
            buf: [0; MESSAGE_BYTES],
            len: 0,
        };
        let mut p = 0;
        while p < PIECES {
            match pieces[p] {
                Piece::Text(text) => message.push(text.as_bytes()),
                Piece::Number(n) => message.push_number(n),
            }
            p += 1;
        }
        message
    }

    const fn push(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() && self.len < MESSAGE_BYTES {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
    }

    const fn push_number(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let (mut n, mut count) = (n, 0);
        loop {
            digits[digits.len() - 1 - count] = b'0' + (n % 10) as u8;
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let (_, used) = digits.split_at(digits.len() - count);
        self.push(used);
    }

    /// The text so far.
    pub const fn as_str(&self) -> &str {
        let mut len = self.len;
        // A cut in the middle of a multi-byte character is backed off to its start.
        while len > 0 {
            let (head, _) = self.buf.split_at(len);
            if let Ok(text) = std::str::from_utf8(head) {
                return text;
            }
            len -= 1;
        }
        ""
    }
}

#[cfg(test)]
mod tests {
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
            Violation::TableRegisteredLater {
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
        ];
        for v in &all {
            let text = v.to_string();
            assert!(text.contains('x'), "{text}");
            assert_eq!(assembled(v).as_str(), text);
            assert_eq!(v.owned().to_string(), text);
        }
    }

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

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut m = Message::of([Piece::Text(""); PIECES]);
        m.push_number(0);
        m.push_number(1024);
        assert_eq!(m.as_str(), "01024");
    }
}
