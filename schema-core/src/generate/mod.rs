//! `generate`: compares the schema in code with the snapshot of the last committed migration
//! and writes the migration(s) that turn one into the other; `check` says whether the
//! committed files are what `generate` would write.

use crate::diff::{self, DiffOptions, Refusal, Step};
use crate::migrations_dir::{FilesError, JournalEntry, MigrationsDir};
use crate::model::Schema;
use crate::registry::{self, RegistryError};
use crate::render;
use std::fmt::Write as _;
use std::path::PathBuf;

mod command;
mod report;
pub use command::{run, CommandArgs};
pub use report::GenerateReport;

/// Choices a user makes when generating.
#[derive(Clone, Debug, Default)]
pub struct GenerateOptions {
    /// The name part of `NNNN_<name>.sql`; `initial` for the first migration and `update`
    /// afterwards when not given.
    pub name: Option<String>,
    /// Writes changes that lose data (dropped tables, columns or labels, narrowed types, NOT
    /// NULL on existing rows) instead of refusing them.
    pub allow_destructive: bool,
}

/// What `generate` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Generated {
    /// The code matches the last snapshot: nothing was written.
    UpToDate,
    /// New migrations, in order, each with its number of statements.
    Written(Vec<(JournalEntry, usize)>),
}

/// Why `generate` or `check` could not run.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("the schema in code breaks {} rule(s):\n{}", .0.len(), list(.0))]
    InvalidSchema(Vec<RegistryError>),
    #[error("the snapshot `{path}` breaks {} rule(s) (was it edited by hand?):\n{}", .errors.len(), list(.errors))]
    InvalidSnapshot {
        path: PathBuf,
        errors: Vec<RegistryError>,
    },
    #[error(transparent)]
    Files(#[from] FilesError),
    #[error(transparent)]
    Refused(#[from] Refusal),
}

fn list(errors: &[RegistryError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes the next migration(s) of `dir` for `schema`, or nothing when they are in step.
pub fn generate(
    schema: &Schema,
    dir: &MigrationsDir,
    options: &GenerateOptions,
) -> Result<Generated, GenerateError> {
    generate_report(schema, dir, options).map(|report| report.generated)
}

/// [`generate`], also returning the hazards of what was written: statements on existing
/// tables that no online form avoids (see [`crate::online::hazards`]).
pub fn generate_report(
    schema: &Schema,
    dir: &MigrationsDir,
    options: &GenerateOptions,
) -> Result<GenerateReport, GenerateError> {
    registry::validate(schema).map_err(GenerateError::InvalidSchema)?;
    let journal = dir.journal()?;
    let latest = match journal.entries.last() {
        Some(entry) => Some(load_snapshot(dir, entry.idx)?),
        None => None,
    };
    let diff_options = DiffOptions {
        allow_destructive: options.allow_destructive,
    };
    let steps = diff::steps(latest.as_ref(), schema, &diff_options)?;
    if steps.is_empty() {
        return Ok(GenerateReport {
            generated: Generated::UpToDate,
            hazards: Vec::new(),
        });
    }
    let name = match &options.name {
        Some(name) => name.clone(),
        None if latest.is_none() => "initial".into(),
        None => "update".into(),
    };
    let mut written = Vec::new();
    let mut hazards = Vec::new();
    for step in &steps {
        let sql = render::migration(&step.statements, !step.transactional);
        let entry = dir.write(&name, &sql, &step.snapshot)?;
        let file = dir.sql_path(&entry.tag);
        hazards.extend(step.hazards.iter().map(|h| (file.clone(), h.clone())));
        written.push((entry, step.statements.len()));
    }
    Ok(GenerateReport {
        generated: Generated::Written(written),
        hazards,
    })
}

/// Reads and validates a snapshot.
fn load_snapshot(dir: &MigrationsDir, idx: u32) -> Result<Schema, GenerateError> {
    let snapshot = dir.snapshot(idx)?;
    registry::validate(&snapshot).map_err(|errors| GenerateError::InvalidSnapshot {
        path: dir.snapshot_path(idx),
        errors,
    })?;
    Ok(snapshot)
}

/// Every way the committed migrations differ from what `generate` would write; empty when
/// they are in step with the code.
pub fn check(schema: &Schema, dir: &MigrationsDir) -> Result<Vec<String>, GenerateError> {
    registry::validate(schema).map_err(GenerateError::InvalidSchema)?;
    let journal = dir.journal()?;
    let mut problems = Vec::new();
    let listed: Vec<PathBuf> = journal
        .entries
        .iter()
        .map(|e| dir.sql_path(&e.tag))
        .collect();
    for stray in dir.sql_files()?.into_iter().filter(|f| !listed.contains(f)) {
        problems.push(format!(
            "`{}` is not listed in `{}`",
            stray.display(),
            dir.journal_path().display()
        ));
    }
    // Each committed migration must be what generation writes for its pair of snapshots;
    // destructive changes were confirmed when it was written, so they are allowed here.
    let replay = DiffOptions {
        allow_destructive: true,
    };
    let mut previous: Option<Schema> = None;
    let mut entries = journal.entries.iter().peekable();
    while let Some(entry) = entries.next() {
        let snapshot = load_snapshot(dir, entry.idx)?;
        // One change may be written as several migrations (an online change's parts, all
        // with the same snapshot): they are compared in turn with the entries from this one.
        let steps = diff::steps(previous.as_ref(), &snapshot, &replay)?;
        let mut group = vec![(entry, steps.first())];
        for step in steps.iter().skip(1) {
            let Some(next) =
                entries.next_if(|e| load_snapshot(dir, e.idx).is_ok_and(|s| s == step.snapshot))
            else {
                break;
            };
            group.push((next, Some(step)));
        }
        if group.len() < steps.len() {
            problems.push(format!(
                "`{}` is the first of {} migrations generation writes for its snapshot, but only {} of them follow it in the journal; regenerate them",
                dir.sql_path(&entry.tag).display(),
                steps.len(),
                group.len()
            ));
        }
        for (entry, step) in group {
            let expected = step
                .map(|s| render::migration(&s.statements, !s.transactional))
                .unwrap_or_default();
            let path = dir.sql_path(&entry.tag);
            match std::fs::read_to_string(&path) {
                Ok(actual) if actual == expected => {}
                Ok(_) => problems.push(format!(
                    "`{}` differs from what generation writes for its snapshot; regenerate it instead of editing it",
                    path.display()
                )),
                Err(e) => problems.push(format!("`{}` cannot be read: {e}", path.display())),
            }
        }
        previous = Some(snapshot);
    }
    match diff::steps(previous.as_ref(), schema, &replay) {
        Ok(steps) if steps.is_empty() => {}
        Ok(steps) => problems.push(lag_message(&steps)),
        Err(refusal) => problems.push(format!(
            "the schema in code differs from the last snapshot: {refusal}"
        )),
    }
    Ok(problems)
}

fn lag_message(steps: &[Step]) -> String {
    let mut msg = String::from(
        "the schema in code differs from the last committed migration; `generate` would write:",
    );
    for statement in steps.iter().flat_map(|s| &s.statements) {
        let sql = render::statement(statement);
        let first_line = sql.lines().next().unwrap_or_default();
        let _ = write!(msg, "\n    {first_line}");
    }
    msg
}

/// Whether `schema` has `#[table]` structs linked in that it does not register, as messages.
pub fn unregistered_messages(schema: &Schema) -> Vec<String> {
    registry::unregistered_tables(schema)
        .into_iter()
        .map(|t| {
            format!(
                "the table `{}` ({}) is declared with #[table] but not registered in the schema; add it to `tables: [...]`",
                t.table, t.rust_path
            )
        })
        .collect()
}
