//! The one diff between two models: the typed changes that bring one schema (`from`: the
//! last snapshot, or a live database read into the model) to another (`to`: the schema in
//! code). Enums, tables and columns here, keys and indexes in `changes_keys`, what no
//! migration makes in `changes_objects`.

use super::changes_keys::{compare_foreign_keys, compare_indexes, compare_primary_key};
use super::schema_change::SchemaChange;
use crate::model::{ColumnDef, ConstraintDef, EnumDef, Schema, TableDef};
use crate::sql::{default_spelling, format_type as type_spelling};
use std::collections::BTreeSet;

/// The changes that bring `from` to `to`, in an order that reads well: enums, then the
/// tables of `to` in its order, then the tables `to` does not have, then what no migration
/// makes. Empty exactly when the two describe the same database (column order aside, which
/// `ALTER TABLE .. ADD COLUMN` cannot choose).
pub fn changes(from: &Schema, to: &Schema) -> Vec<SchemaChange> {
    // Named for verify, the most common reading: `from` is the database, `to` the code.
    let (database, code) = (from, to);
    let mut drifts = Vec::new();
    compare_enums(database, code, &mut drifts);
    for table in code.tables.iter() {
        match database.table(&table.name) {
            None => drifts.push(SchemaChange::CreateTable {
                table: table.name.to_string(),
            }),
            Some(found) => compare_table(table, found, &mut drifts),
        }
    }
    for found in database.tables.iter() {
        if code.table(&found.name).is_none() {
            drifts.push(SchemaChange::DropTable {
                table: found.name.to_string(),
            });
        }
    }
    super::changes_objects::compare_objects(database, code, &mut drifts);
    drifts
}

fn labels(def: &EnumDef) -> Vec<String> {
    def.labels.iter().map(|l| l.to_string()).collect()
}

fn compare_enums(database: &Schema, code: &Schema, drifts: &mut Vec<SchemaChange>) {
    for def in code.enums.iter() {
        match database.enum_def(&def.name) {
            None => drifts.push(SchemaChange::CreateEnum {
                name: def.name.to_string(),
                labels: labels(def),
            }),
            Some(found) => compare_labels(def, found, drifts),
        }
    }
    for found in database.enums.iter() {
        if code.enum_def(&found.name).is_none() {
            drifts.push(SchemaChange::DropEnum {
                name: found.name.to_string(),
                labels: labels(found),
            });
        }
    }
}

fn compare_labels(def: &EnumDef, found: &EnumDef, drifts: &mut Vec<SchemaChange>) {
    let expected = labels(def);
    let found = labels(found);
    let in_code: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    let in_db: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    let enum_name = || def.name.to_string();
    for label in expected.iter().filter(|l| !in_db.contains(l.as_str())) {
        drifts.push(SchemaChange::AddEnumLabel {
            enum_name: enum_name(),
            label: label.clone(),
        });
    }
    for label in found.iter().filter(|l| !in_code.contains(l.as_str())) {
        drifts.push(SchemaChange::RemoveEnumLabel {
            enum_name: enum_name(),
            label: label.clone(),
        });
    }
    // Missing and extra labels are reported above; the order is judged on the shared ones
    // only, so one added label does not also read as a reordering.
    let shared_in_code = expected.iter().filter(|l| in_db.contains(l.as_str()));
    let shared_in_db = found.iter().filter(|l| in_code.contains(l.as_str()));
    if !shared_in_code.eq(shared_in_db) {
        drifts.push(SchemaChange::ReorderEnumLabels {
            enum_name: enum_name(),
            to: expected,
            from: found,
        });
    }
}

