//! drizzle-kit's migrations folder, when given to `adopt`, so the provenance it records names
//! drizzle's files (its ledger is read by the runner's `foreign` module).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::AdoptError;
use crate::migrate::foreign::{DrizzleRow, DRIZZLE_LEDGER};

/// One file of drizzle-kit's migrations folder: its journal tag, `when` and SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DrizzleFile {
    pub tag: String,
    pub when: Option<i64>,
    pub hash: String,
}

/// Reads drizzle-kit's `meta/_journal.json` in `dir` and hashes each listed `.sql` file the
/// way drizzle-kit's migrator does (the raw bytes).
pub(crate) fn read_folder(dir: &Path) -> Result<Vec<DrizzleFile>, AdoptError> {
    let problem = |path: PathBuf, problem: String| AdoptError::DrizzleFolder { path, problem };
    let journal_path = dir.join("meta").join("_journal.json");
    let unreadable = |path: &Path| {
        let path = path.to_path_buf();
        move |source| AdoptError::DrizzleRead { path, source }
    };
    let text = std::fs::read_to_string(&journal_path).map_err(unreadable(&journal_path))?;
    let journal: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| AdoptError::DrizzleJson {
            path: journal_path.clone(),
            source,
        })?;
    let entries = journal["entries"].as_array().ok_or_else(|| {
        problem(
            journal_path.clone(),
            "has no `entries` list; is this drizzle-kit's `out` folder?".into(),
        )
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let tag = entry["tag"].as_str().ok_or_else(|| {
            problem(
                journal_path.clone(),
                format!("entry without a tag: {entry}"),
            )
        })?;
        let path = dir.join(crate::sql::up_file(tag));
        let bytes = std::fs::read(&path).map_err(unreadable(&path))?;
        files.push(DrizzleFile {
            tag: tag.to_string(),
            when: entry["when"].as_i64(),
            hash: hex::encode(Sha256::digest(&bytes)),
        });
    }
    Ok(files)
}

/// What `adopt` records as the origin of the migrations it marks applied, and what it has to
/// say about drizzle-kit's ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// Stored in the ledger's `adopted_from`: only the drizzle-kit files whose schema the
    /// database was proved to have.
    pub record: String,
    /// drizzle-kit ledger rows left out of the record, and hashes that differ from the files.
    pub warnings: Vec<String>,
}

/// Ties each row of drizzle-kit's ledger to one of this project's migrations: through the
/// drizzle file the row's hash (or journal `when`) names and that file's tag, when drizzle's
/// folder is given; by position otherwise (the ledger's k-th row, the folder's k-th
/// migration). A row is named in the record only when its migration is among those adopted
/// (`names`: this project's migrations in order, `adopted`: how many of them the database
/// matches); the others are reported, as is a hash that is not its file's.
pub(crate) fn provenance(
    ledger: Option<&[DrizzleRow]>,
    folder: Option<&[DrizzleFile]>,
    names: &[&str],
    adopted: usize,
) -> Provenance {
    let Some(rows) = ledger else {
        return Provenance {
            record: "adopted with --through: no drizzle-kit ledger".to_string(),
            warnings: Vec::new(),
        };
    };
    let mut named = Vec::new();
    let mut warnings = Vec::new();
    for (position, row) in rows.iter().enumerate() {
        let (name, counterpart) = match folder {
            None => (
                format!("sha256 {}", short(&row.hash)),
                names.get(position).map(|_| position),
            ),
            Some(files) => match file_of(row, files, &mut warnings) {
                Some(file) if file.hash != row.hash => (
                    format!("{} (changed since drizzle-kit applied it)", file.tag),
                    counterpart_of(names, &file.tag),
                ),
                Some(file) => (file.tag.clone(), counterpart_of(names, &file.tag)),
                None => (format!("sha256 {}", short(&row.hash)), None),
            },
        };
        match counterpart {
            Some(k) if k < adopted => named.push(name),
            Some(k) => warnings.push(format!(
                "drizzle-kit's ledger lists {name}, but the database does not have the schema \
                 of {}: not recorded",
                names[k]
            )),
            None => warnings.push(format!(
                "drizzle-kit's ledger lists {name}, which no migration of this project \
                 corresponds to ({}): its schema is not proved, so it is not recorded",
                if folder.is_some() {
                    "none has its name"
                } else {
                    "none has its position; --drizzle-dir ties them by name"
                }
            )),
        }
    }
    let record = if named.is_empty() {
        format!("drizzle-kit ledger {DRIZZLE_LEDGER}: no file the database matches")
    } else {
        format!("drizzle-kit ledger {DRIZZLE_LEDGER}: {}", named.join(", "))
    };
    Provenance { record, warnings }
}

