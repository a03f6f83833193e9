//! Comparing primary keys, foreign keys and indexes with the schema in code.

use super::drift::Drift;
use super::types::{FkAction, ForeignKey, Index, Table};
use crate::model::{ForeignKeyDef, IndexDef, OnDelete, PrimaryKey, TableDef};
use crate::sql::quote_ident_if_needed;

pub(super) fn compare_primary_key(def: &TableDef, found: &Table, drifts: &mut Vec<Drift>) {
    let table = def.name.to_string();
    let expected_name = def.primary_key_name();
    let expected_columns: Vec<String> = match &def.primary_key {
        PrimaryKey::Column(c) => vec![c.to_string()],
        PrimaryKey::Composite(cols) => cols.iter().map(|c| c.to_string()).collect(),
    };
    match found.primary_key() {
        None => drifts.push(Drift::MissingPrimaryKey {
            table,
            name: expected_name,
            columns: expected_columns,
        }),
        Some(pk) if pk.name != expected_name || pk.columns != expected_columns => {
            drifts.push(Drift::PrimaryKey {
                table,
                expected_name,
                expected_columns,
                found_name: pk.name.clone(),
                found_columns: pk.columns.clone(),
            })
        }
        // The right key, but its index stores more (INCLUDE) or sorts otherwise (an operator
        // class): told as the index it is.
        Some(pk) => {
            let plain = |ix: &Index| {
                ix.include.is_empty() && ix.columns.iter().all(|k| k.opclass.is_none())
            };
            if let Some(index) = found.index(&pk.name).filter(|ix| !plain(ix)) {
                let keys: Vec<String> = expected_columns
                    .iter()
                    .map(|c| key(c, None, false, false))
                    .collect();
                drifts.push(Drift::Index {
                    table,
                    name: pk.name.clone(),
                    expected: describe(true, "btree", &keys, &[], None),
                    found: describe_found_index(index),
                });
            }
        }
    }
}

pub(super) fn compare_foreign_keys(def: &TableDef, found: &Table, drifts: &mut Vec<Drift>) {
    let table = def.name.to_string();
    let mut expected_names = Vec::new();
    for fk in def.foreign_keys.iter() {
        let name = fk.constraint_name(&def.name);
        let expected_action = fk_action(fk.on_delete);
        match found.foreign_key(&name) {
            None => drifts.push(Drift::MissingForeignKey {
                table: table.clone(),
                name: name.clone(),
                expected: describe_expected_fk(fk),
            }),
            Some(f) if !same_target(fk, f) || f.on_update != FkAction::NoAction => {
                drifts.push(Drift::ForeignKey {
                    table: table.clone(),
                    name: name.clone(),
                    expected: describe_expected_fk(fk),
                    found: describe_found_fk(f),
                })
            }
            Some(f) if f.on_delete != expected_action => drifts.push(Drift::ForeignKeyOnDelete {
                table: table.clone(),
                name: name.clone(),
                expected: expected_action.sql().to_string(),
                found: f.on_delete.sql().to_string(),
            }),
            Some(_) => {}
        }
        expected_names.push(name);
    }
    for f in &found.foreign_keys {
        if !expected_names.contains(&f.name) {
            drifts.push(Drift::ExtraForeignKey {
                table: table.clone(),
                name: f.name.clone(),
                found: describe_found_fk(f),
            });
        }
    }
}

pub(super) fn compare_indexes(def: &TableDef, found: &Table, drifts: &mut Vec<Drift>) {
    let table = def.name.to_string();
    // Indexes behind constraints are judged with their constraint (primary key, or an extra
    // unique/exclusion constraint), not as indexes of their own.
    let own = |name: &str| {
        found
            .index(name)
            .filter(|i| !i.backs_constraint && !i.primary)
    };
    for index in def.indexes.iter() {
        match own(&index.name) {
            None => drifts.push(Drift::MissingIndex {
                table: table.clone(),
                name: index.name.to_string(),
                expected: describe_expected_index(index),
            }),
            Some(f) if !index_matches(index, f) => drifts.push(Drift::Index {
                table: table.clone(),
                name: index.name.to_string(),
                expected: describe_expected_index(index),
                found: describe_found_index(f),
            }),
            Some(_) => {}
        }
    }
    for f in &found.indexes {
        let declared = def.indexes.iter().any(|i| i.name == f.name);
        if !declared && !f.backs_constraint && !f.primary {
            drifts.push(Drift::ExtraIndex {
                table: table.clone(),
                name: f.name.clone(),
                found: describe_found_index(f),
            });
        }
    }
}

