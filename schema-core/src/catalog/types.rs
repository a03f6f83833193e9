//! The catalog of one PostgreSQL schema as plain, comparable data.
//!
//! Every list is sorted by name (columns excepted: they keep the table's column order), so two
//! databases built the same way compare equal with `==` however their objects' oids differ.

/// Everything [`read`](super::read) found in one schema of a live database.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Catalog {
    /// The schema that was read (e.g. `public`).
    pub schema: String,
    /// Extensions installed in the database (database-wide), by name.
    pub extensions: Vec<String>,
    /// Enum types, by name.
    pub enums: Vec<EnumType>,
    /// Ordinary and partitioned tables, by name.
    pub tables: Vec<Table>,
    /// Views and materialized views, by name.
    pub views: Vec<View>,
    /// Sequences, by name, with the column that owns each (serial or identity), if any.
    pub sequences: Vec<Sequence>,
}

/// A view or materialized view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// The view's name, unqualified.
    pub name: String,
    /// True for a materialized view.
    pub materialized: bool,
    /// `pg_get_viewdef(oid)`.
    pub definition: String,
}

/// A sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sequence {
    /// The sequence's name, unqualified.
    pub name: String,
    /// `table.column` of the column that owns it (a serial or identity column); `None` for a
    /// sequence made on its own.
    pub owned_by: Option<String>,
}

/// A trigger, rule or policy of a table: its name and its definition as PostgreSQL prints it
/// (`pg_get_triggerdef`, `pg_get_ruledef`, or the policy's clauses from `pg_policies`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableObject {
    /// The object's name.
    pub name: String,
    /// Its definition as PostgreSQL prints it.
    pub definition: String,
}

/// An enum type and its labels in `enumsortorder` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumType {
    /// The type's name, unqualified.
    pub name: String,
    /// Its labels, in sort order.
    pub labels: Vec<String>,
}

/// An ordinary or partitioned table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// The table's name, unqualified.
    pub name: String,
    /// In column order (`attnum`), dropped columns left out.
    pub columns: Vec<Column>,
    /// Every constraint of the table (primary key, unique, foreign key, check, exclusion),
    /// sorted by name.
    pub constraints: Vec<Constraint>,
    /// The foreign keys among `constraints`, taken apart; sorted by name.
    pub foreign_keys: Vec<ForeignKey>,
    /// Every index of the table, including those behind constraints; sorted by name.
    pub indexes: Vec<Index>,
    /// `UNLOGGED`: not crash-safe, not replicated.
    pub unlogged: bool,
    /// `ENABLE ROW LEVEL SECURITY` (`relrowsecurity`).
    pub row_security: bool,
    /// `FORCE ROW LEVEL SECURITY` (`relforcerowsecurity`).
    pub force_row_security: bool,
    /// Row-level security policies, sorted by name.
    pub policies: Vec<TableObject>,
    /// Triggers made by a user (not the internal ones behind foreign keys), sorted by name.
    pub triggers: Vec<TableObject>,
    /// Rewrite rules, sorted by name.
    pub rules: Vec<TableObject>,
}

/// A column as PostgreSQL spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// `format_type(atttypid, atttypmod)`, e.g. `character varying(64)`.
    pub data_type: String,
    /// `NOT NULL` (`attnotnull`).
    pub not_null: bool,
    /// `pg_get_expr(adbin, adrelid)`, e.g. `now()` or `'x'::text`; `None` without a default.
    pub default: Option<String>,
    /// The column's collation when it is not its type's default (`COLLATE "C"`).
    pub collation: Option<String>,
    /// The expression of a generated column (`GENERATED ALWAYS AS (..) STORED`), as
    /// `pg_get_expr` prints it; `None` for an ordinary column. Such a column has no default.
    pub generated: Option<String>,
}