fn counterpart_of(names: &[&str], tag: &str) -> Option<usize> {
    names
        .iter()
        .position(|n| n.strip_suffix(".sql") == Some(tag))
}

/// The drizzle file a ledger row records: the one with its hash, else the one with its
/// `when` (a file changed after drizzle-kit applied it, which is reported).
fn file_of<'a>(
    row: &DrizzleRow,
    files: &'a [DrizzleFile],
    warnings: &mut Vec<String>,
) -> Option<&'a DrizzleFile> {
    let same_when = |f: &&DrizzleFile| f.when.is_none() || f.when == row.created_at;
    if let Some(file) = files.iter().filter(same_when).find(|f| f.hash == row.hash) {
        return Some(file);
    }
    match files
        .iter()
        .find(|f| f.when.is_some() && f.when == row.created_at)
    {
        Some(file) => {
            warnings.push(format!(
                "drizzle-kit's ledger records {} with sha256 {}, but the file's is {}: it \
                 changed after drizzle-kit applied it",
                file.tag,
                short(&row.hash),
                short(&file.hash)
            ));
            Some(file)
        }
        None => {
            warnings.push(format!(
                "drizzle-kit's ledger row {} (sha256 {}) is no file of drizzle's folder, \
                 by hash or by journal `when`",
                row.id,
                short(&row.hash)
            ));
            None
        }
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

#[cfg(all(test, feature = "dev"))]
mod tests {
    use super::*;
    use crate::errors::assert_keeps_source;

    fn row(id: i64, hash: &str, created_at: i64) -> DrizzleRow {
        DrizzleRow {
            id,
            hash: hash.into(),
            created_at: Some(created_at),
        }
    }

    fn file(tag: &str, hash: &str, when: i64) -> DrizzleFile {
        DrizzleFile {
            tag: tag.into(),
            when: Some(when),
            hash: hash.into(),
        }
    }

    #[test]
    fn only_rows_of_adopted_migrations_are_recorded_the_others_are_reported() {
        let rows: Vec<DrizzleRow> = (0..8)
            .map(|i| row(i + 1, &format!("{i:0>64}"), 100 + i))
            .collect();
        // By position: three migrations in this project, the database matches the first.
        let ours = ["0000_a.sql", "0001_b.sql", "0002_c.sql"];
        let p = provenance(Some(&rows), None, &ours, 1);
        assert_eq!(
            p.record,
            "drizzle-kit ledger drizzle.__drizzle_migrations: sha256 000000000000"
        );
        assert_eq!(p.warnings.len(), 7, "{:#?}", p.warnings);
        assert!(p.warnings[0].contains("does not have the schema of 0001_b.sql"));
        assert!(p.warnings[6].contains("none has its position"));

        // By name: a file the ledger row names by hash, another only by its `when`.
        let files = [
            file("0000_a", &rows[0].hash, 100),
            file("0001_b", &"f".repeat(64), 101),
        ];
        let p = provenance(Some(&rows[..2]), Some(&files), &ours, 2);
        assert_eq!(
            p.record,
            "drizzle-kit ledger drizzle.__drizzle_migrations: 0000_a, 0001_b (changed since drizzle-kit applied it)"
        );
        assert_eq!(
            p.warnings,
            ["drizzle-kit's ledger records 0001_b with sha256 000000000000, but the file's is ffffffffffff: it changed after drizzle-kit applied it"]
        );
        let p = provenance(Some(&rows[2..3]), Some(&files), &ours, 3);
        assert_eq!(
            p.record,
            "drizzle-kit ledger drizzle.__drizzle_migrations: no file the database matches"
        );
        assert_eq!(p.warnings.len(), 2, "{:#?}", p.warnings);
        assert!(p.warnings[0].contains("row 3 (sha256 000000000000) is no file"));
    }

    #[test]
    fn an_unreadable_or_unparsable_journal_keeps_its_cause() {
        let e = read_folder(Path::new("/no/such/drizzle")).unwrap_err();
        assert!(matches!(e, AdoptError::DrizzleRead { .. }), "{e:?}");
        assert_keeps_source::<std::io::Error>(&e);

        let dir = std::env::temp_dir().join(format!("schema-core-drizzle-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("meta")).unwrap();
        std::fs::write(dir.join("meta").join("_journal.json"), "{").unwrap();
        let e = read_folder(&dir).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(e, AdoptError::DrizzleJson { .. }), "{e:?}");
        assert_keeps_source::<serde_json::Error>(&e);
    }
}