fn compare_table(def: &TableDef, found: &TableDef, drifts: &mut Vec<SchemaChange>) {
    let table = def.name.to_string();
    for column in def.columns.iter() {
        match found.column(&column.name) {
            None => drifts.push(SchemaChange::AddColumn {
                table: table.clone(),
                column: column.name.to_string(),
                definition: describe_column(column),
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
            drifts.push(SchemaChange::DropColumn {
                table: table.clone(),
                column: column.name.to_string(),
                definition: described,
            });
        }
    }
    compare_primary_key(def, found, drifts);
    compare_foreign_keys(def, found, drifts);
    compare_indexes(def, found, drifts);
    if def.partition != found.partition {
        let spell = |p: &Option<crate::model::Name>| p.as_deref().unwrap_or("none").to_string();
        drifts.push(SchemaChange::AlterPartitioning {
            table: table.clone(),
            to: spell(&def.partition),
            from: spell(&found.partition),
        });
    }
    // Whether a constraint is validated is compared in `changes_objects`, with the other
    // states of constraints.
    let same = |a: &ConstraintDef, b: &ConstraintDef| {
        a == &ConstraintDef {
            not_valid: a.not_valid,
            ..b.clone()
        }
    };
    let has = |list: &[ConstraintDef], c: &ConstraintDef| list.iter().any(|x| same(x, c));
    for constraint in def.constraints.iter() {
        if !has(&found.constraints, constraint) {
            drifts.push(SchemaChange::AddConstraint {
                table: table.clone(),
                name: constraint.name.to_string(),
                definition: constraint.definition.to_string(),
            });
        }
    }
    for constraint in found.constraints.iter() {
        if !has(&def.constraints, constraint) {
            drifts.push(SchemaChange::DropConstraint {
                table: table.clone(),
                name: constraint.name.to_string(),
                definition: constraint.definition.to_string(),
            });
        }
    }
}

fn compare_column(table: &str, def: &ColumnDef, found: &ColumnDef, drifts: &mut Vec<SchemaChange>) {
    let column = || def.name.to_string();
    if def.sql_type != found.sql_type {
        drifts.push(SchemaChange::AlterColumnType {
            table: table.to_string(),
            column: column(),
            to: type_spelling(&def.sql_type),
            from: type_spelling(&found.sql_type),
        });
    }
    if def.nullable != found.nullable {
        let (table, column) = (table.to_string(), column());
        drifts.push(if def.nullable {
            SchemaChange::DropNotNull { table, column }
        } else {
            SchemaChange::SetNotNull { table, column }
        });
    }
    if def.identity != found.identity {
        drifts.push(SchemaChange::AlterColumnIdentity {
            table: table.to_string(),
            column: column(),
            to: def.identity.map(|i| i.sql()),
            from: found.identity.map(|i| i.sql()),
        });
    }
    let spell = |v: &Option<crate::model::Name>| v.as_deref().unwrap_or("none").to_string();
    // A collation the database has and the code does not is reset (changes_objects); one
    // the code declares must be there.
    if def.collation.is_some() && def.collation != found.collation {
        drifts.push(SchemaChange::AlterColumnDefinition {
            table: table.to_string(),
            column: column(),
            what: "collation",
            to: spell(&def.collation),
            from: spell(&found.collation),
        });
    }
    if def.generated.is_some() && def.generated != found.generated {
        drifts.push(SchemaChange::AlterColumnDefinition {
            table: table.to_string(),
            column: column(),
            what: "generation expression",
            to: spell(&def.generated),
            from: spell(&found.generated),
        });
        return;
    }
    // A generated column's expression is no default: it is named as what it is, and the
    // default is not compared (the column can have none).
    if let Some(expression) = found.generated.as_ref().filter(|_| def.generated.is_none()) {
        drifts.push(SchemaChange::DropColumnExpression {
            table: table.to_string(),
            column: column(),
            expression: expression.to_string(),
        });
        return;
    }
    if def.default != found.default {
        drifts.push(SchemaChange::AlterColumnDefault {
            table: table.to_string(),
            column: column(),
            to: def
                .default
                .as_ref()
                .map(|d| default_spelling(d, &def.sql_type)),
            from: found
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{steps, DiffOptions};
    use crate::model::{PrimaryKey, SqlType, ViewDef};

    fn schema() -> Schema {
        let table = TableDef {
            name: "t".into(),
            columns: vec![ColumnDef::new("id".into(), SqlType::Uuid)].into(),
            primary_key: PrimaryKey::Column("id".into()),
            ..TableDef::BLANK
        };
        Schema {
            tables: vec![table].into(),
            ..Schema::default()
        }
    }

    /// The diff tells a kind only carried migrations make; between two snapshots it is such
    /// a migration's work, so `generate` neither plans it nor refuses it.
    #[test]
    fn a_change_only_a_carried_migration_makes_is_told_not_planned() {
        let mut old = schema();
        old.views = vec![ViewDef {
            name: "v".into(),
            materialized: false,
            definition: "SELECT 1".into(),
            indexes: Default::default(),
        }]
        .into();
        let new = schema();
        let found = changes(&old, &new);
        assert_eq!(
            found.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["drop view `v` (SELECT 1): the code does not have it, no migration makes it"]
        );
        assert!(found[0].is_carried() && !found[0].can_be_generated());
        let steps = steps(Some(&old), &new, &DiffOptions::default()).unwrap();
        assert!(steps.is_empty());
        let back = changes(&new, &old);
        assert_eq!(
            back.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["create view `v` (SELECT 1): a carried migration makes it, and it is missing"]
        );
    }
}
