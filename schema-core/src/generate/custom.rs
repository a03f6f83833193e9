//! Migrations written by hand: `generate --custom` writes an empty one for the user to fill
//! (a backfill, a data fix), and a `.sql` file the journal does not list is either taken in
//! as such a migration, when the user asks, or stops `generate` so that it never writes
//! over or beside a file it did not write.

use super::GenerateError;
use crate::files::journal::{check_name, Journal, JournalEntry, MigrationsDir};
use crate::model::Schema;
use std::path::PathBuf;

/// The text of a new custom migration: comments only, so it applies as it is.
pub fn custom_sql(tag: &str) -> String {
    format!(
        "-- {tag}: a custom migration, for SQL that `generate` does not write (a backfill \
         before a NOT NULL,\n\
         -- a data fix, a change made in steps). Write it below, statements separated by\n\
         -- `--> statement-breakpoint` lines. Its snapshot is the previous migration's: it \
         must leave\n\
         -- the schema as it found it (`generate --check` proves that on a shadow database).\n"
    )
}

/// The text of a new carried migration: comments only, the first line the marker.
pub fn carried_sql(tag: &str) -> String {
    format!(
        "{}\n\
         -- {tag}: a carried migration, for objects the schema language does not declare (a\n\
         -- function, a trigger, a view, a domain, an extension, a policy). Write them below,\n\
         -- statements separated by `--> statement-breakpoint` lines, then run `generate --carry`:\n\
         -- it applies the migrations to a shadow database and writes the objects, as the server\n\
         -- prints them, into this migration's snapshot, so that `verify`, `adopt` and\n\
         -- `generate --check` know them as the project's own. Tables, columns, keys and indexes\n\
         -- stay in code.\n",
        crate::files::CARRIED_MARKER
    )
}

/// The down of a migration written by hand: nothing is known about how to undo it.
pub fn custom_down_sql(tag: &str) -> String {
    format!(
        "-- Down of {tag}, a migration written by hand: write here the SQL that undoes it, so \
         that\n\
         -- `revert` can step back over it. As long as this file holds no statement, `revert` \
         refuses\n\
         -- to pass it.\n"
    )
}

/// Writes `NNNN_<name>.sql` with [`custom_sql`], its down, and a snapshot equal to the
/// previous one (an empty schema before the first migration), and lists it in the journal.
/// With `carried`, the file is a carried migration ([`carried_sql`]), whose snapshot `generate
/// --carry` completes once its SQL is written.
pub fn write_custom(
    dir: &MigrationsDir,
    name: &str,
    carried: bool,
) -> Result<JournalEntry, GenerateError> {
    let journal = dir.journal()?;
    let snapshot = previous_snapshot(dir, &journal)?;
    let tag = format!("{:04}_{name}", journal.entries.len());
    let sql = if carried {
        carried_sql(&tag)
    } else {
        custom_sql(&tag)
    };
    let entry = dir.write(name, &sql, &snapshot)?;
    dir.write_new(&dir.down_path(&entry.tag), &custom_down_sql(&entry.tag))?;
    Ok(entry)
}

/// The `.sql` files of the folder that the journal does not list, sorted by name.
pub fn unlisted(dir: &MigrationsDir, journal: &Journal) -> Result<Vec<PathBuf>, GenerateError> {
    let listed: Vec<PathBuf> = journal
        .entries
        .iter()
        .map(|e| dir.sql_path(&e.tag))
        .collect();
    Ok(dir
        .sql_files()?
        .into_iter()
        .filter(|f| !listed.contains(f))
        .collect())
}

/// Takes every unlisted `.sql` file into the journal as a custom migration, in name order.
/// Each must be numbered next (`NNNN` = the number of migrations before it) and named with
/// lowercase letters, digits and `_`, as generated ones are.
pub fn adopt_unlisted(dir: &MigrationsDir) -> Result<Vec<JournalEntry>, GenerateError> {
    let mut adopted = Vec::new();
    loop {
        let journal = dir.journal()?;
        let Some(path) = unlisted(dir, &journal)?.into_iter().next() else {
            return Ok(adopted);
        };
        let next = journal.entries.len();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // `sql_files` lists only names the rule accepts.
        let name = match crate::sql::migration_file(&file_name) {
            crate::sql::MigrationFile::Up(up) => up.name,
            _ => &file_name,
        };
        let expected = format!("{next:04}_{name}");
        let fits = file_name == crate::sql::up_file(&expected) && check_name(name).is_ok();
        if !fits {
            let suggestion = if check_name(name).is_ok() {
                format!("rename it to `{}`", crate::sql::up_file(&expected))
            } else {
                format!("rename it to `{next:04}_<name>.sql`, the name in lowercase letters, digits and `_`")
            };
            return Err(GenerateError::CannotAdopt {
                path,
                problem: format!("it would be migration {next:04}; {suggestion}"),
            });
        }
        let snapshot = previous_snapshot(dir, &journal)?;
        let entry = dir.register(&expected, &snapshot)?;
        dir.write_new(&dir.down_path(&entry.tag), &custom_down_sql(&entry.tag))?;
        adopted.push(entry);
    }
}

fn previous_snapshot(dir: &MigrationsDir, journal: &Journal) -> Result<Schema, GenerateError> {
    match journal.entries.last() {
        Some(entry) => super::load_snapshot(dir, entry.idx),
        None => Ok(Schema::default()),
    }
}
