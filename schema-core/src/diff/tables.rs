//! Table changes: columns, primary keys, foreign keys and indexes of tables that exist on
//! both sides, and tables created or dropped.

use super::confirm::Confirmation;
use super::lookup::Tables;
use super::phases::{Change, Context, Phases};
use super::types::{conversion, Conversion};
use crate::model::{
    ColumnDef, ConstraintDef, ConstraintKind, ForeignKeyDef, IndexDef, Name, PrimaryKey, TableDef,
};
use crate::plan::{Creation, OnlineStatement, Statement};
use crate::sql::sql_type;

pub(super) fn diff_tables(ctx: &Context, p: &mut Phases, change: &mut Change) {
    let cur_tables = Tables::of(&ctx.cur);
    // New enums and tables are created as `plan_create` creates them, each phase among the
    // change's own.
    let created = Creation::of(
        (ctx.new.enums.iter()).filter(|e| ctx.cur.enum_def(&e.name).is_none()),
        (ctx.new.tables.iter()).filter(|t| !cur_tables.contains(&t.name)),
    )
    .drawing_from(&ctx.new.sequences);
    p.enum_create.extend(created.types);
    p.create_table.extend(created.tables);
    p.add_fk.extend(created.foreign_keys);
    p.create_index.extend(created.indexes);
    p.attach.extend(created.partitions);
    // Partitions are dropped before the tables they are partitions of, whose drop would
    // take them along.
    let mut dropping: Vec<&TableDef> = Vec::new();
    for t in ctx.cur.tables.iter() {
        match ctx.new_tables.get(&t.name) {
            Some(n) => diff_table(ctx, t, n, p, change),
            None => dropping.push(t),
        }
    }
    dropping.sort_by_key(|t| t.partition_of().is_none());
    for t in dropping {
        // Its keys go first: a key it holds on another dropped table, or on a primary key or
        // unique index rebuilt in this migration, would block those drops.
        for fk in t.foreign_keys.iter() {
            p.drop_fk.push(Statement::DropConstraint {
                table: t.name.clone(),
                name: fk.constraint_name(&t.name),
            });
        }
        p.drop_table.push(Statement::DropTable(t.name.clone()));
        change.destructive.push(Confirmation::loses_data(
            format!("drop-table:{}", t.name),
            format!("drops the table `{}`: every row of it is lost", t.name),
        ));
    }
}

/// A table that becomes a partition, stops being one, or moves to other bounds: detached
/// first (its rows stay in it, no longer read through the parent), attached last (which
/// checks every row against the bounds). Partitioning a table otherwise (`partition_by`) is
/// refused by the diff of changes: PostgreSQL cannot partition a table that exists.
fn diff_partition(cur: &TableDef, new: &TableDef, p: &mut Phases, change: &mut Change) {
    if cur.partition == new.partition {
        return;
    }
    let t = &new.name;
    if let Some((parent, _)) = cur.partition_of() {
        p.drop_fk.push(Statement::DetachPartition {
            parent: parent.clone().into(),
            table: t.clone(),
        });
        change.destructive.push(Confirmation::loses_data(
            format!("detach-partition:{t}"),
            format!(
                "detaches `{t}` from `{parent}`: its rows stay in `{t}` and are no longer read \
                 through `{parent}`"
            ),
        ));
    }
    if let Some(attach) = crate::plan::attach(new) {
        if let Statement::AttachPartition { parent, bound, .. } = &attach {
            change.destructive.push(Confirmation::may_fail(
                format!("attach-partition:{t}"),
                format!(
                    "attaches `{t}` to `{parent}` {bound}: every row of `{t}` is checked \
                     against the bounds, and one outside them makes the migration fail"
                ),
            ));
        }
        p.attach.push(attach);
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
            change.destructive.push(Confirmation::may_fail(format!("add-not-null-column:{t}.{}", c.name), format!("adds the NOT NULL column `{t}.{}` without a default: fails if `{t}` has rows; give it a default, or add it nullable, fill it in a custom migration, then make it NOT NULL", c.name)));
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
                change.destructive.push(Confirmation::loses_data(
                    format!("drop-column:{t}.{}", c.name),
                    format!(
                        "drops the column `{t}.{}`: its value in every row is lost",
                        c.name
                    ),
                ));
            }
        }
    }
    if cur.primary_key == new.primary_key {
        let (from, to) = (cur.primary_key_name(), new.primary_key_name());
        if from != to {
            p.drop_pk.push(Statement::RenameConstraint {
                table: t.clone(),
                from,
                to,
            });
        }
    } else {
        // A table without a key has no constraint to drop, or gets none.
        if !cur.primary_key_columns().is_empty() {
            p.drop_pk.push(Statement::DropConstraint {
                table: t.clone(),
                name: cur.primary_key_name(),
            });
        }
        let columns = match &new.primary_key {
            PrimaryKey::Column(c) => vec![c.clone()],
            PrimaryKey::Composite(cols) => cols.to_vec(),
        };
        if !columns.is_empty() {
            p.add_pk.push(Statement::AddPrimaryKey {
                table: t.clone(),
                name: new.primary_key_name(),
                columns,
            });
        }
    }
    rename_hints(cur, new, change);
    if cur.partition_key().is_none() && new.partition_key().is_none() {
        diff_partition(cur, new, p, change);
    }
    diff_foreign_keys(ctx, cur, new, p);
    diff_indexes(cur, new, p);
    diff_constraints(cur, new, p);
}

