//! The change between two schemas, as migrations: the snapshot of the last migration on one
//! side, the schema in code on the other.
//!
//! Renames come from the code (`renamed_from`, `renamed_labels`), never from a prompt, so
//! generation runs unattended. Changes that lose data are refused unless confirmed; type
//! changes get an explicit cast or a refusal. A label added to an enum cannot be used in the
//! transaction that adds it, so such a change is written as two migrations.

mod changes;
mod changes_keys;
mod changes_objects;
mod changes_privileges;
mod confirm;
mod enums;
mod lookup;
mod phases;
mod renames;
mod reverse;
mod schema_change;
mod single;
mod tables;
mod types;

pub use changes::changes;
pub use confirm::{Confirmation, Refusal, Risk};
pub use phases::Change;
pub use reverse::{reverse_steps, reverse_target};
pub use schema_change::{ObjectKind, SchemaChange};
pub use single::diff;
pub use types::{conversion, Conversion};

use crate::model::{ColumnDefault, Name, Schema};
use crate::plan::{plan_create, Statement};
use renames::Renames;

/// The changes a migration from `old` (none: an empty database) to `new` makes, in the words
/// `verify` uses for the same differences. Renames declared in code are applied first, so a
/// renamed table or column reads as the same one, not as a drop and an add.
pub fn planned_changes(old: Option<&Schema>, new: &Schema) -> Vec<SchemaChange> {
    match old {
        Some(old) => changes(&Renames::resolve(old, new).apply(old), new),
        None => changes(
            &Schema {
                pg_schema: new.pg_schema.clone(),
                ..Schema::default()
            },
            new,
        ),
    }
}

/// Choices that change what a diff may contain.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// Write changes that lose data instead of refusing them.
    pub allow_destructive: bool,
    /// Keys of single changes to write although they need confirmation
    /// (`drop-column:users.bio`); see [`Confirmation::key`].
    pub allow: Vec<String>,
    /// Only the plain forms, in one transaction per step, never the online ones (downs run in
    /// one transaction, and revert is not done under load).
    pub plain: bool,
}

/// One migration to write: its statements and the schema it leads to. The parts of one
/// online change (see [`crate::online`]) all lead to the same schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The migration's statements, in the order they run.
    pub statements: Vec<Statement>,
    /// The schema once the migration is applied; written as the migration's snapshot.
    pub snapshot: Schema,
    /// False for a migration that must run outside a transaction (`-- schema:no-transaction`).
    pub transactional: bool,
    /// Its statements that take a blocking lock for the length of a scan or rewrite.
    pub hazards: Vec<crate::online::Hazard>,
}

/// The online parts of the plain change `statements` from `old` to `snapshot`.
fn online_steps(old: &Schema, statements: Vec<Statement>, snapshot: Schema) -> Vec<Step> {
    crate::online::split(old, statements, &snapshot)
        .into_iter()
        .map(|part| Step {
            hazards: crate::online::hazards(old, &part.statements, &snapshot),
            statements: part.statements,
            snapshot: snapshot.clone(),
            transactional: part.transactional,
        })
        .collect()
}

/// The migrations that turn `old` (none: an empty database) into `new`; empty when there is
/// nothing to do. In a PostgreSQL schema other than `public`, each migration starts by
/// setting the search path to it.
pub fn steps(
    old: Option<&Schema>,
    new: &Schema,
    options: &DiffOptions,
) -> Result<Vec<Step>, Refusal> {
    if let Some(old) = old.filter(|old| old.pg_schema != new.pg_schema) {
        return Err(Refusal {
            destructive: Vec::new(),
            unknown_keys: Vec::new(),
            hints: Vec::new(),
            impossible: vec![format!(
                "the tables move from the PostgreSQL schema `{}` to `{}`: write that migration \
                 by hand (ALTER TABLE .. SET SCHEMA, ALTER TYPE .. SET SCHEMA)",
                old.pg_schema, new.pg_schema
            )],
        });
    }
    let mut steps = steps_in_schema(old, new, options)?;
    if old.is_some() && !new.is_public() {
        for step in &mut steps {
            step.statements
                .insert(0, Statement::UseSchema(new.pg_schema.clone()));
        }
    }
    Ok(steps)
}

