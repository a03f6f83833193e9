//! One migration's statements between two schemas, grouped in phases whose order always
//! applies: renames first (everything after speaks the new names), then what must go before
//! things are removed, removals, rebuilt enums, additions, alterations, and last the foreign
//! keys and indexes, whose targets then all exist.

use super::confirm::Confirmation;
use super::enums::{self, EnumChange};
use super::lookup::Tables;
use super::renames::Renames;
use crate::model::{EnumDef, ForeignKeyDef, Name, Schema, SqlType};
use crate::plan::{Statement, Using};
use std::collections::BTreeSet;

/// The statements of one migration, and the changes in it that need the user's word.
#[derive(Debug, Default)]
pub struct Change {
    /// The statements, in an order that applies.
    pub statements: Vec<Statement>,
    /// Changes that lose data (or can fail on existing rows), each with what is lost.
    pub destructive: Vec<Confirmation>,
    /// Changes that cannot be written safely at all.
    pub refused: Vec<String>,
    /// Advice shown with a refusal (a drop and an add that look like a rename).
    pub hints: Vec<String>,
}

#[derive(Default)]
pub(super) struct Phases {
    pub(super) renames: Vec<Statement>,
    pub(super) enum_create: Vec<Statement>,
    pub(super) enum_add: Vec<Statement>,
    pub(super) drop_fk: Vec<Statement>,
    pub(super) drop_index: Vec<Statement>,
    pub(super) drop_pk: Vec<Statement>,
    pub(super) drop_table: Vec<Statement>,
    pub(super) drop_column: Vec<Statement>,
    pub(super) enum_rebuild: Vec<Statement>,
    pub(super) create_table: Vec<Statement>,
    pub(super) add_column: Vec<Statement>,
    pub(super) alter_column: Vec<Statement>,
    pub(super) add_pk: Vec<Statement>,
    pub(super) drop_enum: Vec<Statement>,
    pub(super) add_fk: Vec<Statement>,
    pub(super) create_index: Vec<Statement>,
}

impl Phases {
    fn into_statements(self) -> Vec<Statement> {
        [
            self.renames,
            self.enum_create,
            self.enum_add,
            self.drop_fk,
            self.drop_index,
            self.drop_pk,
            self.drop_table,
            self.drop_column,
            self.enum_rebuild,
            self.create_table,
            self.add_column,
            self.alter_column,
            self.add_pk,
            self.drop_enum,
            // A new foreign key to a column made unique by a new index needs that index first.
            crate::plan::keys_and_indexes(self.add_fk, self.create_index),
        ]
        .concat()
    }
}

/// Facts about the whole change that single tables need: a foreign key must be dropped and
/// re-added when what it depends on (its columns' types, the referenced key or unique index)
/// is rebuilt.
pub(super) struct Context<'a> {
    pub(super) cur: Schema,
    pub(super) new: &'a Schema,
    pub(super) new_tables: Tables<'a>,
    pub(super) retyped: BTreeSet<(Name, Name)>,
    pub(super) key_changed: BTreeSet<Name>,
    pub(super) unique_changed: BTreeSet<(Name, Name)>,
}

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

impl Context<'_> {
    fn collect_dependencies(&mut self) {
        for t in self.cur.tables.iter() {
            let Some(n) = self.new_tables.get(&t.name) else {
                continue;
            };
            if t.primary_key != n.primary_key {
                self.key_changed.insert(t.name.clone());
            }
            for c in t.columns.iter() {
                if n.column(&c.name)
                    .is_some_and(|nc| nc.sql_type != c.sql_type)
                {
                    self.retyped.insert((t.name.clone(), c.name.clone()));
                }
            }
            for i in t
                .indexes
                .iter()
                .filter(|i| i.unique && i.columns.len() == 1)
            {
                let same = n.indexes.iter().any(|x| x == i);
                if !same {
                    self.unique_changed
                        .insert((t.name.clone(), i.columns[0].name.clone()));
                }
            }
        }
    }

    /// Whether an unchanged foreign key must still be dropped and re-added.
    pub(super) fn rebuilt(&self, table: &str, fk: &ForeignKeyDef) -> bool {
        let col = (Name::from(table.to_string()), fk.column.clone());
        let target = (fk.references_table.clone(), fk.references_column.clone());
        self.retyped.contains(&col)
            || self.retyped.contains(&target)
            || self.key_changed.contains(&fk.references_table)
            || self.unique_changed.contains(&target)
    }
}
