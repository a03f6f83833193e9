//! Changes to existing tables that no online form avoids: written as they are, and listed
//! with the lock they take, what it blocks, and whether the table is rewritten or scanned, so
//! the reviewer decides with the facts.

use super::old_table;
use crate::model::{ColumnDefault, ConstraintKind, Name, Schema, SqlType};
use crate::plan::Statement;
use crate::render;
use crate::sql::sql_type;
use std::collections::BTreeSet;
use std::fmt;

/// One statement that holds a blocking lock for as long as PostgreSQL works through a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hazard {
    /// The table the statement works on.
    pub table: String,
    /// The statement as written in the migration.
    pub statement: String,
    /// The lock it takes, e.g. `ACCESS EXCLUSIVE`.
    pub lock: &'static str,
    /// What that lock blocks while it is held.
    pub blocks: &'static str,
    /// What PostgreSQL does to the table meanwhile: `rewritten` or `scanned`.
    pub work: &'static str,
    /// Why the change cannot be made online, and what to do instead if it matters.
    pub note: String,
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}`: takes {} on `{}` (blocks {}) while the table is {}; {}",
            self.statement, self.lock, self.table, self.blocks, self.work, self.note
        )
    }
}

const ACCESS_EXCLUSIVE: &str = "ACCESS EXCLUSIVE";
const READS_AND_WRITES: &str = "reads and writes";

/// The hazards among the statements of a migration from `old` to `new`, in order.
pub fn hazards(old: &Schema, statements: &[Statement], new: &Schema) -> Vec<Hazard> {
    let created: BTreeSet<&Name> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::CreateTable(t) => Some(&t.name),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for s in statements {
        let hazard = |table: &Name, lock, blocks, work, note: String| Hazard {
            table: table.to_string(),
            statement: render::statement(s),
            lock,
            blocks,
            work,
            note,
        };
        match s {
            Statement::AlterColumnType {
                table,
                column,
                sql_type: to,
                ..
            } if !created.contains(table) => {
                let from = old_table(old, new, table).and_then(|t| {
                    let renamed = new
                        .table(table)
                        .and_then(|n| n.column(column))
                        .and_then(|c| c.renamed_from.as_deref());
                    t.column(column).or_else(|| t.column(renamed?))
                });
                let from = from.map(|c| c.sql_type.clone());
                if from.as_ref().is_some_and(|from| !rewrites(from, to)) {
                    continue;
                }
                let was = from.map(|t| sql_type(&t)).unwrap_or_else(|| "?".into());
                out.push(hazard(
                    table,
                    ACCESS_EXCLUSIVE,
                    READS_AND_WRITES,
                    "rewritten and its indexes rebuilt",
                    format!(
                        "{was} to {} is not binary-compatible; to avoid the outage, add a new column, fill it in batches and switch to it",
                        sql_type(to)
                    ),
                ));
            }
            Statement::AddColumn { table, column }
                if !created.contains(table) && column.default.as_ref().is_some_and(is_volatile) =>
            {
                out.push(hazard(
                    table,
                    ACCESS_EXCLUSIVE,
                    READS_AND_WRITES,
                    "rewritten",
                    format!(
                        "the default {} is volatile, so every existing row gets its own value; to avoid the outage, add the column without a default, set the default, then fill existing rows in batches",
                        crate::sql::default(column.default.as_ref().expect("checked above"))
                    ),
                ));
            }
            Statement::AddPrimaryKey { table, .. } if !created.contains(table) => {
                out.push(hazard(
                    table,
                    ACCESS_EXCLUSIVE,
                    READS_AND_WRITES,
                    "scanned to build the key's unique index",
                    "to avoid the outage, build a unique index CONCURRENTLY first and add the key with USING INDEX".into(),
                ));
            }
            Statement::AddConstraint { table, constraint }
                if !created.contains(table) && !constraint.not_valid =>
            {
                let (work, note) = match constraint.kind {
                    ConstraintKind::Unique => (
                        "scanned to build the constraint's unique index",
                        "a foreign key added in the same migration needs this unique constraint, so it is built inside the transaction",
                    ),
                    _ => (
                        "scanned to check every row",
                        "to avoid the outage, add it NOT VALID and validate it in a later migration",
                    ),
                };
                out.push(hazard(
                    table,
                    ACCESS_EXCLUSIVE,
                    READS_AND_WRITES,
                    work,
                    note.into(),
                ));
            }
            Statement::CreateIndex { table, .. } if !created.contains(table) => {
                let partitioned = new
                    .table(table)
                    .is_some_and(|t| t.partition_key().is_some());
                let note = if partitioned {
                    "PostgreSQL builds no index CONCURRENTLY on a partitioned table; to avoid the outage, build it CONCURRENTLY on each partition, create it ON ONLY the parent and attach each one (ALTER INDEX .. ATTACH PARTITION) in a custom migration"
                } else {
                    "a foreign key added in the same migration needs this unique index, so it is built inside the transaction"
                };
                out.push(hazard(
                    table,
                    "SHARE",
                    "writes",
                    "scanned to build the index",
                    note.into(),
                ));
            }
            Statement::AttachPartition { table, .. } if !created.contains(table) => {
                out.push(hazard(
                    table,
                    ACCESS_EXCLUSIVE,
                    READS_AND_WRITES,
                    "scanned to check every row against the bounds",
                    "to avoid the outage, add a CHECK constraint that matches the bounds NOT VALID and validate it in an earlier migration: PostgreSQL then skips the scan".into(),
                ));
            }
            _ => {}
        }
    }
    out
}

/// Whether changing a column from `from` to `to` rewrites the table. Only widening a varchar
/// or turning it into text is binary-compatible among the types the schema knows.
fn rewrites(from: &SqlType, to: &SqlType) -> bool {
    match (from, to) {
        (SqlType::Varchar(_) | SqlType::Text, SqlType::Text) => false,
        (SqlType::Varchar(a), SqlType::Varchar(b)) => b < a,
        _ => true,
    }
}

/// `now()` is stable (one value for the statement, stored once in the catalog: no rewrite);
/// `gen_random_uuid()` is volatile.
fn is_volatile(default: &ColumnDefault) -> bool {
    matches!(default, ColumnDefault::GenRandomUuid)
}