fn fk_action(on_delete: OnDelete) -> FkAction {
    match on_delete {
        OnDelete::Cascade => FkAction::Cascade,
        OnDelete::Restrict => FkAction::Restrict,
        OnDelete::SetNull => FkAction::SetNull,
        OnDelete::SetDefault => FkAction::SetDefault,
        OnDelete::NoAction => FkAction::NoAction,
    }
}

fn same_target(def: &ForeignKeyDef, found: &ForeignKey) -> bool {
    found.columns == [def.column.as_ref()]
        && found.referenced_table == def.references_table
        && found.referenced_columns == [def.references_column.as_ref()]
}

fn describe_expected_fk(fk: &ForeignKeyDef) -> String {
    format!(
        "FOREIGN KEY ({}) REFERENCES {}({}) ON UPDATE NO ACTION ON DELETE {}",
        quote_ident_if_needed(&fk.column),
        quote_ident_if_needed(&fk.references_table),
        quote_ident_if_needed(&fk.references_column),
        fk_action(fk.on_delete).sql()
    )
}

fn describe_found_fk(fk: &ForeignKey) -> String {
    let list = |cols: &[String]| {
        cols.iter()
            .map(|c| quote_ident_if_needed(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "FOREIGN KEY ({}) REFERENCES {}({}) ON UPDATE {} ON DELETE {}",
        list(&fk.columns),
        fk.referenced_table,
        list(&fk.referenced_columns),
        fk.on_update.sql(),
        fk.on_delete.sql()
    )
}

/// The code declares btree indexes of plain keys with their types' default operator classes
/// and no INCLUDE columns: anything else in the database is a difference.
fn index_matches(def: &IndexDef, found: &Index) -> bool {
    def.unique == found.unique
        && found.method == "btree"
        && found.predicate.is_none()
        && found.include.is_empty()
        && def.columns.len() == found.columns.len()
        && def.columns.iter().zip(&found.columns).all(|(d, f)| {
            // Compared by the order the key sorts in: `DESC` and `DESC NULLS FIRST` are one key.
            d.name == f.expr
                && d.desc == f.desc
                && d.nulls_first() == f.nulls_first
                && f.opclass.is_none()
        })
}

fn describe_expected_index(def: &IndexDef) -> String {
    let keys: Vec<String> = def
        .columns
        .iter()
        .map(|c| key(&c.name, None, c.desc, c.nulls_first()))
        .collect();
    describe(def.unique, "btree", &keys, &[], None)
}

fn describe_found_index(found: &Index) -> String {
    let keys: Vec<String> = found
        .columns
        .iter()
        .map(|k| key(&k.expr, k.opclass.as_deref(), k.desc, k.nulls_first))
        .collect();
    describe(
        found.unique,
        &found.method,
        &keys,
        &found.include,
        found.predicate.as_deref(),
    )
}

fn key(expr: &str, opclass: Option<&str>, desc: bool, nulls_first: bool) -> String {
    let mut key = expr.to_string();
    if let Some(opclass) = opclass {
        key.push(' ');
        key.push_str(opclass);
    }
    if desc {
        key.push_str(" DESC");
    }
    if nulls_first != desc {
        key.push_str(if nulls_first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
    }
    key
}

fn describe(
    unique: bool,
    method: &str,
    keys: &[String],
    include: &[String],
    predicate: Option<&str>,
) -> String {
    let mut described = String::new();
    if unique {
        described.push_str("UNIQUE ");
    }
    described.push_str(method);
    described.push_str(" (");
    described.push_str(&keys.join(", "));
    described.push(')');
    if !include.is_empty() {
        described.push_str(" INCLUDE (");
        described.push_str(&include.join(", "));
        described.push(')');
    }
    if let Some(predicate) = predicate {
        described.push_str(" WHERE ");
        described.push_str(predicate);
    }
    described
}
