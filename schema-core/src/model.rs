//! Descriptors: the schema as plain data.
//!
//! The macros emit these as `const` items, tests and benchmarks build them by hand, and
//! migration snapshots deserialize into them. `Cow<'static, _>` lets one set of types serve
//! all three: borrowed in a `const`, owned when built at run time or read from JSON.

use schema_rules::names;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// An identifier or a piece of SQL text held by a descriptor.
pub type Name = Cow<'static, str>;
/// A list held by a descriptor.
pub type List<T> = Cow<'static, [T]>;

pub use schema_rules::names::MAX_IDENTIFIER_BYTES;

/// A whole schema: enums and tables in the order they were declared, in one PostgreSQL schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// The PostgreSQL schema (namespace) that holds the enums and tables: `public` unless
    /// `schema!` names another.
    #[serde(default = "public_schema", skip_serializing_if = "is_public")]
    pub pg_schema: Name,
    /// The enum types, in the order they are created.
    pub enums: List<EnumDef>,
    /// The tables, each after the tables its foreign keys reference.
    pub tables: List<TableDef>,
}

/// PostgreSQL's default schema, where the tables go unless `schema!` names another.
pub const PUBLIC_SCHEMA: &str = "public";

fn public_schema() -> Name {
    Cow::Borrowed(PUBLIC_SCHEMA)
}

fn is_public(name: &Name) -> bool {
    name == PUBLIC_SCHEMA
}

impl Default for Schema {
    fn default() -> Self {
        Schema::new(Cow::Borrowed(&[]), Cow::Borrowed(&[]))
    }
}

/// A PostgreSQL enum type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumDef {
    /// The type's PostgreSQL name, unqualified.
    pub name: Name,
    /// Labels in declaration order; the order is part of the type.
    pub labels: List<Name>,
    /// The type's previous name, declared in code so a rename never needs a prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Name>,
    /// Labels renamed in code, old name to new name.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub renamed_labels: List<LabelRename>,
}

/// A label of an enum renamed in code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRename {
    /// The label's previous name.
    pub from: Name,
    /// Its name now, one of the enum's `labels`.
    pub to: Name,
}

/// A table with its columns, keys and indexes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDef {
    /// The table's PostgreSQL name, unqualified.
    pub name: Name,
    /// The columns, in the order `CREATE TABLE` lists them.
    pub columns: List<ColumnDef>,
    /// The primary key; every table has one.
    pub primary_key: PrimaryKey,
    /// The foreign keys, one column each.
    #[serde(default)]
    pub foreign_keys: List<ForeignKeyDef>,
    /// The indexes declared on the table (not the primary key's).
    #[serde(default)]
    pub indexes: List<IndexDef>,
    /// The table's previous name, declared in code so a rename never needs a prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Name>,
}

/// A column: name, type, nullability and default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// The column's PostgreSQL name.
    pub name: Name,
    /// Its type.
    pub sql_type: SqlType,
    /// True when it allows NULL; false makes it `NOT NULL`.
    pub nullable: bool,
    /// Its `DEFAULT`; `None` for no default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<ColumnDefault>,
    /// The column's previous name, declared in code so a rename never needs a prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<Name>,
}

/// The SQL types a column can have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlType {
    /// `uuid`.
    Uuid,
    /// `text`.
    Text,
    /// `varchar(n)`: at most `n` characters (not bytes); `n` is at least 1.
    Varchar(u32),
    /// `boolean`.
    Boolean,
    /// `smallint`: 2 bytes.
    SmallInt,
    /// `integer`: 4 bytes.
    Integer,
    /// `bigint`: 8 bytes.
    BigInt,
    /// `real`: a 4-byte float.
    Real,
    /// `double precision`: an 8-byte float.
    DoublePrecision,
    /// `timestamp with time zone`.
    TimestampTz,
    /// `jsonb`.
    Jsonb,
    /// A user-defined enum type, by its PostgreSQL name.
    Enum(Name),
}

