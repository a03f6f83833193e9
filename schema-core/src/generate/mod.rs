//! `generate`: compares the schema in code with the snapshot of the last committed migration
//! and writes the migration(s) that turn one into the other; `check` says whether the
//! committed files are what `generate` would write.

use crate::diff::{self, DiffOptions, Refusal, Step};
use crate::files::journal::{FilesError, JournalEntry, MigrationsDir};
use crate::model::Schema;
use crate::registry::{self, RegistryError};
use crate::render;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::PathBuf;

mod carry;
mod changes;
mod command;
mod custom;
mod down;
mod prove;
mod report;
mod shadow;
pub use carry::{carry, CarryReport};
pub use command::{run, CommandArgs};
pub use custom::{
    adopt_unlisted, carried_sql, custom_down_sql, custom_sql, unlisted, write_custom,
};
pub use down::{
    concurrent_down_sql, down_sql, part_down_sql, write_missing_downs, DESTRUCTIVE_MARKER,
};
pub use prove::{prove, Proof, ProveError};
pub use report::GenerateReport;
pub use shadow::{SHADOW_LOCK_CLASS, SHADOW_PREFIX};

/// Choices a user makes when generating.
#[derive(Clone, Debug, Default)]
pub struct GenerateOptions {
    /// The name part of `NNNN_<name>.sql`; `initial` for the first migration and `update`
    /// afterwards when not given.
    pub name: Option<String>,
    /// Writes changes that lose data (dropped tables, columns or labels, narrowed types, NOT
    /// NULL on existing rows) instead of refusing them.
    pub allow_destructive: bool,
    /// Keys of single changes to write although they need confirmation, e.g.
    /// `drop-column:users.bio` (`--allow`, repeatable); a refusal lists each change with its
    /// key.
    pub allow: Vec<String>,
    /// Writes an empty migration to fill by hand (`--custom`), whose snapshot is the
    /// previous one, instead of diffing the code.
    pub custom: bool,
    /// Takes `.sql` files the journal does not list into it as custom migrations (`--adopt`)
    /// instead of stopping at them.
    pub adopt_unlisted: bool,
    /// With `custom`: the migration makes objects the schema language does not declare
    /// (functions, triggers, views...), and its header says so (`--carried`); `generate
    /// --carry` reads them from a shadow database into its snapshot.
    pub carried: bool,
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
#[non_exhaustive]
pub enum GenerateError {
    /// The schema in code breaks the registry's rules; holds every broken rule.
    #[error("the schema in code breaks {} rule(s):\n{}", .0.len(), list(.0))]
    InvalidSchema(Vec<RegistryError>),
    /// The last migration's snapshot breaks the registry's rules, so nothing is diffed against
    /// it.
    #[error("the snapshot `{path}` breaks {} rule(s) (was it edited by hand?):\n{}", .errors.len(), list(.errors))]
    InvalidSnapshot {
        /// The snapshot file.
        path: PathBuf,
        /// Every rule it breaks.
        errors: Vec<RegistryError>,
    },
    /// The migrations folder, its journal or a snapshot cannot be read, written or parsed, or
    /// the journal disagrees with the files.
    #[error(transparent)]
    Files(#[from] FilesError),
    /// The change loses data without confirmation, or cannot be written safely; nothing was
    /// written.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The folder holds `.sql` files the journal does not list, and `--adopt` was not given;
    /// nothing was written.
    #[error(
        "{} not listed in `{}`; `generate` never writes beside a migration it does not \
         know of, so it wrote nothing. If {} written by hand, take {} into the journal as {}: \
         pass `--adopt` to `generate` (from code: \
         `GenerateOptions {{ adopt_unlisted: true, .. }}`); otherwise move {} out of the folder",
        files.iter().map(|f| format!("`{}`", f.display())).collect::<Vec<_>>().join(", ")
            + if files.len() == 1 { " is" } else { " are" },
        journal.display(),
        if files.len() == 1 { "it was" } else { "they were" },
        if files.len() == 1 { "it" } else { "them" },
        if files.len() == 1 { "a custom migration" } else { "custom migrations" },
        if files.len() == 1 { "it" } else { "them" },
    )]
    Unlisted {
        /// The unlisted files.
        files: Vec<PathBuf>,
        /// The journal, `meta/_journal.json`.
        journal: PathBuf,
    },
    /// `--check` found nothing out of step, but could not prove the SQL on a shadow database
    /// (no server, a role without CREATEDB, a wrong port); the command line exits with
    /// status 3 for it, apart from a difference (1) and a usage error (2).
    #[error(
        "the SQL of the migrations was NOT proved on a shadow database, so `--check` cannot \
         pass{}",
        edited_note(.edited)
    )]
    NotProved {
        /// Why no shadow database could be used.
        #[source]
        source: Box<ProveError>,
        /// Migrations whose SQL is not what generation writes, which only a proof can judge.
        edited: Vec<String>,
    },
    /// `--carry` could not use a shadow database (no server, a role without CREATEDB).
    #[error("`--carry` reads the carried objects on a shadow database, and none could be used")]
    NoShadow {
        /// Why no shadow database could be used.
        #[source]
        source: Box<ProveError>,
    },
    /// With `--adopt`, an unlisted file is not named as the next migration would be.
    #[error("cannot take `{}` into the journal: {problem}", path.display())]
    CannotAdopt {
        /// The file.
        path: PathBuf,
        /// The number it would take, and the name to give it.
        problem: String,
    },
}

