//! Down migrations: `NNNN_name.down.sql` undoes `NNNN_name.sql` for `revert`. A generated
//! migration's down is the diff of its two snapshots taken the other way (renames reversed,
//! removed labels brought back by rebuilding the type, dropped columns re-added with their
//! type, nullability and default); its header says what it cannot bring back, and a down
//! that loses data or cannot restore it carries [`DESTRUCTIVE_MARKER`], which `revert` wants
//! confirmed.

use super::custom::custom_down_sql;
use super::{load_snapshot, non_empty, GenerateError};
use crate::diff::{self, Risk};
use crate::files::journal::MigrationsDir;
use crate::model::{Name, Schema};
use crate::plan::{OnlineStatement, Statement};
use crate::render;
use std::path::PathBuf;

/// A header line marking a down that loses data or cannot restore what its up removed.
pub const DESTRUCTIVE_MARKER: &str = crate::files::DESTRUCTIVE_DOWN_MARKER;

/// The down of `tag`, a later part of an online change that `first` began (all its parts
/// share one snapshot): nothing to run of its own, since the down of `first` undoes the whole
/// change. Reverting `tag` alone only removes its ledger row; applying it again is safe, since
/// its statements are written to be repeated (`IF NOT EXISTS`, validation).
pub fn part_down_sql(tag: &str, first: &str) -> String {
    format!(
        "-- Down of {tag}, a later part of the change `{first}.sql` began: `{first}.down.sql` \
         undoes the whole\n-- change, so this one has nothing of its own to undo.\n{}\n",
        crate::files::NOTHING_TO_UNDO_MARKER
    )
}

/// The down of migration `tag`, which leads from `old` (none: an empty database) to `new`.
pub fn down_sql(tag: &str, old: Option<&Schema>, new: &Schema) -> String {
    down_sql_without(tag, old, new, &[])
}

/// The indexes a part builds concurrently (`CREATE INDEX CONCURRENTLY`).
pub(super) fn built_concurrently(statements: &[Statement]) -> Vec<Name> {
    statements
        .iter()
        .filter_map(|s| match s {
            Statement::Online(OnlineStatement::CreateIndex { index, .. }) => {
                Some(index.name.clone())
            }
            _ => None,
        })
        .collect()
}

/// The down of `tag`, the part of an online change that builds or drops indexes concurrently
/// (`-- schema:no-transaction`), in the same form: its indexes dropped with `DROP INDEX
/// CONCURRENTLY`, which takes no lock that stops the table's readers or writers, outside a
/// transaction as `revert` runs such a down. When the part is the whole change (`old` to
/// `new`), the indexes it dropped are built again concurrently too; otherwise the down of the
/// change's first migration builds them. `None` when the part builds no index and is not the
/// whole change: it has nothing of its own to undo.
pub fn concurrent_down_sql(
    tag: &str,
    statements: &[Statement],
    whole_change: Option<(Option<&Schema>, &Schema)>,
) -> Option<String> {
    let mut down: Vec<Statement> = built_concurrently(statements)
        .into_iter()
        .map(|name| Statement::Online(OnlineStatement::DropIndex(name)))
        .collect();
    if let Some((Some(old), new)) = whole_change {
        let (back, _) = diff::reverse_steps(old, new).ok()?;
        for s in back {
            match s {
                // Already in `down`, from the part's own statements.
                Statement::DropIndex(_) => {}
                Statement::CreateIndex { table, index } => {
                    down.push(Statement::Online(OnlineStatement::CreateIndex {
                        table,
                        index,
                    }))
                }
                Statement::UseSchema(schema) => down.insert(0, Statement::UseSchema(schema)),
                // Anything else is not an index: the plain down says it all.
                _ => return None,
            }
        }
    }
    if !down.iter().any(|s| matches!(s, Statement::Online(_))) {
        return None;
    }
    let rendered = render::migration(&down, true);
    // The marker must stay the file's first line.
    let body = rendered
        .strip_prefix(crate::sql::NO_TRANSACTION_MARKER)
        .unwrap_or(&rendered)
        .trim_start_matches('\n');
    Some(format!(
        "{}\n-- Down of {tag}, generated from its snapshot back to the one before; `revert` runs \
         it\n-- statement by statement, outside a transaction, as the runner runs its migration.\n{body}",
        crate::sql::NO_TRANSACTION_MARKER
    ))
}

