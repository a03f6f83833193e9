//! The way back: the schema a down migration leads to, with the renames of the way there
//! declared in reverse, so that diffing the new snapshot against it renames back instead of
//! dropping and creating.

use super::confirm::{Confirmation, Refusal};
use super::renames::Renames;
use super::types::{conversion, Conversion};
use super::{diff, steps, DiffOptions};
use crate::model::{LabelRename, Schema};
use crate::plan::{Statement, Using};
use crate::sql::sql_type;

/// `old` with rename hints that undo the renames from `old` to `new` (and no other hint, so
/// that hints left over from earlier migrations cannot misfire on the way back).
pub fn reverse_target(old: &Schema, new: &Schema) -> Schema {
    let renames = Renames::resolve(old, new);
    let mut target = old.clone();
    for e in target.enums.to_mut() {
        e.renamed_from = None;
        e.renamed_labels = Vec::new().into();
    }
    for t in target.tables.to_mut() {
        t.renamed_from = None;
        for c in t.columns.to_mut() {
            c.renamed_from = None;
        }
    }
    for (from, to) in &renames.enums {
        if let Some(e) = target.enums.to_mut().iter_mut().find(|e| &e.name == from) {
            e.renamed_from = Some(to.clone());
        }
    }
    for (enum_new, from, to) in &renames.labels {
        let old_name = renames.enum_from(enum_new);
        if let Some(e) = target
            .enums
            .to_mut()
            .iter_mut()
            .find(|e| e.name == old_name)
        {
            e.renamed_labels.to_mut().push(LabelRename {
                from: to.clone(),
                to: from.clone(),
            });
        }
    }
    for (from, to) in &renames.tables {
        if let Some(t) = target.tables.to_mut().iter_mut().find(|t| &t.name == from) {
            t.renamed_from = Some(to.clone());
        }
    }
    for (table_new, from, to) in &renames.columns {
        let old_table = renames.table_from(table_new);
        let column = (target.tables.to_mut().iter_mut())
            .find(|t| t.name == old_table)
            .and_then(|t| t.columns.to_mut().iter_mut().find(|c| &c.name == from));
        if let Some(c) = column {
            c.renamed_from = Some(to.clone());
        }
    }
    target
}

/// The statements of a down (from `new` back to `old`) and the changes in them that need
/// confirmation. A type change back that no cast can be trusted with in general (text back
/// to an enum) is written all the same, with an explicit cast, and listed as one that may
/// fail: the values came from that type, and only values written since can break it.
pub fn reverse_steps(
    old: &Schema,
    new: &Schema,
) -> Result<(Vec<Statement>, Vec<Confirmation>), Refusal> {
    let target = reverse_target(old, new);
    let renames = Renames::resolve(new, &target);
    let mut patched = target.clone();
    let mut casts = Vec::new();
    for t in patched.tables.to_mut() {
        let source_table = renames.table_from(&t.name);
        let Some(source) = new.table(&source_table) else {
            continue;
        };
        for c in t.columns.to_mut() {
            let source_column = (renames.columns.iter())
                .find(|(table, _, to)| table == &t.name && to == &c.name)
                .map_or(c.name.clone(), |(_, from, _)| from.clone());
            let Some(found) = source.column(&source_column) else {
                continue;
            };
            if found.sql_type == c.sql_type {
                continue;
            }
            if let Conversion::Refused(_) = conversion(&found.sql_type, &c.sql_type, new, &target) {
                casts.push((
                    t.name.clone(),
                    c.clone(),
                    found.sql_type.clone(),
                    found.default.clone(),
                ));
                c.sql_type = found.sql_type.clone();
                c.default = found.default.clone();
            }
        }
    }
    let confirmed = DiffOptions {
        allow_destructive: true,
        plain: true,
        ..DiffOptions::default()
    };
    let steps = steps(Some(new), &patched, &confirmed)?;
    let mut statements: Vec<Statement> = steps.into_iter().flat_map(|s| s.statements).collect();
    let mut destructive = diff(new, &patched).destructive;
    for (table, column, from, from_default) in casts {
        let c = &column.name;
        if from_default.is_some() {
            statements.push(Statement::DropDefault {
                table: table.clone(),
                column: c.clone(),
            });
        }
        statements.push(Statement::AlterColumnType {
            table: table.clone(),
            column: c.clone(),
            sql_type: column.sql_type.clone(),
            using: Some(Using::ThroughText),
        });
        if let Some(default) = &column.default {
            statements.push(Statement::SetDefault {
                table: table.clone(),
                column: c.clone(),
                default: default.clone(),
            });
        }
        destructive.push(Confirmation::may_fail(
            format!("change-type:{table}.{c}"),
            format!(
                "changes `{table}.{c}` back from {} to {}: fails if a value written since does not convert",
                sql_type(&from),
                sql_type(&column.sql_type)
            ),
        ));
    }
    Ok((statements, destructive))
}
