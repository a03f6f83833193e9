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

mod carried;
mod objects;
pub use objects::{ConstraintDef, ConstraintKind, Deferral, SequenceDef, TableObjectDef, ViewDef};
mod privileges;
pub use privileges::{
    normalize as normalize_privileges, GrantDef, Privileges, TableOwner, ALL_TABLES,
    PUBLIC_GRANTEE, TABLE_PRIVILEGES,
};

/// A whole schema: enums and tables in the order they were declared, in one PostgreSQL schema.
///
/// The same type describes the schema in code and a live database read by the catalog reader.
/// The macros fill in the narrow subset a migration can make; the other fields (views, check
/// constraints, triggers, any column type...) stay empty for a schema in code, are left out
/// of its snapshot, and say what a database holds beyond it.
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
    /// Extensions installed in the database (database-wide), by name, the built-in `plpgsql`
    /// left out. A schema in code lists none: its migrations install `pgcrypto` themselves.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub extensions: List<Name>,
    /// Views and materialized views.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub views: List<ViewDef>,
    /// Sequences no column owns (a serial or identity column's sequence goes with it).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub sequences: List<SequenceDef>,
    /// Functions and procedures of the schema (not an extension's), by signature
    /// (`touch()`), each with its definition as `pg_get_functiondef` prints it.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub functions: List<TableObjectDef>,
    /// Domains of the schema, each with its base type, default and constraints.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub domains: List<TableObjectDef>,
    /// Event triggers (database-wide), each with its event and function.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub event_triggers: List<TableObjectDef>,
    /// Who owns the tables and what other roles may do with them.
    #[serde(default, skip_serializing_if = "Privileges::is_none")]
    pub privileges: Privileges,
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
    /// The primary key constraint's name when it is not the naming contract's (a database
    /// changed by hand); `None` follows the contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_name: Option<Name>,
    /// The primary key's index when it stores more than the key (`INCLUDE`) or sorts by
    /// another operator class; `None` for the plain index every primary key has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_index: Option<Box<IndexDef>>,
    /// `DEFERRABLE` on the primary key; `None` for PostgreSQL's default, `NOT DEFERRABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_deferrable: Option<Deferral>,
    /// Unique, check and exclusion constraints, by name.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub constraints: List<ConstraintDef>,
    /// `UNLOGGED`: emptied after a crash, never replicated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlogged: bool,
    /// `ENABLE ROW LEVEL SECURITY`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub row_security: bool,
    /// `FORCE ROW LEVEL SECURITY`: the policies apply to the table's owner too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_row_security: bool,
    /// Row-level security policies, by name.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub policies: List<TableObjectDef>,
    /// Triggers made by a user (not the internal ones behind foreign keys), by name.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub triggers: List<TableObjectDef>,
    /// Rewrite rules, by name.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub rules: List<TableObjectDef>,
    /// How the table is partitioned (`PARTITION BY RANGE (payment_date)`) or what it is a
    /// partition of (`PARTITION OF payment FOR VALUES FROM (..) TO (..)`, `PARTITION OF
    /// payment DEFAULT`), as PostgreSQL prints it (the parent's name as `quote_ident` does);
    /// `None` for a plain table. Written by `#[table(partition_by = "..")]` and
    /// `#[table(partition_of = "..", for_values = "..")]`; see [`TableDef::partition_key`]
    /// and [`TableDef::partition_of`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Name>,
    /// `REPLICA IDENTITY FULL`, `NOTHING` or `USING INDEX name`; `None` for the default (the
    /// primary key), which is what every migration leaves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_identity: Option<Name>,
    /// Storage parameters (`fillfactor=90, autovacuum_vacuum_scale_factor=0.02`), as
    /// `reloptions` lists them; `None` for the server's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Name>,
    /// `COMMENT ON TABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Name>,
    /// `COMMENT ON COLUMN`, by column name.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub column_comments: List<TableObjectDef>,
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
    /// The column's collation when it is not its type's default (`COLLATE "C"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<Name>,
    /// The expression of a generated column (`GENERATED ALWAYS AS (..) STORED`), as
    /// PostgreSQL prints it; such a column has no default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Name>,
    /// `GENERATED .. AS IDENTITY`: the server numbers the rows from a sequence the column
    /// owns; such a column has no default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
}

