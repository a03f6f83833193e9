//! Reading `migrations/`: file names give the order, `--> statement-breakpoint` lines split
//! statements (so a failure can name the statement), and the SHA-256 of the file's bytes is
//! what the ledger remembers.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::{MigrateError, SourceProblem};

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
}

/// One statement of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// 1-based position among the migration's statements.
    pub number: usize,
    /// 1-based line in the file where the statement's text starts.
    pub line: usize,
    pub sql: String,
}

impl Statement {
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

/// Reads every `NNNN_name.sql` in `dir` (subfolders such as `meta/` and other files are
/// ignored), ordered by number. All problems with the folder are reported together.
pub fn read_dir(dir: &Path) -> Result<Vec<Migration>, MigrateError> {
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
        let is_sql = path.extension().is_some_and(|e| e == "sql");
        if !is_sql || path.is_dir() {
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) => files.push((path, bytes)),
            Err(source) => problems.push(SourceProblem::Unreadable { path, source }),
        }
    }
    from_files(files, problems)
}

/// Migrations from files already in memory (read from a folder, or embedded in the binary by
/// `embed_migrations!`): the same names, checks and order as [`read_dir`].
pub fn from_files(
    files: Vec<(PathBuf, Vec<u8>)>,
    mut problems: Vec<SourceProblem>,
) -> Result<Vec<Migration>, MigrateError> {
    let mut migrations = Vec::new();
    for (path, bytes) in files {
        match parse_file(&path, bytes) {
            Ok(m) => migrations.push(m),
            Err(problem) => problems.push(problem),
        }
    }
    migrations.sort_by(|a, b| a.version.cmp(&b.version).then(a.name.cmp(&b.name)));
    for pair in migrations.windows(2) {
        if pair[0].version == pair[1].version {
            problems.push(SourceProblem::DuplicateVersion {
                first: pair[0].path.clone(),
                second: pair[1].path.clone(),
            });
        }
    }
    if problems.is_empty() {
        Ok(migrations)
    } else {
        Err(MigrateError::Source(problems))
    }
}

fn parse_file(path: &Path, bytes: Vec<u8>) -> Result<Migration, SourceProblem> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let version = parse_name(&name).ok_or_else(|| SourceProblem::BadName {
        path: path.to_path_buf(),
    })?;
    let checksum = hex::encode(Sha256::digest(&bytes));
    let sql = String::from_utf8(bytes).map_err(|_| SourceProblem::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    let transactional = sql.lines().next().map(str::trim_end) != Some(NO_TRANSACTION_MARKER);
    let statements = split_statements(&sql);
    Ok(Migration {
        version,
        name,
        path: path.to_path_buf(),
        checksum,
        transactional,
        sql,
        statements,
    })
}

/// `NNNN_name.sql` with at least four digits and a name of letters, digits, `_` or `-`; the
/// name ends up in messages and in the ledger, so nothing that needs quoting is allowed.
fn parse_name(file_name: &str) -> Option<i64> {
    let stem = file_name.strip_suffix(".sql")?;
    let (digits, name) = stem.split_once('_')?;
    let valid_digits = digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit());
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !(valid_digits && valid_name) {
        return None;
    }
    digits.parse().ok()
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
    fn names_need_four_digits_and_a_plain_name() {
        assert_eq!(parse_name("0000_initial.sql"), Some(0));
        assert_eq!(parse_name("0012_add-index.sql"), Some(12));
        assert_eq!(parse_name("10000_big.sql"), Some(10000));
        assert_eq!(parse_name("12_short.sql"), None);
        assert_eq!(parse_name("0001_.sql"), None);
        assert_eq!(parse_name("0001_has space.sql"), None);
        assert_eq!(parse_name("0001_quote'.sql"), None);
        assert_eq!(parse_name("initial.sql"), None);
    }

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