/// Unique, check and exclusion constraints, matched by name; one whose definition changed is
/// dropped and added again.
fn diff_constraints(cur: &TableDef, new: &TableDef, p: &mut Phases) {
    let t = &new.name;
    let mut validated = Vec::new();
    for c in cur.constraints.iter() {
        let kept = new.constraints.iter().find(|n| n.name == c.name);
        if let Some(n) = kept.filter(|n| {
            validates(c.not_valid, n.not_valid)
                && **n
                    == ConstraintDef {
                        not_valid: false,
                        ..c.clone()
                    }
        }) {
            p.create_index.push(validate(t, &n.name));
            validated.push(&n.name);
            continue;
        }
        if kept != Some(c) {
            p.drop_fk.push(Statement::DropConstraint {
                table: t.clone(),
                name: c.name.to_string(),
            });
        }
    }
    for n in new
        .constraints
        .iter()
        .filter(|n| !validated.contains(&&n.name))
    {
        if cur.constraints.iter().find(|c| c.name == n.name) != Some(n) {
            let add = Statement::AddConstraint {
                table: t.clone(),
                constraint: n.clone(),
            };
            // A foreign key added in the same migration may rely on a new unique constraint:
            // it goes before the keys, as a key does.
            match n.kind {
                ConstraintKind::Unique => p.add_pk.push(add),
                _ => p.create_index.push(add),
            }
        }
    }
}

/// Whether a constraint added `NOT VALID` is declared validated now: `VALIDATE CONSTRAINT`
/// checks the rows there without taking it away for a moment. The other way, a validated
/// constraint declared `not_valid`, it is dropped and added again `NOT VALID` (PostgreSQL
/// cannot mark a constraint unchecked), which is how a down gives back the state before.
fn validates(was_not_valid: bool, is_not_valid: bool) -> bool {
    was_not_valid && !is_not_valid
}

/// `ALTER TABLE .. VALIDATE CONSTRAINT ..`: a scan under SHARE UPDATE EXCLUSIVE, which lets
/// writers through.
fn validate(table: &Name, name: &str) -> Statement {
    Statement::Online(OnlineStatement::ValidateConstraint {
        table: table.clone(),
        name: name.to_string(),
    })
}

