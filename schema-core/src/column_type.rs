//! Which Rust types are which PostgreSQL column types, and the facts about a column type
//! that `#[table]` checks through trait bounds (a UUID key, a nullable SET NULL column, a
//! foreign key's type, a default that fits). A `#[pg_enum]` enum implements these too.

use crate::model::SqlType;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use postgres_types::Json;
use std::borrow::Cow;
use std::net::IpAddr;
use uuid::Uuid;

/// The SQL type of a column whose field has this Rust type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column type",
    label = "no PostgreSQL column type for this field",
    note = "column types: uuid::Uuid, String (text; varchar with #[column(varchar = N)]), bool, \
            i16, i32, i64, f32, f64, chrono::DateTime<Utc>, chrono::NaiveDateTime and \
            chrono::NaiveTime (with #[column(without_time_zone)]), chrono::NaiveDate, Vec<u8> \
            (bytea), std::net::IpAddr (inet), serde_json::Value, \
            rust_decimal::Decimal (numeric; feature `decimal`), cidr::IpInet, cidr::IpCidr and \
            eui48::MacAddress (inet, cidr, macaddr; feature `network`), schema_core::Json<T>, \
            a #[pg_enum] enum, or Option<_> of one of these for a nullable column; \
            any other type with #[column(sql_type = \"..\")]"
)]
pub trait ColumnType {
    /// The column's SQL type; for `Option<T>`, the type of `T`.
    const SQL_TYPE: SqlType;
    /// `true` for `Option<_>`: the column accepts NULL.
    const NULLABLE: bool;
}

/// A column type that is NOT NULL; `Option<T>` of it is the nullable column.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a NOT NULL column type",
    label = "this column must be NOT NULL",
    note = "a primary key column is NOT NULL: declare the field without `Option<_>`; \
            and a nullable column is written once, as `Option<T>`"
)]
pub trait NotNullColumn: ColumnType {}

/// Implemented for the primary key types that need no marker: a UUID with a database
/// default.
#[diagnostic::on_unimplemented(
    message = "the primary key is `{Self}`, not a UUID",
    label = "a primary key is a `Uuid` (default gen_random_uuid())",
    note = "write `#[primary_key] id: Uuid`, or, for a natural key such as a Stripe event id, \
            mark it visibly: `#[primary_key(natural)]`"
)]
pub trait UuidPrimaryKey {}

/// A nullable column, which `ON DELETE SET NULL` needs.
#[diagnostic::on_unimplemented(
    message = "`on_delete = set_null` needs a nullable column, but `{Self}` is NOT NULL",
    label = "Postgres would accept this and fail only when a referenced row is deleted",
    note = "declare the field as `Option<{Self}>`, or choose another action: cascade, restrict, \
            set_default, no_action"
)]
pub trait NullableColumn {}

/// A foreign key column of this type may reference a column of type `Target`: the same
/// type, or `Option` of it.
#[diagnostic::on_unimplemented(
    message = "a foreign key of type `{Self}` cannot reference a column of type `{Target}`",
    label = "the foreign key's type differs from the referenced column's",
    note = "declare the field as `{Target}` (or `Option<{Target}>` for a nullable key)"
)]
pub trait ForeignKeyTo<Target> {}

impl<T: NotNullColumn> ForeignKeyTo<T> for T {}
impl<T: NotNullColumn> ForeignKeyTo<T> for Option<T> {}

/// A text column, which `#[column(varchar = N)]` narrows.
#[diagnostic::on_unimplemented(
    message = "`varchar = N` needs a `String` column, not `{Self}`",
    label = "varchar applies to text columns only",
    note = "declare the field as `String` (or `Option<String>`), or remove `varchar`"
)]
pub trait TextColumn {}

