//! Online forms of a migration: the same catalog at the end, reached without holding a lock
//! that stops a live table's writers for the length of a scan.
//!
//! [`crate::diff`] plans a change as plain statements in one transaction, the way drizzle-kit
//! writes it. For tables that already exist (a table created in the same migration has no rows
//! to protect, so it keeps the plain forms) [`split`] rewrites that plan into up to three
//! migrations:
//! 1. the change itself, in one transaction, with each foreign key added `NOT VALID` (under a
//!    temporary name when it replaces one whose ON DELETE changed, so the old key stays in
//!    force) and each `SET NOT NULL` replaced by a `CHECK (col IS NOT NULL) NOT VALID`;
//! 2. in a second transaction, `VALIDATE CONSTRAINT` for each of them (a scan under SHARE
//!    UPDATE EXCLUSIVE, which lets writers through), and only then the statements that take
//!    ACCESS EXCLUSIVE for an instant: `SET NOT NULL` (no scan: the valid check proves it),
//!    dropping the temporary check, swapping the replaced foreign key;
//! 3. outside a transaction, `DROP INDEX CONCURRENTLY` and `CREATE INDEX CONCURRENTLY`.
//!
//! [`hazards`] lists what still cannot be done online.

mod hazards;

pub use hazards::{hazards, Hazard};

use crate::model::{ConstraintDef, ConstraintKind, Name, Schema, TableDef};
use crate::plan::{OnlineStatement, Statement};
use schema_rules::names;
use std::collections::BTreeSet;

/// One migration file of an online plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// The file's statements, in order.
    pub statements: Vec<Statement>,
    /// False for the file of concurrent index builds (`-- schema:no-transaction`).
    pub transactional: bool,
}

