//! One migration's statements between two schemas: renames and enums here, tables in
//! `tables`, both filling the phases of `phases`.

use super::confirm::Confirmation;
use super::enums::{self, EnumChange};
use super::lookup::Tables;
use super::phases::{Change, Context, Phases};
use super::renames::Renames;
use crate::model::{EnumDef, Schema, SqlType};
use crate::plan::{Statement, Using};
use std::collections::BTreeSet;

/// The change from `old` to `new`.
pub fn diff(old: &Schema, new: &Schema) -> Change {
    let renames = Renames::resolve(old, new);
    let renamed = renames.apply(old);
    let mut phases = Phases::default();
    let mut change = Change::default();
    phases.renames = renames.statements();
    phases
        .renames
        .extend(Renames::constraint_statements(old, &renamed));
    let mut ctx = Context {
        cur: renamed,
        new,
        new_tables: Tables::of(new),
        retyped: BTreeSet::new(),
        key_changed: BTreeSet::new(),
        unique_changed: BTreeSet::new(),
    };
    diff_enums(&mut ctx, &mut phases, &mut change);
    ctx.collect_dependencies();
    super::tables::diff_tables(&ctx, &mut phases, &mut change);
    change.statements = phases.into_statements();
    (change.statements).extend(super::changes_privileges::statements(&ctx.cur, new));
    change
}

fn diff_enums(ctx: &mut Context, p: &mut Phases, change: &mut Change) {
    for e in ctx.cur.enums.clone().iter() {
        let Some(target) = ctx.new.enum_def(&e.name) else {
            p.drop_enum.push(Statement::DropEnum(e.name.clone()));
            continue;
        };
        match enums::change(e, target) {
            EnumChange::Same => {}
            EnumChange::Added(statements) => p.enum_add.extend(statements),
            EnumChange::Rebuilt { removed } => {
                let columns = rebuild_enum(ctx, target, p);
                if !removed.is_empty() {
                    let labels: Vec<String> = removed
                        .iter()
                        .map(|l| crate::sql::quote_literal(l))
                        .collect();
                    let used = if columns.is_empty() {
                        "no column uses the type".to_string()
                    } else {
                        format!("rows of {} holding them make the migration fail until they are changed", columns.join(", "))
                    };
                    change.destructive.push(Confirmation::loses_data(
                        format!("remove-labels:{}", e.name),
                        format!(
                            "removes {} from enum `{}`: {used}",
                            labels.join(", "),
                            e.name
                        ),
                    ));
                }
            }
        }
    }
}

/// Rebuilds an enum whose labels were removed or reordered: its columns go to text, the type
/// is dropped and created anew, and the columns come back to it (a label that is gone makes
/// the cast fail, inside the migration's transaction). Returns the columns, as `table.column`.
fn rebuild_enum(ctx: &mut Context, target: &EnumDef, p: &mut Phases) -> Vec<String> {
    let mut columns = Vec::new();
    let mut back = Vec::new();
    for table in ctx.cur.tables.to_mut() {
        let Some(new_table) = ctx.new_tables.get(&table.name) else {
            continue;
        };
        for column in table.columns.to_mut() {
            if column.sql_type != SqlType::Enum(target.name.clone()) {
                continue;
            }
            let Some(new_column) = new_table.column(&column.name) else {
                continue;
            };
            columns.push(format!("`{}.{}`", table.name, column.name));
            let (t, c) = (table.name.clone(), column.name.clone());
            if column.default.take().is_some() {
                p.enum_rebuild.push(Statement::DropDefault {
                    table: t.clone(),
                    column: c.clone(),
                });
            }
            p.enum_rebuild.push(Statement::AlterColumnType {
                table: t.clone(),
                column: c.clone(),
                sql_type: SqlType::Text,
                using: Some(Using::Cast),
            });
            if new_column.sql_type == column.sql_type {
                back.push(Statement::AlterColumnType {
                    table: t,
                    column: c,
                    sql_type: column.sql_type.clone(),
                    using: Some(Using::Cast),
                });
            } else {
                column.sql_type = SqlType::Text;
            }
        }
    }
    p.enum_rebuild
        .push(Statement::DropEnum(target.name.clone()));
    p.enum_rebuild.push(Statement::CreateEnum(target.clone()));
    p.enum_rebuild.extend(back);
    for e in ctx.cur.enums.to_mut() {
        if e.name == target.name {
            e.labels = target.labels.clone();
        }
    }
    columns
}
