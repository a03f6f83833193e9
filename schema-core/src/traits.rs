//! What `#[table]` and `#[pg_enum]` implement for the items they annotate.

use crate::column_type::ForeignKeyTo;
use crate::model::{EnumDef, TableDef};
use std::marker::PhantomData;

/// A Rust enum that is a PostgreSQL enum type. Implemented by `#[pg_enum]`, which also
/// implements `ToSql` and `FromSql` for it.
pub trait PgEnum: Sized + Copy + 'static {
    /// The enum's descriptor: type name and labels in order.
    const ENUM: EnumDef;
    /// Every variant, in declaration order.
    const VARIANTS: &'static [Self];
    /// The PostgreSQL label of this value.
    fn label(self) -> &'static str;
    /// The value with this label, if any.
    fn from_label(label: &str) -> Option<Self>;
}

/// A Rust struct that is a PostgreSQL table. Implemented by `#[table]`.
pub trait Table: Sized {
    /// The table's descriptor: name, columns, keys and indexes.
    const TABLE: TableDef;
    /// The column names, double-quoted, in declaration order, joined by `, ` for a `SELECT`
    /// list.
    const COLUMN_LIST: &'static str;
    /// Reads a row whose columns are named as the table's columns.
    fn from_row(row: &tokio_postgres::Row) -> Result<Self, RowError>;
}

/// A row that does not fit the struct it is read into.
#[derive(Debug, thiserror::Error)]
#[error("cannot read column `{table}.{column}` as {rust_type}")]
pub struct RowError {
    /// The table the struct is declared for.
    pub table: &'static str,
    /// The column that could not be read.
    pub column: &'static str,
    /// The field's Rust type as written, e.g. `Option<String>`.
    pub rust_type: &'static str,
    /// The driver's error: no such column in the row, a type mismatch, or a NULL read into a
    /// type that is not an `Option`.
    #[source]
    pub source: tokio_postgres::Error,
}

/// A column of table `T` whose Rust type is `R`. `#[table]` generates one per field as an
/// associated const (`User::email`), so application SQL names columns through the compiler
/// and a foreign key's `references = User::id` is checked by it.
pub struct Column<T, R> {
    table: &'static str,
    name: &'static str,
    quoted: &'static str,
    _marker: PhantomData<fn() -> (T, R)>,
}

impl<T, R> Column<T, R> {
    #[doc(hidden)]
    pub const fn new(table: &'static str, name: &'static str, quoted: &'static str) -> Self {
        Column {
            table,
            name,
            quoted,
            _marker: PhantomData,
        }
    }

    /// The PostgreSQL name of the table the column belongs to.
    pub const fn table(&self) -> &'static str {
        self.table
    }

    /// The column's PostgreSQL name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The column's name double-quoted, ready to splice into SQL: spelled at expansion by
    /// `schema_rules::sql::quote_ident`, as every migration spells it.
    pub const fn quoted(&self) -> &'static str {
        self.quoted
    }

    /// Checked by `#[table]` for a foreign key of type `F` to this column. A method, so
    /// that `R` is fixed by the column before the bound is checked and a mismatch is
    /// reported with `ForeignKeyTo`'s message.
    #[doc(hidden)]
    pub fn __require_foreign_key<F: ForeignKeyTo<R>>(self) {}
}

impl<T, R> Clone for Column<T, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, R> Copy for Column<T, R> {}

impl<T, R> std::fmt::Debug for Column<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.table, self.name)
    }
}