/// A table constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// The constraint's name.
    pub name: String,
    /// Primary key, foreign key, unique, check or exclusion.
    pub kind: ConstraintKind,
    /// `pg_get_constraintdef(oid)`, e.g. `PRIMARY KEY (id)`.
    pub definition: String,
    /// The constrained columns (`conkey`), in key order; empty for an expression-only check.
    pub columns: Vec<String>,
    /// False for a constraint added `NOT VALID` and not validated since: existing rows were
    /// never checked.
    pub validated: bool,
    /// `DEFERRABLE`; `initially_deferred` for `INITIALLY DEFERRED`.
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`: checked at commit unless a transaction says otherwise.
    pub initially_deferred: bool,
}

/// `pg_constraint.contype`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConstraintKind {
    /// `p`: a primary key.
    PrimaryKey,
    /// `f`: a foreign key.
    ForeignKey,
    /// `u`: a unique constraint.
    Unique,
    /// `c`: a check constraint.
    Check,
    /// `x`: an exclusion constraint.
    Exclusion,
    /// A constraint trigger or any kind a newer server adds.
    Other,
}

/// A foreign key taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    /// The constraint's name.
    pub name: String,
    /// The referencing columns of this table, in key order.
    pub columns: Vec<String>,
    /// The referenced table; qualified with its schema when it lives in another one.
    pub referenced_table: String,
    /// The referenced columns, matching `columns` one for one.
    pub referenced_columns: Vec<String>,
    /// What deleting a referenced row does (`ON DELETE`).
    pub on_delete: FkAction,
    /// What updating a referenced key does (`ON UPDATE`).
    pub on_update: FkAction,
}

/// A referential action (`confdeltype` / `confupdtype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FkAction {
    /// `NO ACTION` (`a`): fail at the end of the statement if a reference is left dangling.
    NoAction,
    /// `RESTRICT` (`r`): fail at once, even when deferred.
    Restrict,
    /// `CASCADE` (`c`): delete or update the referencing rows too.
    Cascade,
    /// `SET NULL` (`n`): set the referencing columns to NULL.
    SetNull,
    /// `SET DEFAULT` (`d`): set the referencing columns to their defaults.
    SetDefault,
}

/// An index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// `pg_get_indexdef(indexrelid)`, e.g. `CREATE UNIQUE INDEX users_email_uq ON public.users
    /// USING btree (email)`.
    pub definition: String,
    /// `UNIQUE`.
    pub unique: bool,
    /// The index behind the table's primary key.
    pub primary: bool,
    /// The index exists because of a constraint (primary key, unique or exclusion), not a
    /// `CREATE INDEX` of its own.
    pub backs_constraint: bool,
    /// The access method, e.g. `btree`.
    pub method: String,
    /// The key columns (INCLUDE columns left out), in order.
    pub columns: Vec<IndexKey>,
    /// `pg_get_expr(indpred, indrelid)` of a partial index; `None` for a full one.
    pub predicate: Option<String>,
    /// False for an index a failed `CREATE INDEX CONCURRENTLY` left behind (`indisvalid`):
    /// queries do not use it, though writes still maintain it.
    pub valid: bool,
    /// The `INCLUDE` columns: stored in the index, no part of its key.
    pub include: Vec<String>,
}

/// One key of an index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexKey {
    /// The column's name, or the expression's text for an expression key.
    pub expr: String,
    /// `DESC`.
    pub desc: bool,
    /// `NULLS FIRST` (the default for `DESC`, not for `ASC`).
    pub nulls_first: bool,
    /// The operator class when it is not the default one for the key's type (e.g.
    /// `text_pattern_ops`, which changes which queries the index serves).
    pub opclass: Option<String>,
}

impl FkAction {
    /// From `confdeltype` / `confupdtype`.
    pub(crate) fn from_code(code: i8) -> Option<Self> {
        Some(match code as u8 {
            b'a' => FkAction::NoAction,
            b'r' => FkAction::Restrict,
            b'c' => FkAction::Cascade,
            b'n' => FkAction::SetNull,
            b'd' => FkAction::SetDefault,
            _ => return None,
        })
    }

    /// The SQL words, as `pg_get_constraintdef` would print them.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

impl ConstraintKind {
    /// From `pg_constraint.contype`.
    pub(crate) fn from_code(code: i8) -> Self {
        match code as u8 {
            b'p' => ConstraintKind::PrimaryKey,
            b'f' => ConstraintKind::ForeignKey,
            b'u' => ConstraintKind::Unique,
            b'c' => ConstraintKind::Check,
            b'x' => ConstraintKind::Exclusion,
            _ => ConstraintKind::Other,
        }
    }
}

impl Catalog {
    /// The table of that name, if the schema has one.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The enum type of that name, if the schema has one.
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.name == name)
    }

    /// This catalog with every table's columns sorted by name.
    ///
    /// `ALTER TABLE ... ADD COLUMN` always appends, while `CREATE TABLE` keeps the order of the
    /// code; compare catalogs built through different histories with this when only the set of
    /// columns matters.
    pub fn ignoring_column_order(mut self) -> Self {
        for table in &mut self.tables {
            table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self
    }
}

impl Table {
    /// The column of that name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The constraint of that name, of any kind.
    pub fn constraint(&self, name: &str) -> Option<&Constraint> {
        self.constraints.iter().find(|c| c.name == name)
    }

    /// The foreign key of that name.
    pub fn foreign_key(&self, name: &str) -> Option<&ForeignKey> {
        self.foreign_keys.iter().find(|f| f.name == name)
    }

    /// The index of that name, including one behind a constraint.
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// The primary key constraint, if the table has one.
    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey)
    }
}