impl GenerateError {
    /// What to do about the error, when there is more to say than its message.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            GenerateError::NoShadow { .. } => Some(
                "Start PostgreSQL, or point DATABASE_URL or `--shadow-database-url` at a server \
                 where a temporary database may be created (the role needs CREATEDB).",
            ),
            GenerateError::NotProved { .. } => Some(
                "Start PostgreSQL, or point DATABASE_URL or `--shadow-database-url` at a server \
                 where a temporary database may be created (the role needs CREATEDB). To check \
                 only the journal, the snapshot chain and the code, without proving the SQL, \
                 pass `--no-prove`.",
            ),
            _ => None,
        }
    }
}

fn edited_note(edited: &[String]) -> String {
    if edited.is_empty() {
        return String::new();
    }
    let files: Vec<String> = edited.iter().map(|f| format!("`{f}`")).collect();
    format!(
        "; not what generation writes (edited, or written by hand): {}",
        files.join(", ")
    )
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
    let mut written = Vec::new();
    if options.adopt_unlisted {
        written.extend(adopt_unlisted(dir)?.into_iter().map(|e| (e, 0)));
    }
    let journal = dir.journal()?;
    let files = unlisted(dir, &journal)?;
    if !files.is_empty() {
        return Err(GenerateError::Unlisted {
            files,
            journal: dir.journal_path(),
        });
    }
    if options.custom {
        let name =
            options
                .name
                .as_deref()
                .unwrap_or(if options.carried { "carried" } else { "custom" });
        written.push((write_custom(dir, name, options.carried)?, 0));
        return Ok(GenerateReport {
            generated: Generated::Written(written),
            hazards: Vec::new(),
            changes: Vec::new(),
        });
    }
    let last_snapshot = match journal.entries.last() {
        Some(entry) => Some(load_snapshot(dir, entry.idx)?),
        None => None,
    };
    // The objects carried migrations made stay in every snapshot after them: the code does
    // not declare them, and must not read as dropping them.
    let schema = &*with_carried(schema, last_snapshot.as_ref());
    let latest = last_snapshot.and_then(non_empty);
    let diff_options = DiffOptions {
        allow_destructive: options.allow_destructive,
        allow: options.allow.clone(),
        ..DiffOptions::default()
    };
    let steps = diff::steps(latest.as_ref(), schema, &diff_options)?;
    if steps.is_empty() {
        let generated = if written.is_empty() {
            Generated::UpToDate
        } else {
            Generated::Written(written)
        };
        return Ok(GenerateReport {
            generated,
            hazards: Vec::new(),
            changes: Vec::new(),
        });
    }
    let name = match &options.name {
        Some(name) => name.clone(),
        None if latest.is_none() => "initial".into(),
        None => "update".into(),
    };
    let mut before = latest.as_ref();
    let mut hazards = Vec::new();
    // An online change is written as several migrations with one snapshot: the first one's
    // down undoes the whole change, the later ones' have nothing of their own to undo.
    let mut first_of_change: Option<String> = None;
    // Indexes a part builds concurrently are dropped concurrently by that part's own down,
    // not by the first part's, which runs in a transaction.
    let concurrent: Vec<_> = (steps.iter())
        .flat_map(|s| down::built_concurrently(&s.statements))
        .collect();
    let whole = steps.len() == 1;
    for step in &steps {
        let sql = render::migration(&step.statements, !step.transactional);
        let entry = dir.write(&name, &sql, &step.snapshot)?;
        let online_down = (!step.transactional)
            .then(|| {
                let change = whole.then_some((before, &step.snapshot));
                down::concurrent_down_sql(&entry.tag, &step.statements, change)
            })
            .flatten();
        let down = match (&first_of_change, before, online_down) {
            (_, _, Some(online)) => {
                first_of_change.get_or_insert_with(|| entry.tag.clone());
                online
            }
            (Some(first), Some(b), None) if *b == step.snapshot => part_down_sql(&entry.tag, first),
            _ => {
                first_of_change = Some(entry.tag.clone());
                // A change of one part keeps every statement of its down in it.
                let skip = if whole { &[][..] } else { &concurrent[..] };
                down::down_sql_without(&entry.tag, before, &step.snapshot, skip)
            }
        };
        dir.write_new(&dir.down_path(&entry.tag), &down)?;
        let file = dir.sql_path(&entry.tag);
        hazards.extend(step.hazards.iter().map(|h| (file.clone(), h.clone())));
        written.push((entry, step.statements.len()));
        before = Some(&step.snapshot);
    }
    Ok(GenerateReport {
        generated: Generated::Written(written),
        hazards,
        changes: diff::planned_changes(latest.as_ref(), schema),
    })
}

