//! Synthetic schemas of any size, built through the descriptors (no macros), for the
//! generation benchmarks and the peak-memory measurement: both must measure the same shapes.
//!
//! Each table has ten columns of the usual kinds (uuid key, varchar, text, an enum, integer,
//! boolean, double precision, two timestamps with `now()` defaults), a foreign key to the table
//! before it, a unique index and two plain ones, one of them on two columns with a descending
//! column. So `tables(1_000)` has 1,000 tables, 10,000 columns, 999 foreign keys and 3,000
//! indexes.

use schema_core::model::{
    ColumnDef, ColumnDefault, EnumDef, ForeignKeyDef, IndexColumn, IndexDef, OnDelete, PrimaryKey,
    Schema, SqlType, TableDef,
};
use std::borrow::Cow;

/// How many enum types a synthetic schema declares; its tables use them in turn.
pub const ENUMS: usize = 4;

/// Columns in each synthetic table.
pub const COLUMNS_PER_TABLE: usize = 10;

/// A valid schema of `tables` tables (see the module's description).
pub fn schema(tables: usize) -> Schema {
    Schema {
        enums: (0..ENUMS).map(enum_def).collect::<Vec<_>>().into(),
        tables: (0..tables).map(table).collect::<Vec<_>>().into(),
        ..Default::default()
    }
}

/// `base` evolved the way a schema usually changes: every tenth table gains a nullable column
/// and an index on it, and one table more is added at the end.
pub fn evolved(base: &Schema) -> Schema {
    let mut next = base.clone();
    let tables = next.tables.to_mut();
    for (i, t) in tables.iter_mut().enumerate().filter(|(i, _)| i % 10 == 0) {
        t.columns
            .to_mut()
            .push(ColumnDef::new(Cow::Borrowed("note"), SqlType::Text).nullable());
        let name = format!("{}_note_idx", table_name(i));
        t.indexes
            .to_mut()
            .push(index(name, false, &[("note", false)]));
    }
    tables.push(table(tables.len()));
    next
}

fn table_name(i: usize) -> String {
    format!("table_{i:05}")
}

fn enum_def(i: usize) -> EnumDef {
    EnumDef {
        name: format!("state_{i}").into(),
        labels: ["draft", "active", "archived", "deleted"]
            .map(Cow::Borrowed)
            .to_vec()
            .into(),
        renamed_from: None,
        renamed_labels: Cow::Borrowed(&[]),
    }
}

fn index(name: String, unique: bool, columns: &[(&'static str, bool)]) -> IndexDef {
    IndexDef {
        name: name.into(),
        unique,
        columns: columns
            .iter()
            .map(|&(name, desc)| IndexColumn {
                name: Cow::Borrowed(name),
                desc,
                nulls: None,
                opclass: None,
                expression: false,
            })
            .collect::<Vec<_>>()
            .into(),
        method: None,
        predicate: None,
        include: std::borrow::Cow::Borrowed(&[]),
        invalid: false,
    }
}

fn table(i: usize) -> TableDef {
    let name = table_name(i);
    let state = SqlType::Enum(format!("state_{}", i % ENUMS).into());
    let columns = vec![
        ColumnDef::new(Cow::Borrowed("id"), SqlType::Uuid)
            .with_default(ColumnDefault::GenRandomUuid),
        ColumnDef::new(Cow::Borrowed("name"), SqlType::Varchar(255)),
        ColumnDef::new(Cow::Borrowed("body"), SqlType::Text).nullable(),
        ColumnDef::new(Cow::Borrowed("state"), state)
            .with_default(ColumnDefault::EnumLabel("draft".into())),
        ColumnDef::new(Cow::Borrowed("position"), SqlType::Integer)
            .with_default(ColumnDefault::Int(0)),
        ColumnDef::new(Cow::Borrowed("visible"), SqlType::Boolean)
            .with_default(ColumnDefault::Bool(true)),
        ColumnDef::new(Cow::Borrowed("score"), SqlType::DoublePrecision).nullable(),
        ColumnDef::new(Cow::Borrowed("parent_id"), SqlType::Uuid).nullable(),
        ColumnDef::new(Cow::Borrowed("created_at"), SqlType::TimestampTz)
            .with_default(ColumnDefault::Now),
        ColumnDef::new(Cow::Borrowed("updated_at"), SqlType::TimestampTz)
            .with_default(ColumnDefault::Now),
    ];
    let foreign_keys = match i {
        0 => Vec::new(),
        _ => vec![ForeignKeyDef::new(
            "parent_id".into(),
            table_name(i - 1).into(),
            "id".into(),
            OnDelete::SetNull,
        )],
    };
    let indexes = vec![
        index(format!("{name}_name_uq"), true, &[("name", false)]),
        index(
            format!("{name}_parent_id_idx"),
            false,
            &[("parent_id", false)],
        ),
        index(
            format!("{name}_state_created_at_idx"),
            false,
            &[("state", false), ("created_at", true)],
        ),
    ];
    TableDef {
        name: name.into(),
        columns: columns.into(),
        primary_key: PrimaryKey::Column("id".into()),
        foreign_keys: foreign_keys.into(),
        indexes: indexes.into(),
        renamed_from: None,
        ..schema_core::model::TableDef::BLANK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_schemas_are_valid_and_have_the_stated_size() {
        let s = schema(100);
        schema_core::registry::validate(&s).expect("a synthetic schema follows every rule");
        assert_eq!(s.tables.len(), 100);
        let columns: usize = s.tables.iter().map(|t| t.columns.len()).sum();
        assert_eq!(columns, 100 * COLUMNS_PER_TABLE);
        assert_eq!(
            s.tables.iter().map(|t| t.foreign_keys.len()).sum::<usize>(),
            99
        );
    }

    #[test]
    fn an_evolved_schema_is_valid_and_diffs_to_additions() {
        let base = schema(30);
        let next = evolved(&base);
        schema_core::registry::validate(&next).expect("the evolved schema follows every rule");
        let steps = schema_core::diff::steps(Some(&base), &next, &Default::default())
            .expect("only additions");
        // one table (+ its FK and 3 indexes) and 3 columns in a transaction; the 3 indexes on
        // the existing tables 0, 10 and 20 built concurrently, outside one
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].statements.len(), 1 + 1 + 3 + 3);
        assert!(steps[0].transactional);
        assert_eq!(steps[1].statements.len(), 3);
        assert!(!steps[1].transactional);
    }
}
