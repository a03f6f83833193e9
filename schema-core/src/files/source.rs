//! Reading `migrations/`: file names give the order, `--> statement-breakpoint` lines split
//! statements (so a failure can name the statement), and the SHA-256 of the file's bytes is
//! what the ledger remembers.

use std::path::{Path, PathBuf};

use super::markers::{NO_TRANSACTION_MARKER, STATEMENT_BREAKPOINT};

use sha2::{Digest, Sha256};

use super::lex;
use super::names::{self, SkippedFile};
use super::problem::{SourceError, SourceProblem};

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
    pub statements: Vec<MigrationStatement>,
    /// SHA-256 of its down (`NNNN_name.down.sql`), recorded in the ledger so that `revert`
    /// notices a down edited after the migration was applied; none without a down or when
    /// the down holds no statement yet.
    pub down_checksum: Option<String>,
}

/// One statement of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatement {
    /// 1-based position among the migration's statements.
    pub number: usize,
    /// 1-based line in the file where the statement's text starts.
    pub line: usize,
    /// The text sent to the server, trimmed, without the breakpoint marker.
    pub sql: String,
}

impl Migration {
    /// `NNNN_name`: the file name without its extension, shared by a migration and its down.
    pub fn tag(&self) -> &str {
        let name = self.name.as_str();
        (name.strip_suffix(crate::sql::DOWN_EXTENSION))
            .or_else(|| name.strip_suffix(crate::sql::SQL_EXTENSION))
            .unwrap_or(name)
    }
}

impl MigrationStatement {
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
pub(crate) fn read_dir(dir: &Path) -> Result<Folder, SourceError> {
    if !dir.is_dir() {
        return Err(SourceError::DirMissing {
            path: dir.to_path_buf(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(|source| SourceError::ReadDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| SourceError::ReadDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            continue;
        }
        files.push(path);
    }
    // Only migrations and downs are read; the other files are judged by name alone.
    let mut listing = names::list(files);
    let mut contents = Vec::new();
    for named in listing.ups.iter().chain(&listing.downs) {
        match std::fs::read(&named.path) {
            Ok(bytes) => contents.push((named.path.clone(), bytes)),
            Err(source) => listing.problems.push(SourceProblem::Unreadable {
                path: named.path.clone(),
                source,
            }),
        }
    }
    read_listing(listing, contents)
}

/// The folder's files already in memory (embedded in the program by `embed_migrations!`):
/// the same names, checks and order as a folder read at run time.
pub(crate) fn from_files(files: Vec<(PathBuf, Vec<u8>)>) -> Result<Folder, SourceError> {
    let listing = names::list(files.iter().map(|(path, _)| path.clone()));
    read_listing(listing, files)
}

/// The migrations and downs of `listing`, parsed from `contents` (the bytes of each file
/// read; one missing was unreadable, which is already among the problems).
fn read_listing(
    listing: names::Listing,
    contents: Vec<(PathBuf, Vec<u8>)>,
) -> Result<Folder, SourceError> {
    let mut problems = listing.problems;
    let mut contents: std::collections::HashMap<PathBuf, Vec<u8>> = contents.into_iter().collect();
    let mut parse = |named: names::Named| {
        let bytes = contents.remove(&named.path)?;
        match parse_file(&named.path, named.version, named.file_name, bytes) {
            Ok(m) => {
                problems.extend(lint(&m));
                Some(m)
            }
            Err(problem) => {
                problems.push(problem);
                None
            }
        }
    };
    let mut folder = Folder {
        migrations: listing.ups.into_iter().filter_map(&mut parse).collect(),
        downs: listing.downs.into_iter().filter_map(&mut parse).collect(),
        skipped: listing.skipped,
    };
    for m in &mut folder.migrations {
        let down = crate::sql::down_file(m.tag());
        m.down_checksum = (folder.downs.iter())
            .find(|d| d.name == down && !d.statements.is_empty())
            .map(|d| d.checksum.clone());
    }
    if problems.is_empty() {
        Ok(folder)
    } else {
        Err(SourceError::Problems(problems))
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
fn split_top_level(sql: &str) -> Vec<MigrationStatement> {
    lex::statements(sql)
        .into_iter()
        .enumerate()
        .map(|(index, top)| MigrationStatement {
            number: index + 1,
            line: lex::line_of(sql, top.offset),
            sql: top.text.trim().to_string(),
        })
        .collect()
}

/// Splits on lines that are, or end with, the breakpoint marker. drizzle-kit writes the
/// marker after the statement's semicolon on the same line (`);--> statement-breakpoint`);
/// hand-written files put it on a line of its own; both are accepted.
pub fn split_statements(sql: &str) -> Vec<MigrationStatement> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    let push = |text: &mut String, start: usize, statements: &mut Vec<MigrationStatement>| {
        if !is_blank(text) {
            let offset = text.lines().take_while(|l| l.trim().is_empty()).count();
            statements.push(MigrationStatement {
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
