//! Compares the ledger with the migrations folder. History is immutable: a changed, vanished
//! or renamed applied migration, or a pending one older than what is applied, stops the run
//! before anything is applied (drizzle-kit skips the last silently and never checks the
//! first).

use std::collections::BTreeMap;

use super::error::HistoryProblem;
use super::ledger::LedgerRow;
use crate::files::source::Migration;

/// Where one migration stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Applied, and the file is as it was.
    Applied {
        /// When, in UTC, RFC 3339.
        applied_at: String,
        /// How long applying it took, in milliseconds.
        duration_ms: f64,
        /// Where its history came from when `adopt` recorded it instead of applying it.
        adopted_from: Option<String>,
    },
    /// Not applied yet, and newer than every applied migration.
    Pending,
    /// Refused: see the problem.
    Problem(HistoryProblem),
}

/// One line of a status listing.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusEntry {
    /// The migration's number.
    pub version: i64,
    /// The file name (for a migration whose file is gone: the name the ledger recorded).
    pub name: String,
    /// Applied, pending, or why it is refused.
    pub state: State,
}

impl StatusEntry {
    /// A one-word label: applied, pending, modified, missing, renamed, out-of-order.
    pub fn label(&self) -> &'static str {
        match &self.state {
            State::Applied {
                adopted_from: Some(_),
                ..
            } => "adopted",
            State::Applied { .. } => "applied",
            State::Pending => "pending",
            State::Problem(HistoryProblem::Modified { .. }) => "modified",
            State::Problem(HistoryProblem::Missing { .. }) => "missing",
            State::Problem(HistoryProblem::Renamed { .. }) => "renamed",
            State::Problem(HistoryProblem::OutOfOrder { .. }) => "out-of-order",
        }
    }
}

/// Every migration in the folder or the ledger, in order, with its state.
pub fn status(migrations: &[Migration], ledger: &[LedgerRow]) -> Vec<StatusEntry> {
    let applied: BTreeMap<i64, &LedgerRow> = ledger.iter().map(|r| (r.version, r)).collect();
    let newest_applied = ledger.iter().max_by_key(|r| r.version);
    let mut entries: Vec<StatusEntry> = migrations
        .iter()
        .map(|m| StatusEntry {
            version: m.version,
            name: m.name.clone(),
            state: file_state(m, applied.get(&m.version).copied(), newest_applied),
        })
        .collect();
    let in_folder: BTreeMap<i64, ()> = migrations.iter().map(|m| (m.version, ())).collect();
    entries.extend(
        ledger
            .iter()
            .filter(|r| !in_folder.contains_key(&r.version))
            .map(|r| StatusEntry {
                version: r.version,
                name: r.name.clone(),
                state: State::Problem(HistoryProblem::Missing {
                    name: r.name.clone(),
                }),
            }),
    );
    entries.sort_by_key(|e| e.version);
    entries
}

fn file_state(m: &Migration, row: Option<&LedgerRow>, newest: Option<&LedgerRow>) -> State {
    match row {
        Some(row) if row.name != m.name => State::Problem(HistoryProblem::Renamed {
            version: m.version,
            applied: row.name.clone(),
            file: m.name.clone(),
        }),
        Some(row) if row.checksum != m.checksum => State::Problem(HistoryProblem::Modified {
            name: m.name.clone(),
            applied: row.checksum.clone(),
            file: m.checksum.clone(),
        }),
        Some(row) => State::Applied {
            applied_at: row.applied_at.clone(),
            duration_ms: row.duration_ms,
            adopted_from: row.adopted_from.clone(),
        },
        None => match newest {
            Some(newest) if newest.version > m.version => {
                State::Problem(HistoryProblem::OutOfOrder {
                    name: m.name.clone(),
                    newest_applied: newest.name.clone(),
                })
            }
            _ => State::Pending,
        },
    }
}

/// The migrations to apply, in order, or every reason not to apply any.
pub fn pending<'a>(
    migrations: &'a [Migration],
    ledger: &[LedgerRow],
) -> Result<Vec<&'a Migration>, Vec<HistoryProblem>> {
    let entries = status(migrations, ledger);
    let problems: Vec<HistoryProblem> = entries
        .iter()
        .filter_map(|e| match &e.state {
            State::Problem(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let pending: Vec<i64> = entries
        .iter()
        .filter(|e| e.state == State::Pending)
        .map(|e| e.version)
        .collect();
    Ok(migrations
        .iter()
        .filter(|m| pending.contains(&m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::source::split_statements;

    fn file(version: i64, name: &str, checksum: &str) -> Migration {
        Migration {
            version,
            name: name.into(),
            path: name.into(),
            checksum: checksum.into(),
            transactional: true,
            sql: String::new(),
            statements: split_statements(""),
            down_checksum: None,
        }
    }

    fn row(version: i64, name: &str, checksum: &str) -> LedgerRow {
        LedgerRow {
            version,
            name: name.into(),
            checksum: checksum.into(),
            applied_at: String::new(),
            duration_ms: 1.0,
            down_checksum: None,
            adopted_from: None,
        }
    }

    #[test]
    fn newer_files_are_pending_in_order() {
        let files = [file(0, "0000_a.sql", "x"), file(1, "0001_b.sql", "y")];
        let pending = pending(&files, &[row(0, "0000_a.sql", "x")]).unwrap();
        assert_eq!(pending.iter().map(|m| m.version).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let files = [
            file(0, "0000_a.sql", "changed"),
            file(1, "0001_older.sql", "z"),
            file(3, "0003_renamed.sql", "w"),
        ];
        let ledger = [
            row(0, "0000_a.sql", "x"),
            row(2, "0002_gone.sql", "y"),
            row(3, "0003_c.sql", "w"),
        ];
        let labels: Vec<_> = status(&files, &ledger).iter().map(|e| e.label()).collect();
        assert_eq!(labels, ["modified", "out-of-order", "missing", "renamed"]);
        assert_eq!(pending(&files, &ledger).unwrap_err().len(), 4);
    }
}