/// A column default. Only forms whose SQL text is known exactly are allowed, so that the
/// catalog can be compared with the code byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnDefault {
    /// `now()`
    Now,
    /// `gen_random_uuid()` (pgcrypto / PostgreSQL 13+)
    GenRandomUuid,
    /// `true` or `false`, on a `boolean` column.
    Bool(bool),
    /// An integer literal, on an integer or float column whose type holds it exactly.
    Int(i64),
    /// A decimal literal such as `0.5` or `-1.25`, on a `real` or `double precision` column.
    Float(Name),
    /// A string literal, rendered quoted, on a `text` or `varchar` column.
    Text(Name),
    /// A label of the column's enum type.
    EnumLabel(Name),
}

/// The primary key of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrimaryKey {
    /// One column, declared inline: PostgreSQL names the constraint `<table>_pkey`.
    Column(Name),
    /// Several columns, declared as a named table constraint `<table>_<col>_<col>_pk`.
    Composite(List<Name>),
}

/// A foreign key from one column to a column of another table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKeyDef {
    /// The referencing column, in the table that holds the key.
    pub column: Name,
    /// The referenced table, registered before the one that holds the key.
    pub references_table: Name,
    /// The referenced column: that table's one-column primary key or a column with a
    /// one-column unique index.
    pub references_column: Name,
    /// What deleting a referenced row does.
    pub on_delete: OnDelete,
}

/// The ON DELETE action of a foreign key. There is no default: every key states one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    /// Delete the referencing rows too.
    Cascade,
    /// Refuse the delete at once.
    Restrict,
    /// Set the referencing column to NULL; the column must be nullable.
    SetNull,
    /// Set the referencing column to its default; the column must have one.
    SetDefault,
    /// Refuse the delete at the end of the statement (or at commit, if deferred).
    NoAction,
}

/// A btree index, unique or not, under an explicit name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDef {
    /// The index's PostgreSQL name; it shares one namespace with the schema's tables.
    pub name: Name,
    /// `UNIQUE`: no two rows have the same key.
    pub unique: bool,
    /// The key columns, in key order; at least one.
    pub columns: List<IndexColumn>,
}

/// One column of an index, its sort direction and where it puts NULLs.
///
/// Equality is PostgreSQL's: `DESC` and `DESC NULLS FIRST` are the same key, as are `ASC` and
/// `ASC NULLS LAST`, so a key is compared by the order it sorts in, not by how it is spelled.
#[derive(Clone, Debug, Eq, Serialize, Deserialize)]
pub struct IndexColumn {
    /// The column's name.
    pub name: Name,
    /// Descending: PostgreSQL's plain `DESC`, which sorts NULLs first unless `nulls` says
    /// otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub desc: bool,
    /// An explicit NULLs order; `None` is the direction's default (first for `DESC`, last for
    /// `ASC`). Snapshots written before this field existed read as `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls: Option<NullsOrder>,
}

/// Where an index key puts NULLs (`NULLS FIRST` / `NULLS LAST`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullsOrder {
    /// `NULLS FIRST`.
    First,
    /// `NULLS LAST`.
    Last,
}

impl IndexColumn {
    /// An ascending key, NULLs last (PostgreSQL's default).
    pub const fn asc(name: Name) -> Self {
        IndexColumn {
            name,
            desc: false,
            nulls: None,
        }
    }

    /// A descending key, NULLs first (PostgreSQL's plain `DESC`).
    pub const fn desc(name: Name) -> Self {
        IndexColumn {
            name,
            desc: true,
            nulls: None,
        }
    }

    /// The same key with an explicit NULLs order.
    pub fn with_nulls(mut self, nulls: NullsOrder) -> Self {
        self.nulls = Some(nulls);
        self
    }

    /// Whether the key sorts NULLs before other values, spelled or defaulted.
    pub fn nulls_first(&self) -> bool {
        match self.nulls {
            Some(order) => order == NullsOrder::First,
            None => self.desc,
        }
    }

    /// The NULLs clause PostgreSQL would print for this key: only one that differs from the
    /// direction's default (`pg_get_indexdef` prints `DESC` for `DESC NULLS FIRST`).
    pub fn nulls_clause(&self) -> Option<&'static str> {
        match (self.desc, self.nulls_first()) {
            (true, false) => Some("NULLS LAST"),
            (false, true) => Some("NULLS FIRST"),
            _ => None,
        }
    }
}

