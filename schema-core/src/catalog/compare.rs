//! Comparing a catalog with the schema in code: enums, tables and columns here, keys and
//! indexes in `compare_keys`.

use super::compare_keys::{compare_foreign_keys, compare_indexes, compare_primary_key};
use super::drift::{Drift, DriftReport};
use super::spelling::{default_matches, default_spelling, type_matches};
use super::types::{Catalog, Column, ConstraintKind, EnumType, Table};
use crate::model::{ColumnDef, EnumDef, Schema, TableDef};
use crate::sql::format_type as type_spelling;
use std::collections::BTreeSet;

/// Compares a catalog already read with the schema in code. Pure: no database needed, so a
/// catalog read once can be checked against several schemas.
pub fn compare(catalog: &Catalog, schema: &Schema) -> DriftReport {
    let mut drifts = Vec::new();
    compare_enums(catalog, schema, &mut drifts);
    for table in schema.tables.iter() {
        match catalog.table(&table.name) {
            None => drifts.push(Drift::MissingTable {
                table: table.name.to_string(),
            }),
            Some(found) => compare_table(table, found, &catalog.schema, &mut drifts),
        }
    }
    for found in &catalog.tables {
        if schema.table(&found.name).is_none() {
            drifts.push(Drift::ExtraTable {
                table: found.name.clone(),
            });
        }
    }
    super::compare_objects::compare_objects(catalog, schema, &mut drifts);
    DriftReport {
        schema: catalog.schema.clone(),
        drifts,
    }
}

fn compare_enums(catalog: &Catalog, schema: &Schema, drifts: &mut Vec<Drift>) {
    for def in schema.enums.iter() {
        match catalog.enum_type(&def.name) {
            None => drifts.push(Drift::MissingEnum {
                name: def.name.to_string(),
                labels: def.labels.iter().map(|l| l.to_string()).collect(),
            }),
            Some(found) => compare_labels(def, found, drifts),
        }
    }
    for found in &catalog.enums {
        if schema.enum_def(&found.name).is_none() {
            drifts.push(Drift::ExtraEnum {
                name: found.name.clone(),
                labels: found.labels.clone(),
            });
        }
    }
}

fn compare_labels(def: &EnumDef, found: &EnumType, drifts: &mut Vec<Drift>) {
    let expected: Vec<String> = def.labels.iter().map(|l| l.to_string()).collect();
    let in_code: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    let in_db: BTreeSet<&str> = found.labels.iter().map(String::as_str).collect();
    let enum_name = || def.name.to_string();
    for label in expected.iter().filter(|l| !in_db.contains(l.as_str())) {
        drifts.push(Drift::MissingEnumLabel {
            enum_name: enum_name(),
            label: label.clone(),
        });
    }
    for label in found
        .labels
        .iter()
        .filter(|l| !in_code.contains(l.as_str()))
    {
        drifts.push(Drift::ExtraEnumLabel {
            enum_name: enum_name(),
            label: label.clone(),
        });
    }
    // Missing and extra labels are reported above; the order is judged on the shared ones
    // only, so one added label does not also read as a reordering.
    let shared_in_code = expected.iter().filter(|l| in_db.contains(l.as_str()));
    let shared_in_db = found.labels.iter().filter(|l| in_code.contains(l.as_str()));
    if !shared_in_code.eq(shared_in_db) {
        drifts.push(Drift::EnumLabelOrder {
            enum_name: enum_name(),
            expected,
            found: found.labels.clone(),
        });
    }
}

fn compare_table(def: &TableDef, found: &Table, schema: &str, drifts: &mut Vec<Drift>) {
    let table = def.name.to_string();
    for column in def.columns.iter() {
        match found.column(&column.name) {
            None => drifts.push(Drift::MissingColumn {
                table: table.clone(),
                column: column.name.to_string(),
                expected: describe_column(column),
            }),
            Some(found) => compare_column(&table, column, found, schema, drifts),
        }
    }
    for column in &found.columns {
        if def.column(&column.name).is_none() {
            let mut described = column.data_type.clone();
            if column.not_null {
                described.push_str(" NOT NULL");
            }
            if let Some(expression) = &column.generated {
                described.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
            }
            drifts.push(Drift::ExtraColumn {
                table: table.clone(),
                column: column.name.clone(),
                found: described,
            });
        }
    }
    compare_primary_key(def, found, drifts);
    compare_foreign_keys(def, found, drifts);
    compare_indexes(def, found, drifts);
    for constraint in &found.constraints {
        if matches!(
            constraint.kind,
            ConstraintKind::Unique
                | ConstraintKind::Check
                | ConstraintKind::Exclusion
                | ConstraintKind::Other
        ) {
            drifts.push(Drift::ExtraConstraint {
                table: table.clone(),
                name: constraint.name.clone(),
                found: constraint.definition.clone(),
            });
        }
    }
}

fn compare_column(
    table: &str,
    def: &ColumnDef,
    found: &Column,
    schema: &str,
    drifts: &mut Vec<Drift>,
) {
    let column = || def.name.to_string();
    if !type_matches(&def.sql_type, &found.data_type, schema) {
        drifts.push(Drift::ColumnType {
            table: table.to_string(),
            column: column(),
            expected: type_spelling(&def.sql_type),
            found: found.data_type.clone(),
        });
    }
    if def.nullable == found.not_null {
        drifts.push(Drift::Nullability {
            table: table.to_string(),
            column: column(),
            nullable_in_code: def.nullable,
        });
    }
    // A generated column's expression is no default: it is named as what it is, and the
    // default is not compared (the column can have none).
    if let Some(expression) = &found.generated {
        drifts.push(Drift::GeneratedColumn {
            table: table.to_string(),
            column: column(),
            expression: expression.clone(),
        });
        return;
    }
    if !default_matches(
        def.default.as_ref(),
        &def.sql_type,
        found.default.as_deref(),
        schema,
    ) {
        drifts.push(Drift::ColumnDefault {
            table: table.to_string(),
            column: column(),
            expected: def
                .default
                .as_ref()
                .map(|d| default_spelling(d, &def.sql_type)),
            found: found.default.clone(),
        });
    }
}

fn describe_column(column: &ColumnDef) -> String {
    let mut described = type_spelling(&column.sql_type);
    if !column.nullable {
        described.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        described.push_str(" DEFAULT ");
        described.push_str(&default_spelling(default, &column.sql_type));
    }
    described
}
