//! Renames declared in code (`renamed_from` on enums, tables and columns, `renamed_labels` on
//! enums), resolved against the old schema, and the old schema seen under the new names.
//!
//! A hint applies only when it is unambiguous: the old name exists in the old schema and is
//! gone from the new one, and the new name is not already taken in the old one. A stale hint
//! (left in code after its migration was written) therefore does nothing.

use super::lookup::Tables;
use crate::model::{ColumnDefault, Name, PrimaryKey, Schema, SqlType, TableDef};
use crate::plan::Statement;

/// The renames between two schemas, in the order their statements run.
#[derive(Clone, Debug, Default)]
pub struct Renames {
    pub enums: Vec<(Name, Name)>,
    /// (enum under its new name, old label, new label)
    pub labels: Vec<(Name, Name, Name)>,
    pub tables: Vec<(Name, Name)>,
    /// (table under its new name, old column, new column)
    pub columns: Vec<(Name, Name, Name)>,
}

fn resolves(
    hint: Option<&Name>,
    new_name: &str,
    in_old: impl Fn(&str) -> bool,
    in_new: impl Fn(&str) -> bool,
) -> Option<Name> {
    let from = hint?;
    (in_old(from) && !in_new(from) && !in_old(new_name)).then(|| from.clone())
}

impl Renames {
    pub fn resolve(old: &Schema, new: &Schema) -> Renames {
        let mut r = Renames::default();
        for e in new.enums.iter() {
            let from = resolves(
                e.renamed_from.as_ref(),
                &e.name,
                |n| old.enum_def(n).is_some(),
                |n| new.enum_def(n).is_some(),
            );
            if let Some(from) = from {
                r.enums.push((from, e.name.clone()));
            }
            let old_name = r.enum_from(&e.name);
            let Some(old_enum) = old.enum_def(&old_name) else {
                continue;
            };
            for rename in e.renamed_labels.iter() {
                let has_old = |l: &str| old_enum.labels.iter().any(|x| x == l);
                let has_new = |l: &str| e.labels.iter().any(|x| x == l);
                if has_old(&rename.from)
                    && !has_new(&rename.from)
                    && has_new(&rename.to)
                    && !has_old(&rename.to)
                {
                    r.labels
                        .push((e.name.clone(), rename.from.clone(), rename.to.clone()));
                }
            }
        }
        let (old_tables, new_tables) = (Tables::of(old), Tables::of(new));
        for t in new.tables.iter() {
            let from = resolves(
                t.renamed_from.as_ref(),
                &t.name,
                |n| old_tables.contains(n),
                |n| new_tables.contains(n),
            );
            if let Some(from) = from {
                r.tables.push((from, t.name.clone()));
            }
            let old_name = r.table_from(&t.name);
            let Some(old_table) = old_tables.get(&old_name) else {
                continue;
            };
            for c in t.columns.iter() {
                let from = resolves(
                    c.renamed_from.as_ref(),
                    &c.name,
                    |n| old_table.column(n).is_some(),
                    |n| t.column(n).is_some(),
                );
                if let Some(from) = from {
                    r.columns.push((t.name.clone(), from, c.name.clone()));
                }
            }
        }
        r
    }

    /// The old name of an enum known by its new name.
    pub fn enum_from(&self, new_name: &str) -> Name {
        lookup_back(&self.enums, new_name)
    }

    pub fn table_from(&self, new_name: &str) -> Name {
        lookup_back(&self.tables, new_name)
    }

    fn enum_to(&self, old_name: &str) -> Name {
        lookup(&self.enums, old_name)
    }

    fn table_to(&self, old_name: &str) -> Name {
        lookup(&self.tables, old_name)
    }

    fn column_to(&self, table_new: &str, old_column: &str) -> Name {
        self.columns
            .iter()
            .find(|(t, from, _)| t == table_new && from == old_column)
            .map(|(_, _, to)| to.clone())
            .unwrap_or_else(|| Name::from(old_column.to_string()))
    }

    fn label_to(&self, enum_new: &str, old_label: &str) -> Name {
        self.labels
            .iter()
            .find(|(e, from, _)| e == enum_new && from == old_label)
            .map(|(_, _, to)| to.clone())
            .unwrap_or_else(|| Name::from(old_label.to_string()))
    }

    /// The statements that perform the renames.
    pub fn statements(&self) -> Vec<Statement> {
        let mut out = Vec::new();
        for (from, to) in &self.enums {
            out.push(Statement::RenameEnum {
                from: from.clone(),
                to: to.clone(),
            });
        }
        for (enum_name, from, to) in &self.labels {
            out.push(Statement::RenameEnumLabel {
                enum_name: enum_name.clone(),
                from: from.clone(),
                to: to.clone(),
            });
        }
        for (from, to) in &self.tables {
            out.push(Statement::RenameTable {
                from: from.clone(),
                to: to.clone(),
            });
        }
        for (table, from, to) in &self.columns {
            out.push(Statement::RenameColumn {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            });
        }
        out
    }