/// A column that `serial` or `identity` fits: a NOT NULL integer, which PostgreSQL numbers
/// from a sequence.
#[diagnostic::on_unimplemented(
    message = "`serial` and `identity` need an integer column (i16, i32, i64), not `{Self}`",
    label = "a sequence numbers integer columns only",
    note = "declare the field as i16, i32 or i64 (not `Option<_>`: such a column is NOT NULL), \
            or remove `serial`/`identity`"
)]
pub trait SerialColumn {}

/// A column that `default = now` fits. A `timestamp without time zone`, a `date` and a `time`
/// are ones too: PostgreSQL casts now() to the column's type and prints the default back as
/// `now()`.
#[diagnostic::on_unimplemented(
    message = "`default = now` needs a timestamp, date or time column, not `{Self}`",
    label = "now() is a timestamp with time zone",
    note = "declare the field as `DateTime<Utc>` (or `NaiveDateTime`, `NaiveDate`, \
            `NaiveTime`), or give a default of the column's type"
)]
pub trait TimestampColumn {}

/// A column that `default = true | false` fits.
#[diagnostic::on_unimplemented(
    message = "a boolean default needs a `bool` column, not `{Self}`",
    label = "`true`/`false` fits a bool column only",
    note = "declare the field as `bool`, or give a default of the column's type"
)]
pub trait BoolColumn {}

/// A column that an integer default fits (an integer or a float column), and the range of
/// integers it holds exactly.
#[diagnostic::on_unimplemented(
    message = "an integer default needs a numeric column (i16, i32, i64, f32, f64), not `{Self}`",
    label = "an integer default fits a numeric column only",
    note = "declare the field as i16, i32, i64, f32 or f64, or give a default of the column's type"
)]
pub trait IntegerColumn {
    /// The smallest integer the column holds exactly.
    const MIN: i64;
    /// The largest integer the column holds exactly.
    const MAX: i64;
}

/// A column that a decimal default (`0.5`) fits: `real`, `double precision` or `numeric`.
#[diagnostic::on_unimplemented(
    message = "a decimal default needs a float column (f32, f64), not `{Self}`",
    label = "a decimal default fits a float column only",
    note = "declare the field as f32 or f64, or give a default of the column's type"
)]
pub trait FloatColumn {}

/// A column that a string default fits: text (the string is the value) or a `#[pg_enum]`
/// (the string must be one of its labels).
#[diagnostic::on_unimplemented(
    message = "a string default needs a `String` or `#[pg_enum]` column, not `{Self}`",
    label = "a string fits a text or enum column only",
    note = "defaults: `now` (DateTime<Utc>), `true`/`false` (bool), an integer (i16/i32/i64), \
            a string (String, or a label of a #[pg_enum])"
)]
pub trait StringDefaultColumn {
    /// `true` when the string must be a label of an enum.
    const IS_ENUM: bool;
    /// The labels the string may be, for an enum.
    const LABELS: &'static [&'static str];
}

// `Option<T>` is implemented once, here, for every NOT NULL type: the orphan rule would not
// let the crate of a `#[pg_enum]` implement a trait of ours for `Option<ItsEnum>`.
impl<T: NotNullColumn> ColumnType for Option<T> {
    const SQL_TYPE: SqlType = T::SQL_TYPE;
    const NULLABLE: bool = true;
}
impl<T: NotNullColumn> NullableColumn for Option<T> {}
impl<T: NotNullColumn + TextColumn> TextColumn for Option<T> {}
impl<T: NotNullColumn + TimestampColumn> TimestampColumn for Option<T> {}
impl<T: NotNullColumn + BoolColumn> BoolColumn for Option<T> {}
impl<T: NotNullColumn + IntegerColumn> IntegerColumn for Option<T> {
    const MIN: i64 = T::MIN;
    const MAX: i64 = T::MAX;
}
impl<T: NotNullColumn + StringDefaultColumn> StringDefaultColumn for Option<T> {
    const IS_ENUM: bool = T::IS_ENUM;
    const LABELS: &'static [&'static str] = T::LABELS;
}

