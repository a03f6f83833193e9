//! One migration's statements between two schemas, grouped in phases whose order always
//! applies: renames first (everything after speaks the new names), then what must go before
//! things are removed, removals, rebuilt enums, additions, alterations, and last the foreign
//! keys and indexes, whose targets then all exist.

use super::enums::{self, EnumChange};
use super::lookup::Tables;
use super::renames::Renames;
use super::types::{conversion, Conversion};
use crate::model::{ColumnDef, ForeignKeyDef, IndexDef, Name, Schema, SqlType, TableDef};
use crate::plan::Statement;
use std::collections::BTreeSet;

/// The statements of one migration, and the changes in it that need the user's word.
#[derive(Debug, Default)]
pub struct Change {
    pub statements: Vec<Statement>,
    /// Changes that lose data (or can fail on existing rows), each with what is lost.
    pub destructive: Vec<String>,
    /// Changes that cannot be written safely at all.
    pub refused: Vec<String>,
}

#[derive(Default)]
struct Phases {
    renames: Vec<Statement>,
    enum_create: Vec<Statement>,
    enum_add: Vec<Statement>,
    drop_fk: Vec<Statement>,
    drop_index: Vec<Statement>,
    drop_pk: Vec<Statement>,
    drop_table: Vec<Statement>,
    drop_column: Vec<Statement>,
    enum_rebuild: Vec<Statement>,
    create_table: Vec<Statement>,
    add_column: Vec<Statement>,
    alter_column: Vec<Statement>,
    add_pk: Vec<Statement>,
    drop_enum: Vec<Statement>,
    add_fk: Vec<Statement>,
    create_index: Vec<Statement>,
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
            self.add_fk,
            self.create_index,
        ]
        .concat()
    }
}

/// Facts about the whole change that single tables need: a foreign key must be dropped and
/// re-added when what it depends on (its columns' types, the referenced key or unique index)
/// is rebuilt.
struct Context<'a> {
    cur: Schema,
    new: &'a Schema,
    new_tables: Tables<'a>,
    retyped: BTreeSet<(Name, Name)>,
    key_changed: BTreeSet<Name>,
    unique_changed: BTreeSet<(Name, Name)>,
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
    diff_tables(&ctx, &mut phases, &mut change);
    change.statements = phases.into_statements();
    change
}

fn diff_enums(ctx: &mut Context, p: &mut Phases, change: &mut Change) {
    for e in ctx.new.enums.iter() {
        if ctx.cur.enum_def(&e.name).is_none() {
            p.enum_create.push(Statement::CreateEnum(e.clone()));
        }
    }
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
                    let labels: Vec<String> = removed.iter().map(|l| format!("'{l}'")).collect();
                    let used = if columns.is_empty() {
                        "no column uses the type".to_string()
                    } else {
                        format!("rows of {} holding them make the migration fail until they are changed", columns.join(", "))
                    };
                    change.destructive.push(format!(
                        "removes {} from enum `{}`: {used}",
                        labels.join(", "),
                        e.name
                    ));
                }
            }
        }
    }
}

