// Shared by the cases: one enum and two tables written by hand, the second referencing the first.
use schema_core::model::*;
use schema_core::{PgEnum, RowError, Table};
use std::borrow::Cow;

#[derive(Clone, Copy)]
pub enum Mode {
    Tutor,
}

impl PgEnum for Mode {
    const ENUM: EnumDef = EnumDef {
        name: Cow::Borrowed("practice_mode"),
        labels: Cow::Borrowed(&[Cow::Borrowed("tutor")]),
        renamed_from: None,
        renamed_labels: Cow::Borrowed(&[]),
    };
    const VARIANTS: &'static [Self] = &[Mode::Tutor];
    fn label(self) -> &'static str {
        "tutor"
    }
    fn from_label(_: &str) -> Option<Self> {
        Some(Mode::Tutor)
    }
}

const fn column(name: &'static str, sql_type: SqlType) -> ColumnDef {
    ColumnDef::new(Cow::Borrowed(name), sql_type)
}

pub struct User;
impl Table for User {
    const TABLE: TableDef = TableDef {
        name: Cow::Borrowed("users"),
        columns: Cow::Borrowed(&[column("id", SqlType::Uuid)]),
        primary_key: PrimaryKey::Column(Cow::Borrowed("id")),
        foreign_keys: Cow::Borrowed(&[]),
        indexes: Cow::Borrowed(&[]),
        renamed_from: None,
        ..schema_core::model::TableDef::BLANK
    };
    const COLUMN_LIST: &'static str = "\"id\"";
    fn from_row(_: &tokio_postgres::Row) -> Result<Self, RowError> {
        Ok(User)
    }
}

pub struct Session;
impl Table for Session {
    const TABLE: TableDef = TableDef {
        name: Cow::Borrowed("sessions"),
        columns: Cow::Borrowed(&[
            column("id", SqlType::Uuid),
            column("user_id", SqlType::Uuid),
            column("mode", SqlType::Enum(Cow::Borrowed("practice_mode"))),
        ]),
        primary_key: PrimaryKey::Column(Cow::Borrowed("id")),
        foreign_keys: Cow::Borrowed(&[ForeignKeyDef::new(
            Cow::Borrowed("user_id"),
            Cow::Borrowed("users"),
            Cow::Borrowed("id"),
            OnDelete::Cascade,
        )]),
        indexes: Cow::Borrowed(&[]),
        renamed_from: None,
        ..schema_core::model::TableDef::BLANK
    };
    const COLUMN_LIST: &'static str = "\"id\", \"user_id\", \"mode\"";
    fn from_row(_: &tokio_postgres::Row) -> Result<Self, RowError> {
        Ok(Session)
    }
}