/// The schema in code with the carried objects of `last` (the last snapshot), which the
/// code never declares itself (see [`Schema::with_carried_from`]).
pub fn with_carried<'a>(schema: &'a Schema, last: Option<&Schema>) -> Cow<'a, Schema> {
    match last {
        Some(snapshot) if snapshot.carries_anything() => {
            Cow::Owned(schema.clone().with_carried_from(snapshot))
        }
        _ => Cow::Borrowed(schema),
    }
}

/// A snapshot with nothing in it (custom migrations before the first generated one) is no
/// schema at all: the first generated migration then creates everything, extension included.
fn non_empty(schema: Schema) -> Option<Schema> {
    (!schema.enums.is_empty() || !schema.tables.is_empty()).then_some(schema)
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

/// Every way the committed migrations are out of step with each other or with the code;
/// empty when they are in step. Migrations edited by hand are not among them: see
/// [`check_report`] and [`prove`].
pub fn check(schema: &Schema, dir: &MigrationsDir) -> Result<Vec<String>, GenerateError> {
    Ok(check_report(schema, dir)?.problems)
}

/// What `check` finds without a database.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The journal, the snapshot chain or the code are out of step; each says how.
    pub problems: Vec<String>,
    /// Migrations (file names) whose SQL is not what generation writes for their pair of
    /// snapshots: edited or written by hand. Only a shadow database ([`prove`]) can say
    /// whether they still lead to their snapshots.
    pub edited: Vec<String>,
}

