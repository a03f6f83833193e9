//! The committed migration files: `NNNN_<name>.sql`, `meta/_journal.json` (the list of
//! migrations) and `meta/NNNN_snapshot.json` (the schema each migration leads to).
//!
//! Reading checks that the three agree, so a lost or stray file is reported by name instead of
//! silently shifting the history. Writing replaces each file through a temporary file and a
//! rename, and writes the journal last, so an interrupted run leaves the old history intact.

use crate::model::Schema;
use crate::sql;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The journal format this crate writes and reads.
pub const JOURNAL_VERSION: u32 = 1;

/// `meta/_journal.json`: every migration in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The journal format, [`JOURNAL_VERSION`]; any other is refused.
    pub version: u32,
    /// Always `postgresql`, as drizzle-kit writes it.
    pub dialect: String,
    /// The migrations, oldest first; entry `i` has `idx` `i`.
    pub entries: Vec<JournalEntry>,
}

/// One migration of the journal. `tag` is the file name without `.sql`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The migration's number, from 0: its place in the journal and the `NNNN` of its files.
    pub idx: u32,
    /// `NNNN_<name>`: the migration's file name without `.sql`.
    pub tag: String,
    /// Statements are separated by `--> statement-breakpoint` lines (always, here; the field
    /// keeps the journal readable by drizzle users' tooling).
    pub breakpoints: bool,
}

impl Default for Journal {
    fn default() -> Self {
        Journal {
            version: JOURNAL_VERSION,
            dialect: "postgresql".into(),
            entries: Vec::new(),
        }
    }
}

/// A problem with the files of a migrations directory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilesError {
    /// A file or the directory could not be read (a missing snapshot or migration included).
    #[error("cannot read `{path}`")]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written, or its temporary file renamed over it.
    #[error("cannot write `{path}`")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The journal or a snapshot is not the JSON this crate writes.
    #[error("`{path}` is not valid {what} JSON")]
    Json {
        /// The file.
        path: PathBuf,
        /// What the file should hold: `journal` or `schema snapshot`.
        what: &'static str,
        /// The parser's error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// The journal and the files disagree: a lost journal, an entry out of order or
    /// misnamed, an unsupported journal version.
    #[error("`{path}`: {problem}")]
    Inconsistent {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong, and what to do about it.
        problem: String,
    },
    /// Files of the directory the runner refuses by their names: misnamed migrations, two
    /// with the same number, a down without its migration.
    #[error(
        "the migrations folder `{}` holds files the runner refuses:\n{}",
        dir.display(),
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
    )]
    Names {
        /// The directory.
        dir: PathBuf,
        /// Each file refused, with what to rename it to.
        problems: Vec<crate::files::SourceProblem>,
    },
    /// A migration name is empty, longer than 100 bytes, or has a character other than a
    /// lowercase ASCII letter, a digit or `_`; holds the name as given.
    #[error("invalid migration name `{0}`: use lowercase letters, digits and `_` only")]
    BadName(String),
}

/// A migrations directory on disk.
#[derive(Clone, Debug)]
pub struct MigrationsDir {
    root: PathBuf,
}

