//! The journal read as changes: one change is one migration, or the several parts of an
//! online change that `generate` wrote together (all with the change's final snapshot). The
//! runner applies the parts one after the other, and only after the last one does the
//! database match the shared snapshot; `check` and the proof both read the journal this way,
//! so that what one accepts the other proves.

use super::{load_snapshot, non_empty, GenerateError};
use crate::diff::{self, DiffOptions, Refusal, Step};
use crate::files::journal::{Journal, JournalEntry, MigrationsDir};
use crate::model::Schema;

/// One change of the journal.
pub(super) struct Change<'a> {
    /// Its migrations in order, each with the part generation writes for it (none for a
    /// custom migration, or when the snapshots do not follow from each other).
    pub parts: Vec<(&'a JournalEntry, Option<Step>)>,
    /// How many parts generation writes for the change (0 when it writes none).
    pub expected_parts: usize,
    /// Why generation cannot write the change, when it cannot.
    pub refusal: Option<Refusal>,
    /// The change's snapshot, which its last part reaches.
    pub snapshot: Schema,
}

/// The journal of `dir` as changes, oldest first.
pub(super) fn changes<'a>(
    dir: &MigrationsDir,
    journal: &'a Journal,
) -> Result<Vec<Change<'a>>, GenerateError> {
    // Each committed migration is compared with what generation writes for its pair of
    // snapshots; destructive changes were confirmed when it was written, so they are allowed.
    let replay = DiffOptions {
        allow_destructive: true,
        ..DiffOptions::default()
    };
    let mut out = Vec::new();
    let mut previous: Option<Schema> = None;
    let mut entries = journal.entries.iter().peekable();
    while let Some(entry) = entries.next() {
        let snapshot = load_snapshot(dir, entry.idx)?;
        let (steps, refusal) = match diff::steps(previous.as_ref(), &snapshot, &replay) {
            Ok(steps) => (steps, None),
            Err(refusal) => (Vec::new(), Some(refusal)),
        };
        let expected_parts = steps.len();
        let mut steps = steps.into_iter();
        let mut parts = vec![(entry, steps.next())];
        // The later parts follow with the same snapshot.
        for step in steps {
            let Some(next) =
                entries.next_if(|e| load_snapshot(dir, e.idx).is_ok_and(|s| s == step.snapshot))
            else {
                break;
            };
            parts.push((next, Some(step)));
        }
        previous = non_empty(snapshot.clone());
        out.push(Change {
            parts,
            expected_parts,
            refusal,
            snapshot,
        });
    }
    Ok(out)
}
