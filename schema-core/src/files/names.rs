//! Which files of a migrations folder are migrations, by their names alone: the one rule
//! ([`crate::sql::migration_file`]) applied to a whole folder, for the runner (a folder read
//! at run time, or the files `embed_migrations!` embedded) and for `generate` alike, so the
//! two never disagree about a file.
//!
//! A file that looks meant for the runner but is not one (`.SQL` in capitals, `1_a.sql`) is
//! refused by name, never skipped without a word: a migration that silently does not run is
//! worse than an error. A tool's copy (an editor's lock or backup file) is skipped, and
//! reported as skipped.

use std::fmt;
use std::path::PathBuf;

use super::problem::SourceProblem;
use crate::sql::{self, MigrationFile};

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

/// A migration or down file of a folder, with what its name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Named {
    /// The file.
    pub path: PathBuf,
    /// Its file name, e.g. `0001_add_tags.sql`.
    pub file_name: String,
    /// The number of its name.
    pub version: i64,
    /// `NNNN_name`: the file name without its extension, shared by a migration and its down.
    pub tag: String,
}

/// A folder's files sorted by what their names say.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// `NNNN_name.sql`, by number.
    pub ups: Vec<Named>,
    /// `NNNN_name.down.sql`, by number.
    pub downs: Vec<Named>,
    /// Tools' copies, by path.
    pub skipped: Vec<SkippedFile>,
    /// Misnamed files, numbers used twice, downs without their migration.
    pub problems: Vec<SourceProblem>,
}

/// Whether `embed_migrations!` embeds a file of this name (a migration or a down), or
/// refuses to build because of it (a misnamed one).
pub(crate) fn embedded(file_name: &str) -> bool {
    matches!(
        sql::migration_file(file_name),
        MigrationFile::Up(_) | MigrationFile::Down(_) | MigrationFile::Misnamed(_)
    )
}

/// Sorts the files of a folder (subfolders left out by the caller) by their names.
pub(crate) fn list(paths: impl IntoIterator<Item = PathBuf>) -> Listing {
    let mut listing = Listing::default();
    for path in paths {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (name, list) = match sql::migration_file(&file_name) {
            MigrationFile::Up(name) => (name, &mut listing.ups),
            MigrationFile::Down(name) => (name, &mut listing.downs),
            MigrationFile::Misnamed(misnamed) => {
                listing
                    .problems
                    .push(SourceProblem::Misnamed { path, misnamed });
                continue;
            }
            MigrationFile::Skipped(reason) => {
                listing.skipped.push(SkippedFile { path, reason });
                continue;
            }
            MigrationFile::Other => continue,
        };
        let (version, tag) = (name.version, name.tag.to_string());
        list.push(Named {
            path,
            file_name,
            version,
            tag,
        });
    }
    listing.problems.sort_by(|a, b| a.path().cmp(b.path()));
    for list in [&mut listing.ups, &mut listing.downs] {
        list.sort_by(|a, b| a.version.cmp(&b.version).then(a.tag.cmp(&b.tag)));
        for pair in list.windows(2) {
            if pair[0].version == pair[1].version {
                listing.problems.push(SourceProblem::DuplicateVersion {
                    first: pair[0].path.clone(),
                    second: pair[1].path.clone(),
                });
            }
        }
    }
    listing.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    // A down belongs to the migration of the same tag; one that matches none would never
    // run, or run for the wrong migration.
    for d in &listing.downs {
        if !listing.ups.iter().any(|m| m.tag == d.tag) {
            listing.problems.push(SourceProblem::OrphanDown {
                path: d.path.clone(),
                up: sql::up_file(&d.tag),
            });
        }
    }
    listing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(names: &[&str]) -> Listing {
        list(names.iter().map(|n| PathBuf::from("m").join(n)))
    }

    #[test]
    fn ups_and_downs_are_paired_by_tag_and_ordered_by_number() {
        let l = listing(&[
            "0001_b.sql",
            "0000_a.sql",
            "0000_a.down.sql",
            "README.md",
            ".gitkeep",
        ]);
        let tags: Vec<_> = l.ups.iter().map(|n| n.tag.as_str()).collect();
        assert_eq!(tags, ["0000_a", "0001_b"]);
        assert_eq!(l.downs.len(), 1);
        assert!(l.problems.is_empty() && l.skipped.is_empty());
    }

    #[test]
    fn odd_names_are_refused_by_name_and_tool_copies_skipped() {
        let l = listing(&[
            "0000_a.sql",
            "0001_a.SQL",
            "1_b.sql",
            "0002.sql",
            "0003_c.down.sql",
            "0000_dup.sql",
            ".#0000_a.sql",
            "0000_a.sql~",
        ]);
        let text: Vec<String> = l.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(l.problems.len(), 5, "{text:#?}");
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(has("0001_a.SQL` ends in capitals"));
        assert!(has("rename it to `0001_a.sql`"));
        assert!(has("rename it to `0001_b.sql`"));
        assert!(has("rename it to `0002_<name>.sql`"));
        assert!(has("the down of `0003_c.sql`"));
        assert!(has("have the same number"));
        assert_eq!(l.skipped.len(), 2);
    }
}
