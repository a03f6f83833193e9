//! Enum changes: new labels are added in place (`ADD VALUE ... BEFORE/AFTER`); a label
//! removed or moved needs the type rebuilt, because PostgreSQL cannot drop or reorder labels.

use crate::model::{EnumDef, Name};
use crate::plan::{LabelPosition, Statement};

/// What happens to an enum that exists before and after.
pub enum EnumChange {
    Same,
    /// Only additions: these statements, in order.
    Added(Vec<Statement>),
    /// Rebuilt; the labels that are gone (empty when labels were only reordered).
    Rebuilt {
        removed: Vec<Name>,
    },
}

/// Compares an enum's labels (old already under new names) with the code's.
pub fn change(old: &EnumDef, new: &EnumDef) -> EnumChange {
    if old.labels == new.labels {
        return EnumChange::Same;
    }
    let kept: Vec<&Name> = new
        .labels
        .iter()
        .filter(|l| old.labels.contains(l))
        .collect();
    let removed: Vec<Name> = old
        .labels
        .iter()
        .filter(|l| !new.labels.contains(l))
        .cloned()
        .collect();
    let in_order =
        kept.len() == old.labels.len() && kept.iter().zip(old.labels.iter()).all(|(a, b)| *a == b);
    if !removed.is_empty() || !in_order {
        return EnumChange::Rebuilt { removed };
    }
    EnumChange::Added(additions(old, new))
}

/// `ADD VALUE` for each new label, in order, each placed after its predecessor in the code (or
/// before the first old label when it comes first), so the final order is the code's.
fn additions(old: &EnumDef, new: &EnumDef) -> Vec<Statement> {
    let mut out = Vec::new();
    for (i, label) in new.labels.iter().enumerate() {
        if old.labels.contains(label) {
            continue;
        }
        let position = if i > 0 {
            Some(LabelPosition::After(new.labels[i - 1].clone()))
        } else {
            new.labels
                .iter()
                .find(|l| old.labels.contains(l))
                .map(|l| LabelPosition::Before(l.clone()))
        };
        out.push(Statement::AddEnumLabel {
            enum_name: new.name.clone(),
            label: label.clone(),
            position,
        });
    }
    out
}

/// The labels added to existing enums by `statements`, as (enum, label).
pub fn added_labels(statements: &[Statement]) -> Vec<(Name, Name)> {
    statements
        .iter()
        .filter_map(|s| match s {
            Statement::AddEnumLabel {
                enum_name, label, ..
            } => Some((enum_name.clone(), label.clone())),
            _ => None,
        })
        .collect()
}