/// Which values an identity column takes from its sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// `GENERATED ALWAYS AS IDENTITY`: an INSERT that gives a value is refused (unless it
    /// says `OVERRIDING SYSTEM VALUE`).
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`: the sequence fills in only a value not given.
    ByDefault,
}

impl Identity {
    /// The SQL words between `GENERATED` and `AS IDENTITY`.
    pub fn sql(self) -> &'static str {
        match self {
            Identity::Always => "ALWAYS",
            Identity::ByDefault => "BY DEFAULT",
        }
    }
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
    /// Any other type, as PostgreSQL's `format_type()` prints it (`inet`, `numeric(10,2)`,
    /// `other_schema.mood`): what a database holds that the code cannot declare yet.
    Other(Name),
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
    /// Any other default, as PostgreSQL's `pg_get_expr()` prints it
    /// (`nextval('t_id_seq'::regclass)`): what a database holds that the code cannot declare.
    Expr(Name),
}

/// The primary key of a table. A table read from a database that has no primary key holds
/// an empty `Composite`.
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
    /// What updating a referenced key does; PostgreSQL's default, `NO ACTION`, unless a
    /// database was changed by hand.
    #[serde(default = "no_action", skip_serializing_if = "is_no_action")]
    pub on_update: OnDelete,
    /// The constraint's name when it is not the naming contract's; `None` follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// For a key of several columns, the referencing columns after `column`, in key order.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub more_columns: List<Name>,
    /// The referenced columns after `references_column`, matching `more_columns` one for one.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub more_references: List<Name>,
    /// Added `NOT VALID` and never validated: existing rows were not checked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `DEFERRABLE`; `None` for PostgreSQL's default, `NOT DEFERRABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferrable: Option<Deferral>,
}

fn no_action() -> OnDelete {
    OnDelete::NoAction
}

fn is_no_action(action: &OnDelete) -> bool {
    *action == OnDelete::NoAction
}

/// The ON DELETE action of a foreign key (and, read from a database, its ON UPDATE action).
/// There is no default: every key states one.
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
    /// The access method when it is not `btree` (`gin`, `hash`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Name>,
    /// The `WHERE` predicate of a partial index, as PostgreSQL prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Name>,
    /// The `INCLUDE` columns: stored in the index, no part of its key.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub include: List<Name>,
    /// Left behind by a failed `CREATE INDEX CONCURRENTLY`: writes maintain it, queries never
    /// use it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
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
    /// The operator class when it is not the default one for the key's type (e.g.
    /// `text_pattern_ops`, which changes which queries the index serves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<Name>,
    /// True when `name` is an expression as PostgreSQL prints it (`lower(email)`), not a
    /// column.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expression: bool,
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
            opclass: None,
            expression: false,
        }
    }

    /// A descending key, NULLs first (PostgreSQL's plain `DESC`).
    pub const fn desc(name: Name) -> Self {
        IndexColumn {
            name,
            desc: true,
            nulls: None,
            opclass: None,
            expression: false,
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
            && self.opclass == other.opclass
            && self.expression == other.expression
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
            collation: None,
            generated: None,
            identity: None,
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

    /// A table with no name, no columns and nothing else, to complete struct literals with
    /// (`TableDef { name, columns, primary_key, ..TableDef::BLANK }`).
    pub const BLANK: TableDef = TableDef {
        name: Cow::Borrowed(""),
        columns: Cow::Borrowed(&[]),
        primary_key: PrimaryKey::Composite(Cow::Borrowed(&[])),
        foreign_keys: Cow::Borrowed(&[]),
        indexes: Cow::Borrowed(&[]),
        renamed_from: None,
        primary_key_name: None,
        primary_key_index: None,
        primary_key_deferrable: None,
        constraints: Cow::Borrowed(&[]),
        unlogged: false,
        row_security: false,
        force_row_security: false,
        policies: Cow::Borrowed(&[]),
        triggers: Cow::Borrowed(&[]),
        rules: Cow::Borrowed(&[]),
        partition: None,
        replica_identity: None,
        storage: None,
        comment: None,
        column_comments: Cow::Borrowed(&[]),
    };

    /// The partition key of a partitioned table, as `pg_get_partkeydef` prints it
    /// (`RANGE (payment_date)`); `None` for any other table.
    pub fn partition_key(&self) -> Option<&str> {
        self.partition.as_deref()?.strip_prefix(PARTITION_BY)
    }

    /// The parent of a partition, unquoted, and its bound as `pg_get_expr` prints it
    /// (`FOR VALUES FROM (..) TO (..)`, `DEFAULT`); `None` for any other table.
    pub fn partition_of(&self) -> Option<(String, &str)> {
        let rest = self.partition.as_deref()?.strip_prefix(PARTITION_OF)?;
        let (parent, bound) = split_identifier(rest)?;
        Some((parent, bound.strip_prefix(' ')?))
    }

    /// The index of that name, if the table declares one (not the primary key's).
    pub fn index(&self, name: &str) -> Option<&IndexDef> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// The primary key's columns, in key order; none for a table without one.
    pub fn primary_key_columns(&self) -> Vec<&str> {
        match &self.primary_key {
            PrimaryKey::Column(c) => vec![&**c],
            PrimaryKey::Composite(cols) => cols.iter().map(|c| &**c).collect(),
        }
    }

    /// The name of the primary key constraint: the naming contract's unless the table says
    /// otherwise.
    pub fn primary_key_name(&self) -> String {
        if let Some(name) = &self.primary_key_name {
            return name.to_string();
        }
        match &self.primary_key {
            PrimaryKey::Column(_) => names::primary_key(&self.name),
            PrimaryKey::Composite(cols) => {
                names::composite_primary_key(&self.name, cols.iter().map(|c| &**c))
            }
        }
    }
}

/// What [`TableDef::partition`] starts with for a partitioned table.
pub const PARTITION_BY: &str = "PARTITION BY ";
/// What [`TableDef::partition`] starts with for a partition.
pub const PARTITION_OF: &str = "PARTITION OF ";

/// The identifier `text` starts with, as `quote_ident` prints one (bare, or double-quoted with
/// `""` for a quote), unquoted, and the rest.
fn split_identifier(text: &str) -> Option<(String, &str)> {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text.find(' ').unwrap_or(text.len());
        return Some((text[..end].to_string(), &text[end..]));
    };
    let mut name = String::new();
    let mut chars = quoted.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '"' {
            name.push(c);
        } else if chars.peek().map(|(_, c)| *c) == Some('"') {
            name.push('"');
            chars.next();
        } else {
            return Some((name, &quoted[at + 1..]));
        }
    }
    None
}