    /// `old` as it is after the renames: every name and every reference to a name updated.
    pub fn apply(&self, old: &Schema) -> Schema {
        let mut s = old.clone();
        for e in s.enums.to_mut() {
            let name = self.enum_to(&e.name);
            let labels: Vec<Name> = e.labels.iter().map(|l| self.label_to(&name, l)).collect();
            e.labels = labels.into();
            e.name = name;
        }
        for t in s.tables.to_mut() {
            self.apply_table(t);
        }
        // A table's grants and owner go with it when it is renamed.
        for g in s.privileges.grants.to_mut() {
            g.table = self.table_to(&g.table);
        }
        for o in s.privileges.table_owners.to_mut() {
            o.table = self.table_to(&o.table);
        }
        s
    }

    fn apply_table(&self, t: &mut TableDef) {
        let old_table = t.name.clone();
        t.name = self.table_to(&t.name);
        let table = t.name.clone();
        for c in t.columns.to_mut() {
            let serial = crate::sql::serial_default(&old_table, &c.name);
            c.name = self.column_to(&table, &c.name);
            // A serial column's sequence is renamed with it (see `constraint_statements`), so
            // its default names the new sequence.
            if matches!(&c.default, Some(ColumnDefault::Expr(e)) if **e == serial) {
                c.default = Some(ColumnDefault::Expr(
                    crate::sql::serial_default(&table, &c.name).into(),
                ));
            }
            if let SqlType::Enum(e) = &c.sql_type {
                let e = self.enum_to(e);
                if let Some(ColumnDefault::EnumLabel(l)) = &c.default {
                    c.default = Some(ColumnDefault::EnumLabel(self.label_to(&e, l)));
                }
                c.sql_type = SqlType::Enum(e);
            }
        }
        t.primary_key = match &t.primary_key {
            PrimaryKey::Column(c) => PrimaryKey::Column(self.column_to(&table, c)),
            PrimaryKey::Composite(cols) => PrimaryKey::Composite(
                cols.iter()
                    .map(|c| self.column_to(&table, c))
                    .collect::<Vec<_>>()
                    .into(),
            ),
        };
        for fk in t.foreign_keys.to_mut() {
            fk.column = self.column_to(&table, &fk.column);
            fk.references_table = self.table_to(&fk.references_table);
            fk.references_column = self.column_to(&fk.references_table, &fk.references_column);
        }
        for index in t.indexes.to_mut() {
            for c in index.columns.to_mut() {
                c.name = self.column_to(&table, &c.name);
            }
        }
    }

    /// Constraint names derive from table and column names, and PostgreSQL keeps the old
    /// ones on a rename; these statements bring them in line with what a fresh build names
    /// them. `old` is the schema before the renames, `renamed` after.
    pub fn constraint_statements(old: &Schema, renamed: &Schema) -> Vec<Statement> {
        let mut out = Vec::new();
        for (before, after) in old.tables.iter().zip(renamed.tables.iter()) {
            let (from, to) = (before.primary_key_name(), after.primary_key_name());
            if from != to {
                out.push(Statement::RenameConstraint {
                    table: after.name.clone(),
                    from,
                    to,
                });
            }
            // PostgreSQL keeps a serial column's sequence name too.
            for (c_before, c_after) in before.columns.iter().zip(after.columns.iter()) {
                let serial = crate::sql::serial_default(&before.name, &c_before.name);
                let is_serial =
                    matches!(&c_before.default, Some(ColumnDefault::Expr(e)) if **e == serial);
                let from = schema_rules::names::owned_sequence(&before.name, &c_before.name);
                let to = schema_rules::names::owned_sequence(&after.name, &c_after.name);
                if is_serial && from != to {
                    out.push(Statement::RenameSequence {
                        from: from.into(),
                        to: to.into(),
                    });
                }
            }
            for (fk_before, fk_after) in before.foreign_keys.iter().zip(after.foreign_keys.iter()) {
                let from = fk_before.constraint_name(&before.name);
                let to = fk_after.constraint_name(&after.name);
                if from != to {
                    out.push(Statement::RenameConstraint {
                        table: after.name.clone(),
                        from,
                        to,
                    });
                }
            }
        }
        out
    }
}

fn lookup(pairs: &[(Name, Name)], from: &str) -> Name {
    pairs
        .iter()
        .find(|(f, _)| f == from)
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| Name::from(from.to_string()))
}

fn lookup_back(pairs: &[(Name, Name)], to: &str) -> Name {
    pairs
        .iter()
        .find(|(_, t)| t == to)
        .map(|(f, _)| f.clone())
        .unwrap_or_else(|| Name::from(to.to_string()))
}
