//! Comparing a database's schema with the schema in code, both read into the model: enums,
//! tables and columns here, keys and indexes in `compare_keys`, what no migration makes in
//! `compare_objects`.

use super::compare_keys::{compare_foreign_keys, compare_indexes, compare_primary_key};
use super::drift::{Drift, DriftReport};
use super::spelling::default_spelling;
use crate::model::{ColumnDef, EnumDef, Schema, TableDef};
use crate::sql::format_type as type_spelling;
use std::collections::BTreeSet;

/// Compares a database's schema, already read (see [`read`](super::read)), with the schema
/// in code. Pure: no database needed, so a schema read once can be checked against several.
pub fn compare(database: &Schema, code: &Schema) -> DriftReport {
    let mut drifts = Vec::new();
    compare_enums(database, code, &mut drifts);
    for table in code.tables.iter() {
        match database.table(&table.name) {
            None => drifts.push(Drift::MissingTable {
                table: table.name.to_string(),
            }),
            Some(found) => compare_table(table, found, &mut drifts),
        }
    }
    for found in database.tables.iter() {
        if code.table(&found.name).is_none() {
            drifts.push(Drift::ExtraTable {
                table: found.name.to_string(),
            });
        }
    }
    super::compare_objects::compare_objects(database, code, &mut drifts);
    DriftReport {
        schema: database.pg_schema.to_string(),
        drifts,
    }
}

fn labels(def: &EnumDef) -> Vec<String> {
    def.labels.iter().map(|l| l.to_string()).collect()
}

fn compare_enums(database: &Schema, code: &Schema, drifts: &mut Vec<Drift>) {
    for def in code.enums.iter() {
        match database.enum_def(&def.name) {
            None => drifts.push(Drift::MissingEnum {
                name: def.name.to_string(),
                labels: labels(def),
            }),
            Some(found) => compare_labels(def, found, drifts),
        }
    }
    for found in database.enums.iter() {
        if code.enum_def(&found.name).is_none() {
            drifts.push(Drift::ExtraEnum {
                name: found.name.to_string(),
                labels: labels(found),
            });
        }
    }
}

fn compare_labels(def: &EnumDef, found: &EnumDef, drifts: &mut Vec<Drift>) {
    let expected = labels(def);
    let found = labels(found);
    let in_code: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    let in_db: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    let enum_name = || def.name.to_string();
    for label in expected.iter().filter(|l| !in_db.contains(l.as_str())) {
        drifts.push(Drift::MissingEnumLabel {
            enum_name: enum_name(),
            label: label.clone(),
        });
    }
    for label in found.iter().filter(|l| !in_code.contains(l.as_str())) {
        drifts.push(Drift::ExtraEnumLabel {
            enum_name: enum_name(),
            label: label.clone(),
        });
    }
    // Missing and extra labels are reported above; the order is judged on the shared ones
    // only, so one added label does not also read as a reordering.
    let shared_in_code = expected.iter().filter(|l| in_db.contains(l.as_str()));
    let shared_in_db = found.iter().filter(|l| in_code.contains(l.as_str()));
    if !shared_in_code.eq(shared_in_db) {
        drifts.push(Drift::EnumLabelOrder {
            enum_name: enum_name(),
            expected,
            found,
        });
    }
}

fn compare_table(def: &TableDef, found: &TableDef, drifts: &mut Vec<Drift>) {
    let table = def.name.to_string();
    for column in def.columns.iter() {
        match found.column(&column.name) {
            None => drifts.push(Drift::MissingColumn {
                table: table.clone(),
                column: column.name.to_string(),
                expected: describe_column(column),
            }),
            Some(found) => compare_column(&table, column, found, drifts),
        }
    }
    for column in found.columns.iter() {
        if def.column(&column.name).is_none() {
            let mut described = type_spelling(&column.sql_type);
            if !column.nullable {
                described.push_str(" NOT NULL");
            }
            if let Some(expression) = &column.generated {
                described.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
            }
            drifts.push(Drift::ExtraColumn {
                table: table.clone(),
                column: column.name.to_string(),
                found: described,
            });
        }
    }
    compare_primary_key(def, found, drifts);
    compare_foreign_keys(def, found, drifts);
    compare_indexes(def, found, drifts);
    for constraint in found.constraints.iter() {
        if !def.constraints.contains(constraint) {
            drifts.push(Drift::ExtraConstraint {
                table: table.clone(),
                name: constraint.name.to_string(),
                found: constraint.definition.to_string(),
            });
        }
    }
}

fn compare_column(table: &str, def: &ColumnDef, found: &ColumnDef, drifts: &mut Vec<Drift>) {
    let column = || def.name.to_string();
    if def.sql_type != found.sql_type {
        drifts.push(Drift::ColumnType {
            table: table.to_string(),
            column: column(),
            expected: type_spelling(&def.sql_type),
            found: type_spelling(&found.sql_type),
        });
    }
    if def.nullable != found.nullable {
        drifts.push(Drift::Nullability {
            table: table.to_string(),
            column: column(),
            nullable_in_code: def.nullable,
        });
    }
    // A generated column's expression is no default: it is named as what it is, and the
    // default is not compared (the column can have none).
    if let Some(expression) = found.generated.as_ref().filter(|_| def.generated.is_none()) {
        drifts.push(Drift::GeneratedColumn {
            table: table.to_string(),
            column: column(),
            expression: expression.to_string(),
        });
        return;
    }
    if def.default != found.default {
        drifts.push(Drift::ColumnDefault {
            table: table.to_string(),
            column: column(),
            expected: def
                .default
                .as_ref()
                .map(|d| default_spelling(d, &def.sql_type)),
            found: found
                .default
                .as_ref()
                .map(|d| default_spelling(d, &found.sql_type)),
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
