//! Short constructors for descriptors built by hand in tests.
#![allow(dead_code)]

use schema_core::model::*;
use std::borrow::Cow;

pub fn enum_def(name: &str, labels: &[&str]) -> EnumDef {
    EnumDef {
        name: name.to_string().into(),
        labels: labels
            .iter()
            .map(|l| Name::from(l.to_string()))
            .collect::<Vec<_>>()
            .into(),
        renamed_from: None,
        renamed_labels: Cow::Owned(vec![]),
    }
}

pub fn col(name: &str, sql_type: SqlType) -> ColumnDef {
    ColumnDef::new(name.to_string().into(), sql_type)
}

pub fn null(c: ColumnDef) -> ColumnDef {
    c.nullable()
}

pub fn def(c: ColumnDef, d: ColumnDefault) -> ColumnDef {
    c.with_default(d)
}

pub fn uuid_pk() -> ColumnDef {
    def(col("id", SqlType::Uuid), ColumnDefault::GenRandomUuid)
}

pub fn tz(name: &str) -> ColumnDef {
    col(name, SqlType::TimestampTz)
}

pub fn now(name: &str) -> ColumnDef {
    def(tz(name), ColumnDefault::Now)
}

pub fn varchar(name: &str, n: u32) -> ColumnDef {
    col(name, SqlType::Varchar(n))
}

pub fn enum_col(name: &str, ty: &str) -> ColumnDef {
    col(name, SqlType::Enum(ty.to_string().into()))
}

pub fn table(name: &str, columns: Vec<ColumnDef>) -> TableDef {
    TableDef {
        name: name.to_string().into(),
        columns: columns.into(),
        primary_key: PrimaryKey::Column("id".into()),
        foreign_keys: Cow::Owned(vec![]),
        indexes: Cow::Owned(vec![]),
        renamed_from: None,
        ..schema_core::model::TableDef::BLANK
    }
}

pub fn composite(mut t: TableDef, columns: &[&str]) -> TableDef {
    let cols: Vec<Name> = columns.iter().map(|c| Name::from(c.to_string())).collect();
    t.primary_key = PrimaryKey::Composite(cols.into());
    t
}

pub fn fk(t: TableDef, column: &str, target: &str, on_delete: OnDelete) -> TableDef {
    fk_to(t, column, target, "id", on_delete)
}

/// A foreign key to a column other than `id`.
pub fn fk_to(
    mut t: TableDef,
    column: &str,
    target: &str,
    target_column: &str,
    on_delete: OnDelete,
) -> TableDef {
    t.foreign_keys.to_mut().push(ForeignKeyDef {
        column: column.to_string().into(),
        references_table: target.to_string().into(),
        references_column: target_column.to_string().into(),
        on_delete,
        on_update: schema_core::model::OnDelete::NoAction,
        name: None,
        more_columns: std::borrow::Cow::Borrowed(&[]),
        more_references: std::borrow::Cow::Borrowed(&[]),
        not_valid: false,
        deferrable: None,
    });
    t
}

/// An index; a column written `name desc` sorts descending (NULLs first), `name desc nulls
/// last` descending with NULLs last.
pub fn index(mut t: TableDef, name: &str, unique: bool, columns: &[&str]) -> TableDef {
    let columns = columns
        .iter()
        .map(|c| {
            if let Some(n) = c.strip_suffix(" desc nulls last") {
                IndexColumn::desc(n.to_string().into()).with_nulls(NullsOrder::Last)
            } else if let Some(n) = c.strip_suffix(" desc") {
                IndexColumn::desc(n.to_string().into())
            } else {
                IndexColumn::asc(c.to_string().into())
            }
        })
        .collect::<Vec<_>>();
    t.indexes.to_mut().push(IndexDef {
        name: name.to_string().into(),
        unique,
        columns: columns.into(),
        method: None,
        predicate: None,
        include: std::borrow::Cow::Borrowed(&[]),
        invalid: false,
    });
    t
}

pub fn table_mut<'a>(s: &'a mut Schema, name: &str) -> &'a mut TableDef {
    s.tables
        .to_mut()
        .iter_mut()
        .find(|t| t.name == name)
        .expect("table in schema")
}

pub fn enum_mut<'a>(s: &'a mut Schema, name: &str) -> &'a mut EnumDef {
    s.enums
        .to_mut()
        .iter_mut()
        .find(|e| e.name == name)
        .expect("enum in schema")
}

pub fn col_mut<'a>(t: &'a mut TableDef, name: &str) -> &'a mut ColumnDef {
    t.columns
        .to_mut()
        .iter_mut()
        .find(|c| c.name == name)
        .expect("column in table")
}

pub fn renamed(mut c: ColumnDef, from: &str) -> ColumnDef {
    c.renamed_from = Some(from.to_string().into());
    c
}
