//! Which files of a migrations folder are migrations. A file that looks meant for the runner
//! but is not one (an editor's lock or backup file, `.SQL` in capitals) is named, never
//! skipped without a word: a migration that silently does not run is worse than an error.

use std::fmt;
use std::path::PathBuf;

/// What a file name says about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `NNNN_name.sql`: a migration, with its number.
    Up(i64),
    /// `NNNN_name.down.sql`: the reverse of migration `NNNN` (used by `revert`).
    Down(i64),
    /// Ends in `.sql` but is not named `NNNN_name.sql`.
    BadName,
    /// `.SQL`, `.Sql`..: meant as a migration, but the runner reads `.sql` only.
    WrongCase,
    /// Looks like a copy of a migration made by a tool (an editor's lock, swap or backup
    /// file): skipped, and reported as skipped.
    Skipped(&'static str),
    /// Anything else (a README, `.gitkeep`): not the runner's business.
    Other,
}

/// A file the runner did not read although its name mentions SQL; reported with the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    /// The file.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: &'static str,
}

impl fmt::Display for SkippedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "skipped `{}`: {}; delete it if it is not a migration",
            self.path.display(),
            self.reason
        )
    }
}

pub(crate) fn classify(file_name: &str) -> FileKind {
    let editor = file_name.starts_with('.') || file_name.starts_with('#');
    if let Some(stem) = file_name.strip_suffix(".down.sql") {
        return match parse_stem(stem) {
            Some(version) if !editor => FileKind::Down(version),
            _ if editor => FileKind::Skipped("an editor's lock or hidden file"),
            _ => FileKind::BadName,
        };
    }
    if let Some(stem) = file_name.strip_suffix(".sql") {
        return match parse_stem(stem) {
            Some(version) => FileKind::Up(version),
            None if editor => FileKind::Skipped("an editor's lock or hidden file"),
            None => FileKind::BadName,
        };
    }
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".sql") && !editor {
        return FileKind::WrongCase;
    }
    if lower.contains(".sql") {
        return FileKind::Skipped("not a `.sql` file (an editor's backup or swap file?)");
    }
    FileKind::Other
}

/// The number of `NNNN_name` (at least four digits, then letters, digits, `_` or `-`); the
/// name ends up in messages and in the ledger, so nothing that needs quoting is allowed.
pub(crate) fn parse_stem(stem: &str) -> Option<i64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_need_four_digits_and_a_plain_name() {
        assert_eq!(classify("0000_initial.sql"), FileKind::Up(0));
        assert_eq!(classify("0012_add-index.sql"), FileKind::Up(12));
        assert_eq!(classify("10000_big.sql"), FileKind::Up(10000));
        assert_eq!(classify("12_short.sql"), FileKind::BadName);
        assert_eq!(classify("0001_.sql"), FileKind::BadName);
        assert_eq!(classify("0001_has space.sql"), FileKind::BadName);
        assert_eq!(classify("0001_quote'.sql"), FileKind::BadName);
        assert_eq!(classify("initial.sql"), FileKind::BadName);
    }

    #[test]
    fn downs_editor_files_and_capitals_are_told_apart() {
        assert_eq!(classify("0003_x.down.sql"), FileKind::Down(3));
        assert_eq!(classify("0002_x.SQL"), FileKind::WrongCase);
        assert!(matches!(classify(".#0001_x.sql"), FileKind::Skipped(_)));
        assert!(matches!(classify("#0001_x.sql#"), FileKind::Skipped(_)));
        assert!(matches!(classify("0001_x.sql~"), FileKind::Skipped(_)));
        assert!(matches!(classify(".0001_x.sql.swp"), FileKind::Skipped(_)));
        assert_eq!(classify("README.md"), FileKind::Other);
        assert_eq!(classify(".gitkeep"), FileKind::Other);
    }
}