impl PartialEq for IndexColumn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.desc == other.desc
            && self.nulls_first() == other.nulls_first()
    }
}

impl OnDelete {
    /// The SQL words of the action, in lower case as the migrations spell them (PostgreSQL
    /// prints them in upper case).
    pub fn sql(self) -> &'static str {
        match self {
            OnDelete::Cascade => "cascade",
            OnDelete::Restrict => "restrict",
            OnDelete::SetNull => "set null",
            OnDelete::SetDefault => "set default",
            OnDelete::NoAction => "no action",
        }
    }
}

impl ColumnDef {
    /// A NOT NULL column without a default: what a field that is not an `Option` and has no
    /// `default` becomes. [`ColumnDef::nullable`] and [`ColumnDef::with_default`] refine it.
    pub const fn new(name: Name, sql_type: SqlType) -> Self {
        ColumnDef {
            name,
            sql_type,
            nullable: false,
            default: None,
            renamed_from: None,
        }
    }

    /// The same column, nullable.
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// The same column, with `default`.
    pub fn with_default(mut self, default: ColumnDefault) -> Self {
        self.default = Some(default);
        self
    }
}

impl TableDef {
    /// The column of that name, if the table has one.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The name of the primary key constraint, following the naming contract.
    pub fn primary_key_name(&self) -> String {
        match &self.primary_key {
            PrimaryKey::Column(_) => names::primary_key(&self.name),
            PrimaryKey::Composite(cols) => {
                names::composite_primary_key(&self.name, cols.iter().map(|c| &**c))
            }
        }
    }
}

impl ForeignKeyDef {
    /// `<table>_<column>_<referenced table>_<referenced column>_fk`, the naming contract.
    pub fn constraint_name(&self, table: &str) -> String {
        names::foreign_key(
            table,
            &self.column,
            &self.references_table,
            &self.references_column,
        )
    }
}

impl Schema {
    /// A schema in `public` with these enums and tables.
    pub const fn new(enums: List<EnumDef>, tables: List<TableDef>) -> Self {
        Schema {
            pg_schema: Cow::Borrowed(PUBLIC_SCHEMA),
            enums,
            tables,
        }
    }

    /// Whether the tables live in PostgreSQL's default schema.
    pub fn is_public(&self) -> bool {
        is_public(&self.pg_schema)
    }

    /// The table of that name, if the schema has one.
    pub fn table(&self, name: &str) -> Option<&TableDef> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The enum type of that name, if the schema has one.
    pub fn enum_def(&self, name: &str) -> Option<&EnumDef> {
        self.enums.iter().find(|e| e.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL treats these spellings as one key; the diff must not see a change.
    #[test]
    fn equivalent_key_spellings_are_equal() {
        let desc = IndexColumn::desc("at".into());
        assert_eq!(desc, desc.clone().with_nulls(NullsOrder::First));
        assert_ne!(desc, desc.clone().with_nulls(NullsOrder::Last));
        let asc = IndexColumn::asc("at".into());
        assert_eq!(asc, asc.clone().with_nulls(NullsOrder::Last));
        assert_ne!(asc, asc.clone().with_nulls(NullsOrder::First));
        assert_ne!(asc, desc);
    }

    /// Snapshots written before `nulls` existed have no such field and still read.
    #[test]
    fn snapshot_keys_without_nulls_read_as_the_default() {
        let old: IndexColumn = serde_json::from_str(r#"{"name":"at","desc":true}"#).unwrap();
        assert_eq!(old.nulls, None);
        assert!(old.nulls_first());
        let explicit = IndexColumn::desc("at".into()).with_nulls(NullsOrder::Last);
        let json = serde_json::to_string(&explicit).unwrap();
        assert_eq!(json, r#"{"name":"at","desc":true,"nulls":"last"}"#);
        assert_eq!(
            serde_json::from_str::<IndexColumn>(&json).unwrap(),
            explicit
        );
        assert_eq!(
            serde_json::to_string(&IndexColumn::desc("at".into())).unwrap(),
            r#"{"name":"at","desc":true}"#
        );
    }
}
