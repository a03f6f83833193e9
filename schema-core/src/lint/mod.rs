//! `lint`: lock hazards in migration files, generated or written by hand.
//!
//! The SQL is parsed by squawk (`squawk-syntax`), and squawk's own rules (`squawk-linter`)
//! find most hazards: an index built or dropped without CONCURRENTLY on an existing table, a
//! constraint added without NOT VALID, SET NOT NULL without a validated check, a type change,
//! a volatile default. Two rules are this crate's (`lint/scan.rs`): in a migration that runs
//! in one transaction, a statement that scans a table after a statement that took ACCESS
//! EXCLUSIVE (which is then held for the whole scan), and any `CONCURRENTLY`. Each finding names the file, the statement, the lock
//! and the safe form.

mod rules;
mod scan;

pub use rules::Kind;

use crate::files::{Migration, SourceError, SourceProblem, NO_TRANSACTION_MARKER};
use crate::migrate::MigrateError;
use squawk_syntax::ast::AstNode;
use std::fmt;
use std::path::{Path, PathBuf};

/// One hazard in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The migration file, as given to the lint.
    pub file: PathBuf,
    /// 1-based statement number within the file, as the SQL parser counts statements.
    pub statement: usize,
    /// 1-based line where the statement starts.
    pub line: usize,
    /// The statement's first line.
    pub first_line: String,
    /// Which hazard: its code, the lock it takes and the form to write instead.
    pub kind: Kind,
    /// What the parser found, in its words.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: statement {} (line {}) `{}`: {} [{}]\n    lock: {}\n    safe form: {}",
            self.file.display(),
            self.statement,
            self.line,
            self.first_line,
            self.message,
            self.kind.code,
            self.kind.lock,
            self.kind.safe_form
        )
    }
}

/// The findings of a lint run over some files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintReport {
    /// How many files were checked.
    pub files: usize,
    /// Every hazard found, file by file, in statement order.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

impl fmt::Display for LintReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        if self.is_clean() {
            write!(f, "{} file(s) checked: no lock hazard found", self.files)
        } else {
            write!(
                f,
                "{} file(s) checked: {} lock hazard(s)",
                self.files,
                self.findings.len()
            )
        }
    }
}

/// Lints every `NNNN_name.sql` of a migrations folder (read as the runner reads it) and
/// every down (`NNNN_name.down.sql`, as `revert` applies it): a down runs against the same
/// live tables as its migration did.
pub fn lint_dir(dir: impl AsRef<Path>) -> Result<LintReport, MigrateError> {
    lint_folder(dir, true)
}

/// [`lint_dir`], with the downs left out when `downs` is false (`lint --no-downs`).
pub fn lint_folder(dir: impl AsRef<Path>, downs: bool) -> Result<LintReport, MigrateError> {
    let migrator = crate::migrate::Migrator::from_dir(dir)?;
    Ok(lint_migrator(&migrator, downs))
}

/// The migrations of `migrator`, and its downs when `downs` is true.
pub fn lint_migrator(migrator: &crate::migrate::Migrator, downs: bool) -> LintReport {
    let mut files: Vec<&Migration> = migrator.migrations().iter().collect();
    if downs {
        files.extend(migrator.downs());
    }
    LintReport {
        files: files.len(),
        findings: files.into_iter().flat_map(lint_migration).collect(),
    }
}

/// Lints one file; its name need not follow `NNNN_name.sql`.
pub fn lint_file(path: impl AsRef<Path>) -> Result<LintReport, MigrateError> {
    let path = path.as_ref();
    let sql = std::fs::read_to_string(path).map_err(|source| {
        let unreadable = SourceProblem::Unreadable {
            path: path.to_path_buf(),
            source,
        };
        MigrateError::from(SourceError::Problems(vec![unreadable]))
    })?;
    Ok(LintReport {
        files: 1,
        findings: lint_sql(path, &sql),
    })
}

/// The findings in one migration, as the runner would apply it.
pub fn lint_migration(migration: &Migration) -> Vec<Finding> {
    lint_sql(&migration.path, &migration.sql)
}

/// The findings in the SQL text of a migration file (`file` names it in the findings). A text
/// whose first line is `-- schema:no-transaction` is linted as statements that each commit on
/// their own; any other as one transaction, as the runner applies it.
pub fn lint_sql(file: &Path, sql: &str) -> Vec<Finding> {
    let transactional = sql.lines().next().map(str::trim_end) != Some(NO_TRANSACTION_MARKER);
    let parse = squawk_syntax::SourceFile::parse(sql);
    let tree = parse.tree();
    let mut linter = squawk_linter::Linter::with_rules(
        &rules::RULES.iter().map(|(r, _)| *r).collect::<Vec<_>>(),
        &[],
    );
    linter.settings.assume_in_transaction = transactional;
    let mut found: Vec<(usize, Kind, String)> = linter
        .lint(&parse, sql)
        .into_iter()
        .filter_map(|v| {
            let kind = rules::kind(v.code)?;
            Some((usize::from(v.text_range.start()), kind, v.message))
        })
        .collect();
    if transactional {
        found.extend(scan::scans_under_access_exclusive(&tree));
        found.extend(scan::concurrently_in_transaction(&tree));
    }
    // Statements as the parser sees them: a hand-written file need not use breakpoints.
    let statements: Vec<(usize, usize, String)> = tree
        .stmts()
        .map(|stmt| {
            let range = stmt.syntax().text_range();
            let text = stmt.syntax().text().to_string();
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("--"))
                .unwrap_or_default()
                .to_string();
            (usize::from(range.start()), usize::from(range.end()), first)
        })
        .collect();
    let statement_at = |offset: usize| {
        statements
            .iter()
            .position(|(start, end, _)| *start <= offset && offset < *end)
            .or_else(|| {
                statements
                    .iter()
                    .rposition(|(start, _, _)| *start <= offset)
            })
            .unwrap_or(0)
    };
    found.sort_by_key(|(offset, _, _)| *offset);
    // One finding per statement and kind: two squawk rules may report the same hazard.
    found.dedup_by(|a, b| a.1.code == b.1.code && statement_at(a.0) == statement_at(b.0));
    // A primary key or unique constraint cannot be NOT VALID: squawk's generic constraint
    // rule fires on them too, but their own finding gives the safe form.
    let builds_index: Vec<usize> = found
        .iter()
        .filter(|(_, k, _)| k.code.ends_with("-builds-index"))
        .map(|(offset, _, _)| statement_at(*offset))
        .collect();
    found.retain(|(offset, k, _)| {
        k.code != "constraint-without-not-valid" || !builds_index.contains(&statement_at(*offset))
    });
    found
        .into_iter()
        .map(|(offset, kind, message)| {
            let at = statement_at(offset);
            let start = statements.get(at).map_or(offset, |s| s.0);
            Finding {
                file: file.to_path_buf(),
                statement: at + 1,
                line: sql[..start.min(sql.len())].matches('\n').count() + 1,
                first_line: statements.get(at).map(|s| s.2.clone()).unwrap_or_default(),
                kind,
                message,
            }
        })
        .collect()
}
