//! What one migration's diff builds up: its statements grouped in phases whose order always
//! applies (renames first, everything after speaks the new names; then what must go before
//! things are removed, removals, rebuilt enums, additions, alterations, and last the foreign
//! keys and indexes, whose targets then all exist), and the facts about the whole change
//! that single tables need.

use super::confirm::Confirmation;
use super::lookup::Tables;
use crate::model::{ForeignKeyDef, Name, Schema};
use crate::plan::Statement;
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
    pub(super) attach: Vec<Statement>,
}

impl Phases {
    pub(super) fn into_statements(self) -> Vec<Statement> {
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
            // A partition is attached once it has its keys and indexes (`plan::attach`).
            self.attach,
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

impl Context<'_> {
    pub(super) fn collect_dependencies(&mut self) {
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