/// Rebuilds an enum whose labels were removed or reordered: its columns go to text, the type
/// is dropped and created anew, and the columns come back to it (a label that is gone makes
/// the cast fail, inside the migration's transaction). Returns the columns, as `table.column`.
fn rebuild_enum(ctx: &mut Context, target: &crate::model::EnumDef, p: &mut Phases) -> Vec<String> {
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
                using: Some(format!("{}::text", crate::render::ident(&c))),
            });
            if new_column.sql_type == column.sql_type {
                let using = format!(
                    "{}::{}",
                    crate::render::ident(&c),
                    crate::render::sql_type(&column.sql_type)
                );
                back.push(Statement::AlterColumnType {
                    table: t,
                    column: c,
                    sql_type: column.sql_type.clone(),
                    using: Some(using),
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
    fn rebuilt(&self, table: &str, fk: &ForeignKeyDef) -> bool {
        let col = (Name::from(table.to_string()), fk.column.clone());
        let target = (fk.references_table.clone(), fk.references_column.clone());
        self.retyped.contains(&col)
            || self.retyped.contains(&target)
            || self.key_changed.contains(&fk.references_table)
            || self.unique_changed.contains(&target)
    }
}

fn diff_tables(ctx: &Context, p: &mut Phases, change: &mut Change) {
    let cur_tables = Tables::of(&ctx.cur);
    for t in ctx.new.tables.iter() {
        if !cur_tables.contains(&t.name) {
            p.create_table.push(Statement::CreateTable(t.clone()));
            p.add_fk
                .extend(t.foreign_keys.iter().map(|fk| Statement::AddForeignKey {
                    table: t.name.clone(),
                    foreign_key: fk.clone(),
                }));
            p.create_index
                .extend(t.indexes.iter().map(|i| Statement::CreateIndex {
                    table: t.name.clone(),
                    index: i.clone(),
                }));
        }
    }
    for t in ctx.cur.tables.iter() {
        match ctx.new_tables.get(&t.name) {
            Some(n) => diff_table(ctx, t, n, p, change),
            None => {
                // Its keys go first: a key it holds on another dropped table, or on a primary
                // key or unique index rebuilt in this migration, would block those drops.
                for fk in t.foreign_keys.iter() {
                    p.drop_fk.push(Statement::DropConstraint {
                        table: t.name.clone(),
                        name: fk.constraint_name(&t.name),
                    });
                }
                p.drop_table.push(Statement::DropTable(t.name.clone()));
                change.destructive.push(format!(
                    "drops the table `{}`: every row of it is lost",
                    t.name
                ));
            }
        }
    }
}

fn diff_table(ctx: &Context, cur: &TableDef, new: &TableDef, p: &mut Phases, change: &mut Change) {
    let t = &new.name;
    for c in new.columns.iter().filter(|c| cur.column(&c.name).is_none()) {
        p.add_column.push(Statement::AddColumn {
            table: t.clone(),
            column: c.clone(),
        });
        if !c.nullable && c.default.is_none() {
            change.destructive.push(format!("adds the NOT NULL column `{t}.{}` without a default: the migration fails if `{t}` has rows", c.name));
        }
    }
    for c in cur.columns.iter() {
        match new.column(&c.name) {
            Some(n) => diff_column(ctx, t, c, n, p, change),
            None => {
                p.drop_column.push(Statement::DropColumn {
                    table: t.clone(),
                    column: c.name.clone(),
                });
                change.destructive.push(format!(
                    "drops the column `{t}.{}`: its value in every row is lost",
                    c.name
                ));
            }
        }
    }
    if cur.primary_key != new.primary_key {
        p.drop_pk.push(Statement::DropConstraint {
            table: t.clone(),
            name: cur.primary_key_name(),
        });
        let columns = match &new.primary_key {
            crate::model::PrimaryKey::Column(c) => vec![c.clone()],
            crate::model::PrimaryKey::Composite(cols) => cols.to_vec(),
        };
        p.add_pk.push(Statement::AddPrimaryKey {
            table: t.clone(),
            name: new.primary_key_name(),
            columns,
        });
    }
    diff_foreign_keys(ctx, cur, new, p);
    diff_indexes(cur, new, p);
}

fn diff_column(
    ctx: &Context,
    t: &Name,
    cur: &ColumnDef,
    new: &ColumnDef,
    p: &mut Phases,
    change: &mut Change,
) {
    let c = &new.name;
    let mut default = cur.default.clone();
    if cur.sql_type != new.sql_type {
        let using = match conversion(c, &cur.sql_type, &new.sql_type, &ctx.cur, ctx.new) {
            Conversion::Implicit => None,
            Conversion::Cast(u) => Some(u),
            Conversion::Lossy { using, loss } => {
                change.destructive.push(format!(
                    "changes `{t}.{c}` from {} to {}: {loss}",
                    crate::render::sql_type(&cur.sql_type),
                    crate::render::sql_type(&new.sql_type)
                ));
                Some(using)
            }
            Conversion::Refused(why) => {
                change.refused.push(format!(
                    "cannot change `{t}.{c}` from {} to {}: {why}",
                    crate::render::sql_type(&cur.sql_type),
                    crate::render::sql_type(&new.sql_type)
                ));
                None
            }
        };
        // An old default may not cast to the new type; it is set again afterwards.
        if default.take().is_some() {
            p.alter_column.push(Statement::DropDefault {
                table: t.clone(),
                column: c.clone(),
            });
        }
        p.alter_column.push(Statement::AlterColumnType {
            table: t.clone(),
            column: c.clone(),
            sql_type: new.sql_type.clone(),
            using,
        });
    }
    if default != new.default {
        p.alter_column.push(match &new.default {
            Some(d) => Statement::SetDefault {
                table: t.clone(),
                column: c.clone(),
                default: d.clone(),
            },
            None => Statement::DropDefault {
                table: t.clone(),
                column: c.clone(),
            },
        });
    }
    if cur.nullable && !new.nullable {
        match &new.default {
            Some(d) => p.alter_column.push(Statement::FillNulls { table: t.clone(), column: c.clone(), default: d.clone() }),
            None => change.destructive.push(format!("sets NOT NULL on `{t}.{c}`, which has no default: the migration fails if a row holds NULL there")),
        }
        p.alter_column.push(Statement::SetNotNull {
            table: t.clone(),
            column: c.clone(),
        });
    } else if !cur.nullable && new.nullable {
        p.alter_column.push(Statement::DropNotNull {
            table: t.clone(),
            column: c.clone(),
        });
    }
}

fn same_target(a: &ForeignKeyDef, b: &ForeignKeyDef) -> bool {
    a.column == b.column
        && a.references_table == b.references_table
        && a.references_column == b.references_column
}

fn diff_foreign_keys(ctx: &Context, cur: &TableDef, new: &TableDef, p: &mut Phases) {
    let t = &new.name;
    for fk in cur.foreign_keys.iter() {
        let kept = new.foreign_keys.iter().find(|n| same_target(fk, n));
        let unchanged = kept.is_some_and(|n| n.on_delete == fk.on_delete && !ctx.rebuilt(t, fk));
        if !unchanged {
            p.drop_fk.push(Statement::DropConstraint {
                table: t.clone(),
                name: fk.constraint_name(t),
            });
            if let Some(n) = kept {
                p.add_fk.push(Statement::AddForeignKey {
                    table: t.clone(),
                    foreign_key: n.clone(),
                });
            }
        }
    }
    for fk in new
        .foreign_keys
        .iter()
        .filter(|n| !cur.foreign_keys.iter().any(|c| same_target(c, n)))
    {
        p.add_fk.push(Statement::AddForeignKey {
            table: t.clone(),
            foreign_key: fk.clone(),
        });
    }
}

fn same_definition(a: &IndexDef, b: &IndexDef) -> bool {
    a.unique == b.unique && a.columns == b.columns
}

/// Indexes are matched by name; an index that only changed its name is renamed, not rebuilt.
fn diff_indexes(cur: &TableDef, new: &TableDef, p: &mut Phases) {
    let t = &new.name;
    let mut gone: Vec<&IndexDef> = Vec::new();
    for i in cur.indexes.iter() {
        match new.indexes.iter().find(|n| n.name == i.name) {
            Some(n) if same_definition(i, n) => {}
            Some(n) => {
                p.drop_index.push(Statement::DropIndex(i.name.clone()));
                p.create_index.push(Statement::CreateIndex {
                    table: t.clone(),
                    index: n.clone(),
                });
            }
            None => gone.push(i),
        }
    }
    for n in new
        .indexes
        .iter()
        .filter(|n| !cur.indexes.iter().any(|i| i.name == n.name))
    {
        match gone.iter().position(|i| same_definition(i, n)) {
            Some(at) => {
                let old = gone.remove(at);
                p.drop_index.push(Statement::RenameIndex {
                    from: old.name.clone(),
                    to: n.name.clone(),
                });
            }
            None => p.create_index.push(Statement::CreateIndex {
                table: t.clone(),
                index: n.clone(),
            }),
        }
    }
    for i in gone {
        p.drop_index.push(Statement::DropIndex(i.name.clone()));
    }
}
