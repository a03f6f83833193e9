//! Reading `migrations/`: file names give the order, `--> statement-breakpoint` lines split
//! statements (so a failure can name the statement), and the SHA-256 of the file's bytes is
//! what the ledger remembers.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::{MigrateError, SourceProblem};
use super::lex;
use super::names::{self, FileKind, SkippedFile};

/// The line that separates statements, as drizzle-kit writes it.
pub const STATEMENT_BREAKPOINT: &str = "--> statement-breakpoint";

/// A first line that makes a migration run outside a transaction.
pub const NO_TRANSACTION_MARKER: &str = "-- schema:no-transaction";

/// One migration file, read and split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The numeric prefix of the file name: the migration's position.
    pub version: i64,
    /// The file name, e.g. `0000_initial.sql`.
    pub name: String,
    /// Where the file was read from.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub checksum: String,
    /// Whether the migration runs inside one transaction (the default).
    pub transactional: bool,
    /// The file's text.
    pub sql: String,
    /// The statements in file order.
    pub statements: Vec<Statement>,
    /// SHA-256 of its down (`NNNN_name.down.sql`), recorded in the ledger so that `revert`
    /// notices a down edited after the migration was applied; none without a down or when
    /// the down holds no statement yet.
    pub down_checksum: Option<String>,
}

/// One statement of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// 1-based position among the migration's statements.
    pub number: usize,
    /// 1-based line in the file where the statement's text starts.
    pub line: usize,
    /// The text sent to the server, trimmed, without the breakpoint marker.
    pub sql: String,
}

impl Statement {
    /// The file line of a character position (1-based, as the server reports it) within
    /// this statement's text.
    pub fn line_at(&self, position: usize) -> usize {
        let offset = self
            .sql
            .char_indices()
            .nth(position.saturating_sub(1))
            .map_or(self.sql.len(), |(i, _)| i);
        self.line + lex::line_of(&self.sql, offset) - 1
    }

    /// The first line that is not blank and not a comment: what a reader recognises.
    pub fn first_line(&self) -> &str {
        self.sql
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("--"))
            .or_else(|| self.sql.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("")
    }
}

/// What a migrations folder holds: the migrations, their downs (`NNNN_name.down.sql`) and
/// the files skipped with a reason.
#[derive(Debug, Default)]
pub(crate) struct Folder {
    pub migrations: Vec<Migration>,
    pub downs: Vec<Migration>,
    pub skipped: Vec<SkippedFile>,
}