/// Rewrites the plain plan `statements` (from `old` to `new`) into its online parts, in the
/// order they must run. A plan that touches no existing table comes back as one part, as is.
pub fn split(old: &Schema, statements: Vec<Statement>, new: &Schema) -> Vec<Part> {
    let created: BTreeSet<Name> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::CreateTable(t) => Some(t.name.clone()),
            _ => None,
        })
        .collect();
    let existing = |table: &str| !created.contains(table);
    // PostgreSQL builds no index CONCURRENTLY on a partitioned table (it builds one per
    // partition): such an index keeps the plain form.
    let partitioned = |table: &str| {
        new.table(table)
            .is_some_and(|t| t.partition_key().is_some())
    };
    let referenced = referenced_columns(&statements);
    let plain_indexes = indexes_kept_plain(&statements, &existing, &referenced);
    let swapped = swapped_foreign_keys(old, new, &statements, &existing);

    let mut first: Vec<Statement> = Vec::new();
    let mut fills: Vec<Statement> = Vec::new();
    let mut validate: Vec<Statement> = Vec::new();
    let mut finish: Vec<Statement> = Vec::new();
    let mut concurrent: Vec<Statement> = Vec::new();
    let mut attach: Vec<Statement> = Vec::new();
    let retyped = |t: &str, c: &str| {
        statements.iter().any(|s| matches!(s, Statement::AlterColumnType { table, column, .. } if table == t && column == c))
    };
    for s in statements.iter().cloned() {
        match s {
            Statement::CreateIndex { table, index }
                if existing(&table)
                    && !partitioned(&table)
                    && !plain_indexes.contains(&index.name) =>
            {
                concurrent.push(online(OnlineStatement::CreateIndex { table, index }));
            }
            Statement::DropIndex(name) if !plain_indexes.contains(&name) => {
                concurrent.push(online(OnlineStatement::DropIndex(name)));
            }
            Statement::DropConstraint {
                ref table,
                ref name,
            } if swapped.contains(&(table.clone(), name.clone())) => {
                // The old key stays in force until its replacement is valid.
                finish.push(s);
            }
            // A key declared NOT VALID stays so: added as it is, never validated.
            Statement::AddForeignKey { table, foreign_key }
                if existing(&table) && !foreign_key.not_valid =>
            {
                let conventional = foreign_key.constraint_name(&table);
                let name = if swapped.contains(&(table.clone(), conventional.clone())) {
                    let temporary = names::replacement(&conventional);
                    finish.push(Statement::RenameConstraint {
                        table: table.clone(),
                        from: temporary.clone(),
                        to: conventional,
                    });
                    temporary
                } else {
                    conventional
                };
                validate.push(online(OnlineStatement::ValidateConstraint {
                    table: table.clone(),
                    name: name.clone(),
                }));
                first.push(online(OnlineStatement::AddForeignKeyNotValid {
                    table,
                    name,
                    foreign_key,
                }));
            }
            // A check is added NOT VALID and validated with writers let through; a unique
            // constraint over an index built CONCURRENTLY, then attached without a scan.
            Statement::AddConstraint { table, constraint }
                if existing(&table) && !constraint.not_valid =>
            {
                match constraint.kind {
                    ConstraintKind::Check => {
                        validate.push(online(OnlineStatement::ValidateConstraint {
                            table: table.clone(),
                            name: constraint.name.to_string(),
                        }));
                        first.push(Statement::AddConstraint {
                            table,
                            constraint: ConstraintDef {
                                not_valid: true,
                                ..constraint
                            },
                        });
                    }
                    ConstraintKind::Unique
                        if constraint.deferrable.is_none()
                            && crate::sql::unique_key(&constraint.definition).is_some()
                            && !referenced_unique(&referenced, &table, &constraint) =>
                    {
                        attach.push(online(OnlineStatement::AddUniqueUsingIndex {
                            table: table.clone(),
                            name: constraint.name.clone(),
                        }));
                        concurrent.push(online(OnlineStatement::CreateConstraintIndex {
                            table,
                            constraint,
                        }));
                    }
                    _ => first.push(Statement::AddConstraint { table, constraint }),
                }
            }
            Statement::SetNotNull { table, column } if existing(&table) => {
                let name = names::not_null_check(&table, &column);
                first.push(online(OnlineStatement::AddNotNullCheck {
                    table: table.clone(),
                    column: column.clone(),
                    name: name.clone(),
                }));
                validate.push(online(OnlineStatement::ValidateConstraint {
                    table: table.clone(),
                    name: name.clone(),
                }));
                finish.push(Statement::SetNotNull {
                    table: table.clone(),
                    column,
                });
                finish.push(Statement::DropConstraint { table, name });
            }
            // Validating a constraint declared valid again scans with writers let through; in
            // the second transaction, after what the first one locks.
            Statement::Online(OnlineStatement::ValidateConstraint { .. }) => validate.push(s),
            // Filling NULLs scans the table: done before anything of the transaction takes an
            // ACCESS EXCLUSIVE lock (only renames, which it needs, go first), so writers wait
            // for at most the rows it changes. After a type change it must follow the change.
            Statement::FillNulls {
                ref table,
                ref column,
                ..
            } if existing(table) && !retyped(table, column) => fills.push(s),
            other => first.push(other),
        }
    }
    if !fills.is_empty() {
        let at = first
            .iter()
            .position(|s| !is_rename(s))
            .unwrap_or(first.len());
        first.splice(at..at, fills);
    }
    let second: Vec<Statement> = validate.into_iter().chain(finish).collect();
    [
        (first, true),
        (second, true),
        (concurrent, false),
        (attach, true),
    ]
    .into_iter()
    .filter(|(statements, _)| !statements.is_empty())
    .map(|(statements, transactional)| Part {
        statements,
        transactional,
    })
    .collect()
}

/// The (table, column) pairs the foreign keys added by `statements` reference: a unique
/// index or constraint on one of them must exist before the key, in its transaction.
fn referenced_columns(statements: &[Statement]) -> BTreeSet<(&str, &str)> {
    statements
        .iter()
        .filter_map(|s| match s {
            Statement::AddForeignKey { foreign_key, .. } => Some((
                &*foreign_key.references_table,
                &*foreign_key.references_column,
            )),
            _ => None,
        })
        .collect()
}

/// Whether `constraint`, a unique constraint of `table`, is over one column a new foreign key
/// references: the key needs it first, so it is added in the plain form.
fn referenced_unique(
    referenced: &BTreeSet<(&str, &str)>,
    table: &str,
    constraint: &ConstraintDef,
) -> bool {
    let Some((_, key)) = crate::sql::unique_key(&constraint.definition) else {
        return false;
    };
    let columns = crate::sql::printed_identifiers(&key[1..key.len() - 1], ", ");
    matches!(columns.as_deref(), Some([column]) if referenced.contains(&(table, column.as_str())))
}