/// A column dropped and another of the same type added in one table is often a rename that
/// was not declared: say how to declare it, since the drop loses the column's data.
fn rename_hints(cur: &TableDef, new: &TableDef, change: &mut Change) {
    let t = &new.name;
    for dropped in cur.columns.iter().filter(|c| new.column(&c.name).is_none()) {
        for added in new.columns.iter().filter(|c| cur.column(&c.name).is_none()) {
            if added.sql_type == dropped.sql_type {
                change.hints.push(format!(
                    "`{t}.{}` is dropped and `{t}.{}` of the same type ({}) added: if it is a \
                     rename, declare it on the field, `#[column(renamed_from = \"{}\")]` (in a \
                     schema built by hand: `renamed_from: Some(\"{}\".into())` on the column), \
                     and the data is kept",
                    dropped.name,
                    added.name,
                    sql_type(&added.sql_type),
                    dropped.name,
                    dropped.name
                ));
            }
        }
    }
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
        let using = match conversion(&cur.sql_type, &new.sql_type, &ctx.cur, ctx.new) {
            Conversion::Implicit => None,
            Conversion::Cast(u) => Some(u),
            Conversion::Lossy { using, loss } => {
                change.destructive.push(Confirmation::loses_data(
                    format!("change-type:{t}.{c}"),
                    format!(
                        "changes `{t}.{c}` from {} to {}: {loss}",
                        sql_type(&cur.sql_type),
                        sql_type(&new.sql_type)
                    ),
                ));
                Some(using)
            }
            Conversion::Refused(why) => {
                change.refused.push(format!(
                    "cannot change `{t}.{c}` from {} to {}: {why}",
                    sql_type(&cur.sql_type),
                    sql_type(&new.sql_type)
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
    if cur.generated != new.generated {
        change.refused.push(format!(
            "cannot change how `{t}.{c}` is generated in place (PostgreSQL 15 has no ALTER for it): drop the column in one migration and add it again in the next"
        ));
    }
    if cur.collation != new.collation {
        change.refused.push(format!(
            "cannot change the collation of `{t}.{c}` yet: add a column with the new collation, copy the values over, and drop the old one"
        ));
    }
    match (cur.identity, new.identity) {
        (None, Some(identity)) => p.alter_column.push(Statement::AddIdentity {
            table: t.clone(),
            column: c.clone(),
            identity,
        }),
        (Some(_), None) => p.alter_column.push(Statement::DropIdentity {
            table: t.clone(),
            column: c.clone(),
        }),
        (Some(a), Some(b)) if a != b => p.alter_column.push(Statement::SetIdentity {
            table: t.clone(),
            column: c.clone(),
            identity: b,
        }),
        _ => {}
    }
    if cur.nullable && !new.nullable {
        match &new.default {
            Some(d) => p.alter_column.push(Statement::FillNulls { table: t.clone(), column: c.clone(), default: d.clone() }),
            None => change.destructive.push(Confirmation::may_fail(format!("set-not-null:{t}.{c}"), format!("sets NOT NULL on `{t}.{c}`, which has no default: fails if a row holds NULL; fill the NULLs first in a custom migration before this one (`generate --custom --name backfill_{t}_{c}`; from code: `GenerateOptions {{ custom: true, .. }}`)"))),
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
    a.columns() == b.columns()
        && a.references_table == b.references_table
        && a.references_columns() == b.references_columns()
}

fn diff_foreign_keys(ctx: &Context, cur: &TableDef, new: &TableDef, p: &mut Phases) {
    let t = &new.name;
    for fk in cur.foreign_keys.iter() {
        let kept = new.foreign_keys.iter().find(|n| same_target(fk, n));
        // Only the name differs: renamed in place, the key stays in force.
        let renamed = kept.filter(|n| {
            n.constraint_name(t) != fk.constraint_name(t)
                && ForeignKeyDef {
                    name: n.name.clone(),
                    ..fk.clone()
                } == **n
        });
        let rebuilt = ctx.rebuilt(t, fk);
        let validated = kept.filter(|n| {
            validates(fk.not_valid, n.not_valid)
                && **n
                    == ForeignKeyDef {
                        not_valid: false,
                        ..fk.clone()
                    }
        });
        if let (Some(n), false) = (validated, rebuilt) {
            p.create_index.push(validate(t, &n.constraint_name(t)));
            continue;
        }
        let unchanged = kept.is_some_and(|n| n == fk || renamed.is_some()) && !rebuilt;
        if let (true, Some(n)) = (unchanged, renamed) {
            p.drop_fk.push(Statement::RenameConstraint {
                table: t.clone(),
                from: fk.constraint_name(t),
                to: n.constraint_name(t),
            });
        }
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

/// The same index but for its name (and whether a failed build left it invalid).
fn same_definition(a: &IndexDef, b: &IndexDef) -> bool {
    a.unique == b.unique
        && a.columns == b.columns
        && a.method() == b.method()
        && a.predicate == b.predicate
        && a.include == b.include
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