/// Checks the journal against the folder, each snapshot, each migration against what
/// generation writes for its snapshots, and the code against the last snapshot.
pub fn check_report(schema: &Schema, dir: &MigrationsDir) -> Result<CheckReport, GenerateError> {
    registry::validate(schema).map_err(GenerateError::InvalidSchema)?;
    let journal = dir.journal()?;
    let mut report = CheckReport::default();
    for stray in unlisted(dir, &journal)? {
        report.problems.push(format!(
            "`{}` is not listed in `{}`; if it is a migration written by hand, take it in with \
             `generate --adopt` (from code: `GenerateOptions {{ adopt_unlisted: true, .. }}`)",
            stray.display(),
            dir.journal_path().display()
        ));
    }
    let mut previous: Option<Schema> = None;
    let mut last_snapshot: Option<Schema> = None;
    for change in changes::changes(dir, &journal)? {
        let (entry, _) = change.parts[0];
        if let Some(refusal) = &change.refusal {
            report.problems.push(format!(
                "`{}` does not follow from `{}`: {refusal}",
                dir.snapshot_path(entry.idx).display(),
                dir.snapshot_path(entry.idx.saturating_sub(1)).display()
            ));
        }
        if change.parts.len() < change.expected_parts {
            report.problems.push(format!(
                "`{}` is the first of {} migrations generation writes for its snapshot, but only \
                 {} of them follow it in the journal; regenerate them",
                dir.sql_path(&entry.tag).display(),
                change.expected_parts,
                change.parts.len()
            ));
        }
        for (entry, step) in &change.parts {
            let down = dir.down_path(&entry.tag);
            if !down.exists() {
                report.problems.push(format!(
                    "`{}` is missing; `generate` writes it from the snapshots (a custom \
                     migration's as a file for you to fill)",
                    down.display()
                ));
            } else if let Some(problem) = unmarked_losses(&down) {
                report.problems.push(problem);
            }
            // What generation writes for this part; a custom migration has none, so any text
            // of its own counts as edited and is proved on the shadow database.
            let expected = step
                .as_ref()
                .map(|s| render::migration(&s.statements, !s.transactional))
                .unwrap_or_default();
            let path = dir.sql_path(&entry.tag);
            match std::fs::read_to_string(&path) {
                Ok(actual) if actual == expected => {}
                Ok(_) => report.edited.push(crate::sql::up_file(&entry.tag)),
                Err(e) => report
                    .problems
                    .push(format!("`{}` cannot be read: {e}", path.display())),
            }
        }
        previous = non_empty(change.snapshot.clone());
        last_snapshot = Some(change.snapshot);
    }
    let schema = &*with_carried(schema, last_snapshot.as_ref());
    let replay = DiffOptions {
        allow_destructive: true,
        ..DiffOptions::default()
    };
    match diff::steps(previous.as_ref(), schema, &replay) {
        Ok(steps) if steps.is_empty() => {}
        Ok(steps) => report.problems.push(lag_message(&steps)),
        Err(refusal) => report.problems.push(format!(
            "the schema in code differs from the last snapshot: {refusal}"
        )),
    }
    Ok(report)
}

/// A down whose statements lose data must say so in its header, as generated downs do:
/// `revert` asks for confirmation of it either way, and a reviewer reads the header.
fn unmarked_losses(down: &std::path::Path) -> Option<String> {
    let sql = std::fs::read_to_string(down).ok()?;
    let marked = sql
        .lines()
        .map(str::trim)
        .take_while(|l| l.starts_with("--"))
        .any(|l| l == DESTRUCTIVE_MARKER);
    let losses = crate::files::data_losses(&sql);
    if marked || losses.is_empty() {
        return None;
    }
    Some(format!(
        "`{}` loses data but its header lacks `{DESTRUCTIVE_MARKER}` (`revert` asks for \
         `--allow-destructive` for it all the same); put the line back at the top:{}",
        down.display(),
        losses
            .iter()
            .map(|l| format!("\n      - {l}"))
            .collect::<String>()
    ))
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