impl ForeignKeyDef {
    /// A key from `column` to `references_table(references_column)` with the ON DELETE
    /// action and everything else PostgreSQL's default.
    pub const fn new(
        column: Name,
        references_table: Name,
        references_column: Name,
        on_delete: OnDelete,
    ) -> Self {
        ForeignKeyDef {
            column,
            references_table,
            references_column,
            on_delete,
            on_update: OnDelete::NoAction,
            name: None,
            more_columns: Cow::Borrowed(&[]),
            more_references: Cow::Borrowed(&[]),
            not_valid: false,
            deferrable: None,
        }
    }

    /// The referencing columns, in key order.
    pub fn columns(&self) -> Vec<&str> {
        std::iter::once(&*self.column)
            .chain(self.more_columns.iter().map(|c| &**c))
            .collect()
    }

    /// The referenced columns, matching [`ForeignKeyDef::columns`].
    pub fn references_columns(&self) -> Vec<&str> {
        std::iter::once(&*self.references_column)
            .chain(self.more_references.iter().map(|c| &**c))
            .collect()
    }

    /// The constraint's name: `<table>_<column>_<referenced table>_<referenced column>_fk`,
    /// the naming contract, unless the key says otherwise.
    pub fn constraint_name(&self, table: &str) -> String {
        if let Some(name) = &self.name {
            return name.to_string();
        }
        names::foreign_key(
            table,
            &self.column,
            &self.references_table,
            &self.references_column,
        )
    }
}

impl IndexDef {
    /// A btree index over `columns` with nothing else: no predicate, no INCLUDE.
    pub const fn new(name: Name, unique: bool, columns: List<IndexColumn>) -> Self {
        IndexDef {
            name,
            unique,
            columns,
            method: None,
            predicate: None,
            include: Cow::Borrowed(&[]),
            invalid: false,
        }
    }

    /// The access method, `btree` unless the index says otherwise.
    pub fn method(&self) -> &str {
        self.method.as_deref().unwrap_or("btree")
    }
}

impl Schema {
    /// A schema in `public` with these enums and tables.
    pub const fn new(enums: List<EnumDef>, tables: List<TableDef>) -> Self {
        Schema {
            pg_schema: Cow::Borrowed(PUBLIC_SCHEMA),
            enums,
            tables,
            extensions: Cow::Borrowed(&[]),
            views: Cow::Borrowed(&[]),
            sequences: Cow::Borrowed(&[]),
            functions: Cow::Borrowed(&[]),
            domains: Cow::Borrowed(&[]),
            event_triggers: Cow::Borrowed(&[]),
            privileges: Privileges::NONE,
        }
    }

    /// This schema with every table's columns sorted by name.
    ///
    /// `ALTER TABLE ... ADD COLUMN` always appends, while `CREATE TABLE` keeps the order of the
    /// code; compare databases built through different histories with this when only the set
    /// of columns matters.
    pub fn ignoring_column_order(mut self) -> Self {
        for table in self.tables.to_mut() {
            table.columns.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
        }
        self
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

    /// A partition's parent and bound read back from the one text both the macro and the
    /// catalog reader write.
    #[test]
    fn a_partition_names_its_parent_and_bound() {
        let of = |text: &'static str| TableDef {
            partition: Some(text.into()),
            ..TableDef::BLANK
        };
        let t = of("PARTITION OF payment FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')");
        assert_eq!(
            t.partition_of(),
            Some((
                "payment".to_string(),
                "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')"
            ))
        );
        assert_eq!(t.partition_key(), None);
        let t = of(r#"PARTITION OF "Pay ""me"" x" DEFAULT"#);
        assert_eq!(
            t.partition_of(),
            Some((r#"Pay "me" x"#.to_string(), "DEFAULT"))
        );
        let t = of("PARTITION BY RANGE (payment_date)");
        assert_eq!(t.partition_key(), Some("RANGE (payment_date)"));
        assert_eq!(t.partition_of(), None);
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