impl MigrationsDir {
    /// The migrations directory at `root`; nothing is read until asked.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        MigrationsDir { root: root.into() }
    }

    /// The directory that holds the `.sql` files and `meta/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `meta/_journal.json` under the root.
    pub fn journal_path(&self) -> PathBuf {
        self.root.join("meta").join("_journal.json")
    }

    /// `meta/NNNN_snapshot.json` under the root: the schema migration `idx` leads to.
    pub fn snapshot_path(&self, idx: u32) -> PathBuf {
        self.root
            .join("meta")
            .join(format!("{idx:04}_snapshot.json"))
    }

    /// `<tag>.sql` under the root: the SQL of migration `tag`.
    pub fn sql_path(&self, tag: &str) -> PathBuf {
        self.root.join(sql::up_file(tag))
    }

    /// `<tag>.down.sql` under the root: the reverse of migration `tag`, applied by `revert`.
    pub fn down_path(&self, tag: &str) -> PathBuf {
        self.root.join(sql::down_file(tag))
    }

    /// The journal; an absent directory or journal is an empty history, unless `.sql` files
    /// are already there (then the journal was lost, and guessing would be wrong).
    pub fn journal(&self) -> Result<Journal, FilesError> {
        let path = self.journal_path();
        if !path.exists() {
            if let Some(sql) = self.sql_files()?.first() {
                return Err(FilesError::Inconsistent {
                    path: sql.clone(),
                    problem: format!(
                        "this migration exists but `{}` does not; restore the journal from version control",
                        path.display()
                    ),
                });
            }
            return Ok(Journal::default());
        }
        let text = read(&path)?;
        let journal: Journal = serde_json::from_str(&text).map_err(|source| FilesError::Json {
            path: path.clone(),
            what: "journal",
            source,
        })?;
        check_journal(&path, &journal)?;
        Ok(journal)
    }

    /// The snapshot written with migration `idx`.
    pub fn snapshot(&self, idx: u32) -> Result<Schema, FilesError> {
        let path = self.snapshot_path(idx);
        let text = read(&path)?;
        serde_json::from_str(&text).map_err(|source| FilesError::Json {
            path,
            what: "schema snapshot",
            source,
        })
    }

    /// The SQL text of a migration.
    pub fn sql(&self, tag: &str) -> Result<String, FilesError> {
        read(&self.sql_path(tag))
    }

    /// The migrations of the directory (`NNNN_name.sql`; downs left out), in the order of
    /// their numbers. The names are judged as the runner judges them
    /// ([`crate::sql::migration_file`]): a file the runner would refuse (`1_a.sql`,
    /// `0001_a.SQL`, a down without its migration, two files with one number) is an error
    /// here too, so `generate` never writes beside a folder the runner cannot read.
    pub fn sql_files(&self) -> Result<Vec<PathBuf>, FilesError> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(FilesError::Read {
                    path: self.root.clone(),
                    source,
                })
            }
        };
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| FilesError::Read {
                path: self.root.clone(),
                source,
            })?;
            let path = entry.path();
            if !path.is_dir() {
                files.push(path);
            }
        }
        let listing = crate::files::names::list(files);
        if !listing.problems.is_empty() {
            return Err(FilesError::Names {
                dir: self.root.clone(),
                problems: listing.problems,
            });
        }
        Ok(listing.ups.into_iter().map(|named| named.path).collect())
    }

    /// Writes a new migration: its SQL, its snapshot, then the journal that lists it.
    pub fn write(
        &self,
        name: &str,
        sql: &str,
        snapshot: &Schema,
    ) -> Result<JournalEntry, FilesError> {
        check_name(name)?;
        let mut journal = self.journal()?;
        let idx = journal.entries.len() as u32;
        let entry = JournalEntry {
            idx,
            tag: format!("{idx:04}_{name}"),
            breakpoints: true,
        };
        write_atomically(&self.sql_path(&entry.tag), sql)?;
        write_atomically(&self.snapshot_path(idx), &snapshot_json(snapshot))?;
        journal.entries.push(entry.clone());
        write_atomically(&self.journal_path(), &journal_json(&journal))?;
        Ok(entry)
    }

    /// Lists a `.sql` file already in the folder, `{next}_<name>.sql`, as the next migration
    /// leading to `snapshot`; the file itself is left as it is.
    pub fn register(&self, tag: &str, snapshot: &Schema) -> Result<JournalEntry, FilesError> {
        let mut journal = self.journal()?;
        let idx = journal.entries.len() as u32;
        let entry = JournalEntry {
            idx,
            tag: tag.to_string(),
            breakpoints: true,
        };
        let mut checked = journal.clone();
        checked.entries.push(entry.clone());
        check_journal(&self.journal_path(), &checked)?;
        write_atomically(&self.snapshot_path(idx), &snapshot_json(snapshot))?;
        journal.entries.push(entry.clone());
        write_atomically(&self.journal_path(), &journal_json(&journal))?;
        Ok(entry)
    }

    /// Replaces the snapshot of migration `idx` (`generate --carry` completes a carried
    /// migration's with the objects it makes).
    pub fn write_snapshot(&self, idx: u32, snapshot: &Schema) -> Result<(), FilesError> {
        write_atomically(&self.snapshot_path(idx), &snapshot_json(snapshot))
    }

    /// Writes a file next to the migrations (a down) unless one is there already: a file
    /// someone wrote is never replaced. Returns whether it wrote.
    pub fn write_new(&self, path: &Path, text: &str) -> Result<bool, FilesError> {
        if path.exists() {
            return Ok(false);
        }
        write_atomically(path, text)?;
        Ok(true)
    }
}