fn online(s: OnlineStatement) -> Statement {
    Statement::Online(s)
}

fn is_rename(s: &Statement) -> bool {
    matches!(
        s,
        Statement::RenameTable { .. }
            | Statement::RenameColumn { .. }
            | Statement::RenameEnum { .. }
            | Statement::RenameEnumLabel { .. }
            | Statement::RenameConstraint { .. }
            | Statement::RenameIndex { .. }
    )
}

/// Index changes that stay in the transaction: those on tables created here, and a unique
/// single-column index that a foreign key added in the same migration references (the key
/// needs the index before the concurrent build could run). A changed index is dropped and
/// created again under one name, so both halves stay together.
fn indexes_kept_plain(
    statements: &[Statement],
    existing: &dyn Fn(&str) -> bool,
    referenced: &BTreeSet<(&str, &str)>,
) -> BTreeSet<Name> {
    statements
        .iter()
        .filter_map(|s| match s {
            Statement::CreateIndex { table, index }
                if !existing(table)
                    || (index.unique
                        && index.columns.len() == 1
                        && referenced.contains(&(&**table, &*index.columns[0].name))) =>
            {
                Some(index.name.clone())
            }
            _ => None,
        })
        .collect()
}

/// Foreign keys dropped and added again under the same name only because their ON DELETE
/// changed: the new one is added under a temporary name and validated while the old one stays
/// in force. A key rebuilt because its column, the referenced column, key or unique index is
/// rebuilt must go first, and keeps the plain order (dropped first, added `NOT VALID`).
fn swapped_foreign_keys(
    old: &Schema,
    new: &Schema,
    statements: &[Statement],
    existing: &dyn Fn(&str) -> bool,
) -> BTreeSet<(Name, String)> {
    let dropped: BTreeSet<(&str, &str)> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::DropConstraint { table, name } => Some((&**table, name.as_str())),
            _ => None,
        })
        .collect();
    let mut swapped = BTreeSet::new();
    for s in statements {
        let Statement::AddForeignKey { table, foreign_key } = s else {
            continue;
        };
        let name = foreign_key.constraint_name(table);
        if !existing(table) || !dropped.contains(&(&**table, name.as_str())) {
            continue;
        }
        let on_delete_changed = old_table(old, new, table).is_some_and(|t| {
            t.foreign_keys.iter().any(|f| {
                (f.on_delete != foreign_key.on_delete || f.on_update != foreign_key.on_update)
                    && same_column(new, table, &f.column, &foreign_key.column)
            })
        });
        if !on_delete_changed {
            continue;
        }
        let (rt, rc) = (
            &*foreign_key.references_table,
            &*foreign_key.references_column,
        );
        let rebuilt = statements.iter().any(|s| match s {
            Statement::AlterColumnType {
                table: t,
                column: c,
                ..
            } => (t == table && *c == foreign_key.column) || (t == rt && c == rc),
            Statement::AddPrimaryKey { table: t, .. } => t == rt,
            Statement::CreateIndex { table: t, index } => t == rt && index.unique,
            Statement::DropIndex(index) => old_table(old, new, rt)
                .is_some_and(|t| t.indexes.iter().any(|i| i.name == *index && i.unique)),
            _ => false,
        });
        if !rebuilt {
            swapped.insert((table.clone(), name));
        }
    }
    swapped
}

/// The table of `old` that `new`'s table `name` was (under its old name if it was renamed).
pub(crate) fn old_table<'a>(old: &'a Schema, new: &Schema, name: &str) -> Option<&'a TableDef> {
    old.table(name).or_else(|| {
        let from = new.table(name)?.renamed_from.as_deref()?;
        old.table(from)
    })
}

/// Whether `old_column` of the old table is `new_column` of `new`'s table (renames followed).
fn same_column(new: &Schema, table: &str, old_column: &str, new_column: &str) -> bool {
    old_column == new_column
        || new
            .table(table)
            .and_then(|t| t.column(new_column))
            .and_then(|c| c.renamed_from.as_deref())
            == Some(old_column)
}
