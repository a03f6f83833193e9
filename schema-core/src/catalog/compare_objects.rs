//! Comparing what migrations never make or set: extensions other than the one they install,
//! views, free sequences, triggers, rules, policies, row-level security, UNLOGGED tables,
//! column collations, INVALID indexes, NOT VALID and DEFERRABLE constraints. The code
//! declares none of these, so any of them is drift.

use super::drift::{Drift, ObjectKind};
use super::types::{Catalog, ConstraintKind, Table, TableObject};
use crate::model::{Schema, TableDef};
use crate::plan::EXTENSION;

/// Installed in every database by `CREATE DATABASE` (from template1): never drift.
const BUILT_IN_EXTENSIONS: [&str; 1] = ["plpgsql"];

pub(super) fn compare_objects(catalog: &Catalog, schema: &Schema, drifts: &mut Vec<Drift>) {
    let extra = |kind, table: Option<&str>, name: &str, found: &str| Drift::ExtraObject {
        kind,
        table: table.map(str::to_string),
        name: name.to_string(),
        found: found.to_string(),
    };
    // An empty schema is the state before the first migration, which installs the extension.
    let migrated = !(schema.tables.is_empty() && schema.enums.is_empty());
    if migrated && !catalog.extensions.iter().any(|e| e == EXTENSION) {
        drifts.push(Drift::MissingExtension {
            name: EXTENSION.to_string(),
        });
    }
    for e in &catalog.extensions {
        if e != EXTENSION && !BUILT_IN_EXTENSIONS.contains(&e.as_str()) {
            drifts.push(extra(ObjectKind::Extension, None, e, ""));
        }
    }
    for v in &catalog.views {
        let kind = if v.materialized {
            ObjectKind::MaterializedView
        } else {
            ObjectKind::View
        };
        drifts.push(extra(kind, None, &v.name, v.definition.trim()));
    }
    // A sequence owned by a column goes with that column, which is drift of its own when the
    // code does not declare it.
    for s in catalog.sequences.iter().filter(|s| s.owned_by.is_none()) {
        drifts.push(extra(ObjectKind::Sequence, None, &s.name, ""));
    }
    for def in schema.tables.iter() {
        if let Some(found) = catalog.table(&def.name) {
            compare_table_objects(def, found, drifts);
        }
    }
}

fn compare_table_objects(def: &TableDef, found: &Table, drifts: &mut Vec<Drift>) {
    let table = || def.name.to_string();
    if found.unlogged {
        drifts.push(Drift::UnloggedTable { table: table() });
    }
    if found.row_security || found.force_row_security {
        drifts.push(Drift::RowLevelSecurity {
            table: table(),
            forced: found.force_row_security,
        });
    }
    let objects: [(ObjectKind, &Vec<TableObject>); 3] = [
        (ObjectKind::Policy, &found.policies),
        (ObjectKind::Trigger, &found.triggers),
        (ObjectKind::Rule, &found.rules),
    ];
    for (kind, list) in objects {
        for o in list {
            drifts.push(Drift::ExtraObject {
                kind,
                table: Some(table()),
                name: o.name.clone(),
                found: o.definition.clone(),
            });
        }
    }
    // Only columns the code declares: an extra column is reported whole already.
    for column in &found.columns {
        if let (Some(collation), Some(_)) = (&column.collation, def.column(&column.name)) {
            drifts.push(Drift::ColumnCollation {
                table: table(),
                column: column.name.clone(),
                collation: collation.clone(),
            });
        }
    }
    for index in found.indexes.iter().filter(|i| !i.valid) {
        drifts.push(Drift::InvalidIndex {
            table: table(),
            name: index.name.clone(),
        });
    }
    for k in &found.constraints {
        if !k.validated && matches!(k.kind, ConstraintKind::ForeignKey | ConstraintKind::Check) {
            drifts.push(Drift::ConstraintNotValid {
                table: table(),
                name: k.name.clone(),
                definition: k.definition.clone(),
            });
        }
        if k.deferrable {
            drifts.push(Drift::ConstraintDeferrable {
                table: table(),
                name: k.name.clone(),
                initially_deferred: k.initially_deferred,
            });
        }
    }
}