/// Reads every `NNNN_name.sql` in `dir` (subfolders such as `meta/` and files that are not
/// SQL are ignored), ordered by number. All problems with the folder are reported together.
pub(crate) fn read_dir(dir: &Path) -> Result<Folder, MigrateError> {
    if !dir.is_dir() {
        return Err(MigrateError::DirMissing {
            path: dir.to_path_buf(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|source| MigrateError::ReadDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| MigrateError::ReadDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            continue;
        }
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // Only migrations and downs are read; other files are classified by name alone.
        let bytes = match names::classify(&file_name) {
            FileKind::Up(_) | FileKind::Down(_) => match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(source) => {
                    problems.push(SourceProblem::Unreadable { path, source });
                    continue;
                }
            },
            _ => Vec::new(),
        };
        files.push((path, bytes));
    }
    from_files(files, problems)
}

/// The folder's files already in memory (read from the folder, or embedded in the program by
/// `embed_migrations!`): the same names, checks and order whichever way they came.
pub(crate) fn from_files(
    files: Vec<(PathBuf, Vec<u8>)>,
    mut problems: Vec<SourceProblem>,
) -> Result<Folder, MigrateError> {
    let mut folder = Folder::default();
    for (path, bytes) in files {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (version, list) = match names::classify(&file_name) {
            FileKind::Up(version) => (version, &mut folder.migrations),
            FileKind::Down(version) => (version, &mut folder.downs),
            FileKind::BadName => {
                problems.push(SourceProblem::BadName { path });
                continue;
            }
            FileKind::WrongCase => {
                problems.push(SourceProblem::WrongCase { path });
                continue;
            }
            FileKind::Skipped(reason) => {
                folder.skipped.push(SkippedFile { path, reason });
                continue;
            }
            FileKind::Other => continue,
        };
        match parse_file(&path, version, file_name, bytes) {
            Ok(m) => {
                problems.extend(lint(&m));
                list.push(m);
            }
            Err(problem) => problems.push(problem),
        }
    }
    for list in [&mut folder.migrations, &mut folder.downs] {
        list.sort_by(|a, b| a.version.cmp(&b.version).then(a.name.cmp(&b.name)));
        for pair in list.windows(2) {
            if pair[0].version == pair[1].version {
                problems.push(SourceProblem::DuplicateVersion {
                    first: pair[0].path.clone(),
                    second: pair[1].path.clone(),
                });
            }
        }
    }
    folder.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    // A down belongs to the migration of the same name; one that matches none would never
    // run, or run for the wrong migration.
    for d in &folder.downs {
        let up = d.name.replace(".down.sql", ".sql");
        if !folder.migrations.iter().any(|m| m.name == up) {
            problems.push(SourceProblem::OrphanDown {
                path: d.path.clone(),
                up,
            });
        }
    }
    for m in &mut folder.migrations {
        let down = m.name.replace(".sql", ".down.sql");
        m.down_checksum = (folder.downs.iter())
            .find(|d| d.name == down && !d.statements.is_empty())
            .map(|d| d.checksum.clone());
    }
    if problems.is_empty() {
        Ok(folder)
    } else {
        Err(MigrateError::Source(problems))
    }
}

fn parse_file(
    path: &Path,
    version: i64,
    name: String,
    bytes: Vec<u8>,
) -> Result<Migration, SourceProblem> {
    let checksum = hex::encode(Sha256::digest(&bytes));
    let sql = String::from_utf8(bytes).map_err(|_| SourceProblem::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    let transactional = sql.lines().next().map(str::trim_end) != Some(NO_TRANSACTION_MARKER);
    let statements = if transactional && !has_breakpoints(&sql) {
        // A hand-written file without breakpoints: its statements are found the way psql
        // finds them, so a failure names its own line, not the file's first.
        split_top_level(&sql)
    } else {
        split_statements(&sql)
    };
    Ok(Migration {
        version,
        name,
        path: path.to_path_buf(),
        checksum,
        transactional,
        sql,
        statements,
        down_checksum: None,
    })
}

/// What the runner refuses before running anything: transaction control inside a
/// transactional migration (it would commit half of it without its ledger row), and several
/// statements between two breakpoints of a no-transaction one (sent as one message, they
/// run in one implicit transaction, which is what the marker asked to avoid).
fn lint(m: &Migration) -> Vec<SourceProblem> {
    let mut problems = Vec::new();
    if m.transactional {
        for top in lex::statements(&m.sql) {
            if top.transaction_control() {
                problems.push(SourceProblem::TransactionControl {
                    path: m.path.clone(),
                    line: lex::line_of(&m.sql, top.offset),
                    statement: first_line_of(top.text),
                });
            }
        }
        return problems;
    }
    for statement in &m.statements {
        let tops = lex::statements(&statement.sql);
        if let Some(second) = tops.get(1) {
            problems.push(SourceProblem::Unsplit {
                path: m.path.clone(),
                statement: statement.number,
                line: statement.line + lex::line_of(&statement.sql, second.offset) - 1,
            });
        }
    }
    problems
}

fn first_line_of(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_string()
}

fn has_breakpoints(sql: &str) -> bool {
    sql.lines()
        .any(|l| l.trim_end().ends_with(STATEMENT_BREAKPOINT))
}

/// One statement per top-level statement of the file, each with the line it starts on.
fn split_top_level(sql: &str) -> Vec<Statement> {
    lex::statements(sql)
        .into_iter()
        .enumerate()
        .map(|(index, top)| Statement {
            number: index + 1,
            line: lex::line_of(sql, top.offset),
            sql: top.text.trim().to_string(),
        })
        .collect()
}

/// Splits on lines that are, or end with, the breakpoint marker. drizzle-kit writes the
/// marker after the statement's semicolon on the same line (`);--> statement-breakpoint`);
/// hand-written files put it on a line of its own; both are accepted.
pub fn split_statements(sql: &str) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    let push = |text: &mut String, start: usize, statements: &mut Vec<Statement>| {
        if !is_blank(text) {
            let offset = text.lines().take_while(|l| l.trim().is_empty()).count();
            statements.push(Statement {
                number: statements.len() + 1,
                line: start + offset,
                sql: text.trim().to_string(),
            });
        }
        text.clear();
    };
    for (index, line) in sql.lines().enumerate() {
        let trimmed = line.trim_end();
        if let Some(before) = trimmed.strip_suffix(STATEMENT_BREAKPOINT) {
            current.push_str(before);
            push(&mut current, start_line, &mut statements);
            start_line = index + 2;
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    push(&mut current, start_line, &mut statements);
    statements
}

/// Only whitespace and `--` comment lines: nothing for the server to run.
fn is_blank(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with("--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_breakpoint_styles_split_and_lines_are_counted() {
        let sql = "CREATE TABLE a ();--> statement-breakpoint\n\
                   CREATE TABLE b ();\n\
                   --> statement-breakpoint\n\
                   \n\
                   -- a comment\n\
                   CREATE TABLE c ();\n";
        let statements = split_statements(sql);
        let lines: Vec<_> = statements.iter().map(|s| (s.number, s.line)).collect();
        assert_eq!(lines, vec![(1, 1), (2, 2), (3, 5)]);
        assert_eq!(statements[0].sql, "CREATE TABLE a ();");
        assert_eq!(statements[2].first_line(), "CREATE TABLE c ();");
    }

    #[test]
    fn comment_only_chunks_are_not_statements() {
        let sql = "-- schema:no-transaction\n--> statement-breakpoint\nSELECT 1;\n";
        let statements = split_statements(sql);
        assert_eq!(statements.len(), 1);
        assert_eq!((statements[0].number, statements[0].line), (1, 3));
    }
}