fn steps_in_schema(
    old: Option<&Schema>,
    new: &Schema,
    options: &DiffOptions,
) -> Result<Vec<Step>, Refusal> {
    let Some(old) = old else {
        let mut statements = plan_create(new);
        let empty = Schema {
            pg_schema: new.pg_schema.clone(),
            ..Schema::default()
        };
        statements.extend(changes_privileges::statements(&empty, new));
        return Ok(vec![Step {
            statements,
            snapshot: new.clone(),
            transactional: true,
            hazards: Vec::new(),
        }]);
    };
    let mut change = diff(old, new);
    change.refused.extend(
        changes(&Renames::resolve(old, new).apply(old), new)
            .into_iter()
            .filter(|c| !c.can_be_generated())
            .map(|c| {
                format!(
                    "{c}: generate cannot write this kind of change yet; write it in a custom \
                     migration (`generate --custom`)"
                )
            }),
    );
    let destructive: Vec<Confirmation> = if options.allow_destructive {
        Vec::new()
    } else {
        (change.destructive.iter())
            .filter(|c| !options.allow.contains(&c.key))
            .cloned()
            .collect()
    };
    let unknown_keys: Vec<String> = (options.allow.iter())
        .filter(|key| !change.destructive.iter().any(|c| &c.key == *key))
        .cloned()
        .collect();
    if !destructive.is_empty() || !change.refused.is_empty() || !unknown_keys.is_empty() {
        return Err(Refusal {
            destructive,
            impossible: change.refused,
            unknown_keys,
            hints: change.hints,
        });
    }
    if change.statements.is_empty() {
        return Ok(Vec::new());
    }
    let split = |old: &Schema, statements: Vec<Statement>, snapshot: Schema| {
        if options.plain {
            vec![Step {
                statements,
                snapshot,
                transactional: true,
                hazards: Vec::new(),
            }]
        } else {
            online_steps(old, statements, snapshot)
        }
    };
    if !uses_added_labels(&change.statements, new) {
        return Ok(split(old, change.statements, new.clone()));
    }
    let middle = labels_added(old, new);
    let first = diff(old, &middle).statements;
    let second = diff(&middle, new).statements;
    let mut steps = split(old, first, middle.clone());
    steps.extend(split(&middle, second, new.clone()));
    Ok(steps)
}

/// Whether a statement uses a label that an earlier statement of the same list adds to an
/// existing enum: PostgreSQL refuses that until the `ADD VALUE` is committed.
fn uses_added_labels(statements: &[Statement], new: &Schema) -> bool {
    let added = enums::added_labels(statements);
    if added.is_empty() {
        return false;
    }
    let new_tables = lookup::Tables::of(new);
    let column_enum = |table: &str, column: &str| -> Option<Name> {
        match &new_tables.get(table)?.column(column)?.sql_type {
            crate::model::SqlType::Enum(e) => Some(e.clone()),
            _ => None,
        }
    };
    let uses = |table: &str, column: &str, default: Option<&ColumnDefault>| match default {
        Some(ColumnDefault::EnumLabel(label)) => {
            column_enum(table, column).is_some_and(|e| added.contains(&(e, label.clone())))
        }
        _ => false,
    };
    statements.iter().any(|s| match s {
        Statement::CreateTable(t) => t
            .columns
            .iter()
            .any(|c| uses(&t.name, &c.name, c.default.as_ref())),
        Statement::AddColumn { table, column } => {
            uses(table, &column.name, column.default.as_ref())
        }
        Statement::SetDefault {
            table,
            column,
            default,
        }
        | Statement::FillNulls {
            table,
            column,
            default,
        } => uses(table, column, Some(default)),
        _ => false,
    })
}

/// `old` after the renames and label additions of the change to `new`, and nothing else: the
/// schema between the two migrations of a split change. It keeps `new`'s rename hints so that
/// the first migration can be generated again from the two snapshots.
fn labels_added(old: &Schema, new: &Schema) -> Schema {
    let mut middle = Renames::resolve(old, new).apply(old);
    for e in middle.enums.to_mut() {
        let Some(target) = new.enum_def(&e.name) else {
            continue;
        };
        if let enums::EnumChange::Added(_) = enums::change(e, target) {
            e.labels = target.labels.clone();
        }
        e.renamed_from = target.renamed_from.clone();
        e.renamed_labels = target.renamed_labels.clone();
    }
    let new_tables = lookup::Tables::of(new);
    for t in middle.tables.to_mut() {
        let Some(target) = new_tables.get(&t.name) else {
            continue;
        };
        t.renamed_from = target.renamed_from.clone();
        for c in t.columns.to_mut() {
            c.renamed_from = target.column(&c.name).and_then(|n| n.renamed_from.clone());
        }
    }
    middle
}