/// A snapshot's file text: pretty JSON and a final newline, the same bytes for the same schema.
pub fn snapshot_json(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema always serializes");
    text.push('\n');
    text
}

/// The journal's file text.
pub fn journal_json(journal: &Journal) -> String {
    let mut text = serde_json::to_string_pretty(journal).expect("a journal always serializes");
    text.push('\n');
    text
}

pub(crate) fn check_name(name: &str) -> Result<(), FilesError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(FilesError::BadName(name.to_string()))
    }
}

fn check_journal(path: &Path, journal: &Journal) -> Result<(), FilesError> {
    let bad = |problem: String| FilesError::Inconsistent {
        path: path.to_path_buf(),
        problem,
    };
    if journal.version != JOURNAL_VERSION {
        return Err(bad(format!(
            "journal version {} is not supported (expected {JOURNAL_VERSION})",
            journal.version
        )));
    }
    for (position, entry) in journal.entries.iter().enumerate() {
        if entry.idx as usize != position {
            return Err(bad(format!(
                "entry `{}` has idx {} but is number {position} in the list",
                entry.tag, entry.idx
            )));
        }
        let prefix = format!("{:04}_", entry.idx);
        let name_ok = entry
            .tag
            .strip_prefix(&prefix)
            .is_some_and(|n| check_name(n).is_ok());
        if !name_ok {
            return Err(bad(format!(
                "entry {} has the tag `{}`, expected `{prefix}<name>`",
                entry.idx, entry.tag
            )));
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, FilesError> {
    std::fs::read_to_string(path).map_err(|source| FilesError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn write_atomically(path: &Path, text: &str) -> Result<(), FilesError> {
    let failed = |source| FilesError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(failed)
}

#[cfg(test)]
mod error_tests {
    use super::*;
    use crate::errors::assert_keeps_source;

    #[test]
    fn file_errors_keep_their_causes() {
        let dir = MigrationsDir::new("/no/such/migrations");
        let e = read(&dir.snapshot_path(0)).unwrap_err();
        assert!(matches!(e, FilesError::Read { .. }), "{e:?}");
        assert_keeps_source::<std::io::Error>(&e);
        let json = serde_json::from_str::<Journal>("{").unwrap_err();
        let e = FilesError::Json {
            path: "meta/_journal.json".into(),
            what: "journal",
            source: json,
        };
        assert_keeps_source::<serde_json::Error>(&e);
    }

    /// The model holds more than a migration makes; a snapshot written before reads the
    /// same and is written back byte for byte, the fields it lacks left out.
    #[test]
    fn committed_snapshots_are_written_back_unchanged() {
        let meta = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/meta");
        let dir = MigrationsDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"));
        let mut seen = 0;
        for entry in std::fs::read_dir(meta).unwrap() {
            let path = entry.unwrap().path();
            if !path.to_string_lossy().ends_with("_snapshot.json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let schema: Schema = serde_json::from_str(&text).unwrap();
            assert_eq!(snapshot_json(&schema), text, "{}", path.display());
            seen += 1;
        }
        assert!(seen > 0 && dir.snapshot(0).is_ok());
    }
}