/// [`down_sql`], leaving out the dropping of `skip`: indexes that a later part of the same
/// change builds concurrently, whose own down drops them concurrently.
pub(super) fn down_sql_without(
    tag: &str,
    old: Option<&Schema>,
    new: &Schema,
    skip: &[Name],
) -> String {
    // An empty database, in the PostgreSQL schema of the migration.
    let empty = Schema {
        pg_schema: new.pg_schema.clone(),
        ..Schema::default()
    };
    let result = match old {
        Some(old) => diff::reverse_steps(old, new),
        None => diff::reverse_steps(&empty, new),
    };
    let (mut statements, back) = match result {
        Ok(down) => down,
        Err(refusal) => {
            return format!(
                "-- Down of {tag}: it could not be generated, write it by hand; as long as this \
                 file holds no statement, `revert` refuses to pass it.\n{}\n",
                comment(&refusal.to_string())
            )
        }
    };
    statements.retain(|s| !matches!(s, Statement::DropIndex(name) if skip.contains(name)));
    if statements.is_empty() {
        return custom_down_sql(tag);
    }
    // What the up lost for good.
    let lost: Vec<String> = match old {
        Some(old) => (diff::diff(old, new).destructive.into_iter())
            .filter(|c| c.risk == Risk::LosesData)
            .map(|c| c.message)
            .collect(),
        None => Vec::new(),
    };
    let mut out = format!(
        "-- Down of {tag}, generated from its snapshot back to the one before; `revert` applies \
         it.\n"
    );
    if old.is_none() {
        out.push_str(&format!(
            "-- Drops the extension `{}` too, which the migration creates when missing: remove \
             that statement if the database had it before.\n",
            crate::plan::EXTENSION
        ));
    }
    if back.iter().any(|c| c.risk == Risk::LosesData) || !lost.is_empty() {
        out.push_str(DESTRUCTIVE_MARKER);
        out.push('\n');
    }
    for c in back.iter().filter(|c| c.risk == Risk::LosesData) {
        out.push_str(&format!("-- Loses data: {}\n", one_line(&c.message)));
    }
    for c in back.iter().filter(|c| c.risk == Risk::MayFail) {
        out.push_str(&format!("-- May fail: {}\n", one_line(&c.message)));
    }
    for message in &lost {
        out.push_str(&format!(
            "-- Cannot restore what the up lost: {}; this brings the structure back, not the data\n",
            one_line(message)
        ));
    }
    out.push_str(&render::migration(&statements, false));
    if old.is_none() {
        // The first migration creates the extension its defaults need; going back to an
        // empty database removes it too.
        out.push_str(&format!(
            "{}\nDROP EXTENSION IF EXISTS {};\n",
            crate::sql::STATEMENT_BREAKPOINT,
            crate::sql::quote_ident(crate::plan::EXTENSION)
        ));
    }
    out
}

/// Writes the down of every migration of the journal that has none; returns the files
/// written. Existing downs, generated or written by hand, are left as they are.
pub fn write_missing_downs(dir: &MigrationsDir) -> Result<Vec<PathBuf>, GenerateError> {
    let journal = dir.journal()?;
    let mut written = Vec::new();
    let mut previous: Option<Schema> = None;
    for entry in &journal.entries {
        let snapshot = load_snapshot(dir, entry.idx)?;
        let path = dir.down_path(&entry.tag);
        if !path.exists() {
            let text = down_sql(&entry.tag, previous.as_ref(), &snapshot);
            if dir.write_new(&path, &text)? {
                written.push(path);
            }
        }
        previous = non_empty(snapshot);
    }
    Ok(written)
}

fn one_line(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

fn comment(text: &str) -> String {
    text.lines()
        .map(|l| format!("-- {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
