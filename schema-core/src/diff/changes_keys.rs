//! The changes of primary keys, foreign keys and indexes; `def` is the target's table, `found`
//! the same table as it is.

use super::schema_change::SchemaChange;
use crate::model::{ForeignKeyDef, IndexColumn, IndexDef, OnDelete, TableDef};
use crate::sql::quote_ident_if_needed;

pub(super) fn compare_primary_key(
    def: &TableDef,
    found: &TableDef,
    drifts: &mut Vec<SchemaChange>,
) {
    let table = def.name.to_string();
    let expected_name = def.primary_key_name();
    let strings = |cols: Vec<&str>| cols.into_iter().map(str::to_string).collect::<Vec<_>>();
    let expected_columns = strings(def.primary_key_columns());
    let found_columns = strings(found.primary_key_columns());
    match (expected_columns.is_empty(), found_columns.is_empty()) {
        // A table without a key, on both sides.
        (true, true) => return,
        (true, false) => {
            drifts.push(SchemaChange::DropConstraint {
                table,
                name: found.primary_key_name(),
                definition: format!("PRIMARY KEY ({})", found_columns.join(", ")),
            });
            return;
        }
        _ => {}
    }
    if found_columns.is_empty() {
        drifts.push(SchemaChange::AddPrimaryKey {
            table,
            name: expected_name,
            columns: expected_columns,
        });
        return;
    }
    let found_name = found.primary_key_name();
    if found_name != expected_name || found_columns != expected_columns {
        drifts.push(SchemaChange::AlterPrimaryKey {
            table,
            to_name: expected_name,
            to_columns: expected_columns,
            from_name: found_name,
            from_columns: found_columns,
        });
        return;
    }
    // The right key, but its index stores more (INCLUDE) or sorts otherwise (an operator
    // class): told as the index it is.
    if let Some(index) = found
        .primary_key_index
        .as_ref()
        .filter(|ix| def.primary_key_index.as_ref() != Some(*ix))
    {
        let plain = IndexDef::new(
            found_name.clone().into(),
            true,
            expected_columns
                .iter()
                .map(|c| IndexColumn::asc(c.clone().into()))
                .collect(),
        );
        drifts.push(SchemaChange::AlterIndex {
            table,
            name: found_name,
            to: describe_index(def.primary_key_index.as_deref().unwrap_or(&plain)),
            from: describe_index(index),
        });
    }
}

pub(super) fn compare_foreign_keys(
    def: &TableDef,
    found: &TableDef,
    drifts: &mut Vec<SchemaChange>,
) {
    let table = def.name.to_string();
    let found_key = |name: &str| {
        found
            .foreign_keys
            .iter()
            .find(|f| f.constraint_name(&found.name) == name)
    };
    let mut expected_names = Vec::new();
    for fk in def.foreign_keys.iter() {
        let name = fk.constraint_name(&def.name);
        match found_key(&name) {
            None => drifts.push(SchemaChange::AddForeignKey {
                table: table.clone(),
                name: name.clone(),
                definition: describe_fk(fk),
            }),
            Some(f) if !same_target(fk, f) || f.on_update != fk.on_update => {
                drifts.push(SchemaChange::AlterForeignKey {
                    table: table.clone(),
                    name: name.clone(),
                    to: describe_fk(fk),
                    from: describe_fk(f),
                })
            }
            Some(f) if f.on_delete != fk.on_delete => {
                drifts.push(SchemaChange::AlterForeignKeyOnDelete {
                    table: table.clone(),
                    name: name.clone(),
                    to: action_sql(fk.on_delete),
                    from: action_sql(f.on_delete),
                })
            }
            Some(_) => {}
        }
        expected_names.push(name);
    }
    for f in found.foreign_keys.iter() {
        let name = f.constraint_name(&found.name);
        if !expected_names.contains(&name) {
            drifts.push(SchemaChange::DropForeignKey {
                table: table.clone(),
                name,
                definition: describe_fk(f),
            });
        }
    }
}

pub(super) fn compare_indexes(def: &TableDef, found: &TableDef, drifts: &mut Vec<SchemaChange>) {
    let table = def.name.to_string();
    let found_index = |name: &str| found.indexes.iter().find(|i| i.name == name);
    for index in def.indexes.iter() {
        match found_index(&index.name) {
            None => drifts.push(SchemaChange::CreateIndex {
                table: table.clone(),
                name: index.name.to_string(),
                definition: describe_index(index),
            }),
            // An INVALID index of the right shape is told as such (see `compare_objects`).
            Some(f) if !same_index(index, f) => drifts.push(SchemaChange::AlterIndex {
                table: table.clone(),
                name: index.name.to_string(),
                to: describe_index(index),
                from: describe_index(f),
            }),
            Some(_) => {}
        }
    }
    for f in found.indexes.iter() {
        if !def.indexes.iter().any(|i| i.name == f.name) {
            drifts.push(SchemaChange::DropIndex {
                table: table.clone(),
                name: f.name.to_string(),
                definition: describe_index(f),
            });
        }
    }
}

fn same_index(def: &IndexDef, found: &IndexDef) -> bool {
    def == &IndexDef {
        invalid: def.invalid,
        ..found.clone()
    }
}

/// The action's SQL words as PostgreSQL prints them, e.g. `SET NULL`.
fn action_sql(action: OnDelete) -> String {
    action.sql().to_uppercase()
}

fn same_target(def: &ForeignKeyDef, found: &ForeignKeyDef) -> bool {
    def.columns() == found.columns()
        && def.references_table == found.references_table
        && def.references_columns() == found.references_columns()
}

/// A foreign key as `FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE NO ACTION ON
/// DELETE CASCADE`, one spelling for both sides.
pub(super) fn describe_fk(fk: &ForeignKeyDef) -> String {
    let list = |cols: Vec<&str>| {
        cols.into_iter()
            .map(quote_ident_if_needed)
            .collect::<Vec<_>>()
            .join(", ")
    };
    // A table of another schema comes qualified (`other.users`) and is shown as it is.
    let referenced = if fk.references_table.contains('.') {
        fk.references_table.to_string()
    } else {
        quote_ident_if_needed(&fk.references_table)
    };
    format!(
        "FOREIGN KEY ({}) REFERENCES {referenced}({}) ON UPDATE {} ON DELETE {}",
        list(fk.columns()),
        list(fk.references_columns()),
        action_sql(fk.on_update),
        action_sql(fk.on_delete)
    )
}

/// An index as `UNIQUE btree (user_id, started_at DESC) INCLUDE (id) WHERE ...`.
pub(super) fn describe_index(index: &IndexDef) -> String {
    let mut described = String::new();
    if index.unique {
        described.push_str("UNIQUE ");
    }
    described.push_str(index.method());
    described.push_str(" (");
    let keys: Vec<String> = index.columns.iter().map(key).collect();
    described.push_str(&keys.join(", "));
    described.push(')');
    if !index.include.is_empty() {
        described.push_str(" INCLUDE (");
        described.push_str(&index.include.join(", "));
        described.push(')');
    }
    if let Some(predicate) = &index.predicate {
        described.push_str(" WHERE ");
        described.push_str(predicate);
    }
    described
}

fn key(column: &IndexColumn) -> String {
    let mut key = column.name.to_string();
    if let Some(opclass) = &column.opclass {
        key.push(' ');
        key.push_str(opclass);
    }
    if column.desc {
        key.push_str(" DESC");
    }
    if let Some(clause) = column.nulls_clause() {
        key.push(' ');
        key.push_str(clause);
    }
    key
}