/// Implements the traits of a NOT NULL base type.
macro_rules! column_types {
    ($($ty:ty => $sql:expr;)*) => {$(
        impl ColumnType for $ty {
            const SQL_TYPE: SqlType = $sql;
            const NULLABLE: bool = false;
        }
        impl NotNullColumn for $ty {}
    )*};
}

column_types! {
    Uuid => SqlType::Uuid;
    String => SqlType::Text;
    bool => SqlType::Boolean;
    i16 => SqlType::SmallInt;
    i32 => SqlType::Integer;
    i64 => SqlType::BigInt;
    f32 => SqlType::Real;
    f64 => SqlType::DoublePrecision;
    DateTime<Utc> => SqlType::TimestampTz;
    serde_json::Value => SqlType::Jsonb;
    // The printed spellings, as the catalog reader holds these types.
    NaiveDateTime => SqlType::Other(Cow::Borrowed("timestamp without time zone"));
    NaiveDate => SqlType::Other(Cow::Borrowed("date"));
    NaiveTime => SqlType::Other(Cow::Borrowed("time without time zone"));
    Vec<u8> => SqlType::Other(Cow::Borrowed("bytea"));
    IpAddr => SqlType::Other(Cow::Borrowed("inet"));
}

// `numeric` without a precision holds any value a `Decimal` does; a column with one says it
// with `sql_type = "numeric(p,s)"`.
#[cfg(feature = "decimal")]
column_types! {
    rust_decimal::Decimal => SqlType::Other(Cow::Borrowed("numeric"));
}

// `IpInet` keeps an `inet`'s prefix length, which `IpAddr` drops when it reads one.
#[cfg(feature = "network")]
column_types! {
    cidr::IpInet => SqlType::Other(Cow::Borrowed("inet"));
    cidr::IpCidr => SqlType::Other(Cow::Borrowed("cidr"));
    eui48::MacAddress => SqlType::Other(Cow::Borrowed("macaddr"));
}

impl<T> ColumnType for Json<T> {
    const SQL_TYPE: SqlType = SqlType::Jsonb;
    const NULLABLE: bool = false;
}
impl<T> NotNullColumn for Json<T> {}

impl UuidPrimaryKey for Uuid {}
impl TextColumn for String {}
impl TimestampColumn for DateTime<Utc> {}
impl TimestampColumn for NaiveDateTime {}
impl TimestampColumn for NaiveDate {}
impl TimestampColumn for NaiveTime {}
impl BoolColumn for bool {}

macro_rules! integer_columns {
    ($($ty:ty),*) => {$(
        impl IntegerColumn for $ty {
            const MIN: i64 = <$ty>::MIN as i64;
            const MAX: i64 = <$ty>::MAX as i64;
        }
    )*};
}

integer_columns!(i16, i32, i64);

impl SerialColumn for i16 {}
impl SerialColumn for i32 {}
impl SerialColumn for i64 {}

// Floats hold integers exactly up to their mantissa: 2^24 for real, 2^53 for double precision.
impl IntegerColumn for f32 {
    const MIN: i64 = -(1 << 24);
    const MAX: i64 = 1 << 24;
}
impl IntegerColumn for f64 {
    const MIN: i64 = -(1 << 53);
    const MAX: i64 = 1 << 53;
}
impl FloatColumn for f32 {}
impl FloatColumn for f64 {}
// `numeric` holds any decimal or integer literal exactly (a precision, if any, is the server's
// to enforce).
#[cfg(feature = "decimal")]
impl FloatColumn for rust_decimal::Decimal {}
#[cfg(feature = "decimal")]
impl IntegerColumn for rust_decimal::Decimal {
    const MIN: i64 = i64::MIN;
    const MAX: i64 = i64::MAX;
}
impl<T: NotNullColumn + FloatColumn> FloatColumn for Option<T> {}

impl StringDefaultColumn for String {
    const IS_ENUM: bool = false;
    const LABELS: &'static [&'static str] = &[];
}
