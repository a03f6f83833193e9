//! A readable difference between two catalogs, for test failures and logs.
//!
//! Each catalog is flattened into named facts ("table users, index users_email_uq" →
//! its definition); the diff lists the facts whose values differ, so a failure names the one
//! object that differs instead of printing two long `Debug` dumps.

use super::types::Catalog;
use std::collections::BTreeMap;
use std::fmt;

/// The differences between two catalogs, `left` and `right` (see [`Catalog::diff`]).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CatalogDiff {
    /// One entry per differing fact, sorted by [`DiffEntry::what`].
    pub entries: Vec<DiffEntry>,
}

/// One fact that differs; `None` means the object is absent on that side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffEntry {
    /// Which object and property, e.g. `table users, column email`.
    pub what: String,
    /// The value in the left catalog (`self` of [`Catalog::diff`]).
    pub left: Option<String>,
    /// The value in the right catalog (the argument of [`Catalog::diff`]).
    pub right: Option<String>,
}

impl Catalog {
    /// What differs between `self` (left) and `other` (right). Empty exactly when the two
    /// catalogs are equal.
    pub fn diff(&self, other: &Catalog) -> CatalogDiff {
        let left = facts(self);
        let mut right = facts(other);
        let mut entries = Vec::new();
        for (what, value) in left {
            let other_value = right.remove(&what);
            if other_value.as_ref() != Some(&value) {
                entries.push(DiffEntry {
                    what,
                    left: Some(value),
                    right: other_value,
                });
            }
        }
        entries.extend(right.into_iter().map(|(what, value)| DiffEntry {
            what,
            left: None,
            right: Some(value),
        }));
        entries.sort_by(|a, b| a.what.cmp(&b.what));
        CatalogDiff { entries }
    }
}

impl CatalogDiff {
    /// Whether the two catalogs are equal.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn facts(catalog: &Catalog) -> BTreeMap<String, String> {
    let mut facts = BTreeMap::new();
    facts.insert("schema".to_string(), catalog.schema.clone());
    for ext in &catalog.extensions {
        facts.insert(format!("extension {ext}"), "installed".to_string());
    }
    for e in &catalog.enums {
        facts.insert(format!("enum {}", e.name), e.labels.join(", "));
    }
    for t in &catalog.tables {
        let prefix = format!("table {}", t.name);
        let order: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        facts.insert(format!("{prefix}, column order"), order.join(", "));
        for c in &t.columns {
            let mut value = c.data_type.clone();
            if c.not_null {
                value.push_str(" NOT NULL");
            }
            if let Some(default) = &c.default {
                value.push_str(" DEFAULT ");
                value.push_str(default);
            }
            if let Some(expression) = &c.generated {
                value.push_str(" GENERATED ALWAYS AS (");
                value.push_str(expression);
                value.push_str(") STORED");
            }
            if let Some(collation) = &c.collation {
                value.push_str(" COLLATE ");
                value.push_str(collation);
            }
            facts.insert(format!("{prefix}, column {}", c.name), value);
        }
        for k in &t.constraints {
            facts.insert(
                format!("{prefix}, constraint {}", k.name),
                k.definition.clone(),
            );
        }
        for i in &t.indexes {
            let invalid = if i.valid { "" } else { " (INVALID)" };
            facts.insert(
                format!("{prefix}, index {}", i.name),
                format!("{}{invalid}", i.definition),
            );
        }
        let flags = [
            (t.unlogged, "UNLOGGED"),
            (t.row_security, "ROW LEVEL SECURITY"),
            (t.force_row_security, "FORCE ROW LEVEL SECURITY"),
        ];
        for (_, flag) in flags.iter().filter(|(on, _)| *on) {
            facts.insert(format!("{prefix}, {flag}"), "on".to_string());
        }
        for (kind, objects) in [
            ("policy", &t.policies),
            ("trigger", &t.triggers),
            ("rule", &t.rules),
        ] {
            for o in objects {
                facts.insert(format!("{prefix}, {kind} {}", o.name), o.definition.clone());
            }
        }
    }
    for v in &catalog.views {
        let kind = if v.materialized {
            "materialized view"
        } else {
            "view"
        };
        facts.insert(format!("{kind} {}", v.name), v.definition.clone());
    }
    for s in &catalog.sequences {
        let owner = s.owned_by.as_deref().unwrap_or("no column");
        facts.insert(format!("sequence {}", s.name), format!("owned by {owner}"));
    }
    facts
}

impl fmt::Display for CatalogDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.entries.is_empty() {
            return f.write_str("the catalogs are identical");
        }
        writeln!(
            f,
            "the catalogs differ in {} place(s) (- left, + right):",
            self.entries.len()
        )?;
        for entry in &self.entries {
            writeln!(f, "  {}:", entry.what)?;
            let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_string());
            writeln!(f, "    - {}", side(&entry.left))?;
            writeln!(f, "    + {}", side(&entry.right))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::types::{Column, EnumType, Table};

    fn catalog(label: &str, column_type: &str) -> Catalog {
        Catalog {
            schema: "public".into(),
            extensions: vec!["plpgsql".into()],
            enums: vec![EnumType {
                name: "mood".into(),
                labels: vec!["ok".into(), label.into()],
            }],
            tables: vec![Table {
                name: "t".into(),
                columns: vec![Column {
                    name: "c".into(),
                    data_type: column_type.into(),
                    not_null: true,
                    default: None,
                    collation: None,
                    generated: None,
                }],
                constraints: vec![],
                foreign_keys: vec![],
                indexes: vec![],
                unlogged: false,
                row_security: false,
                force_row_security: false,
                policies: vec![],
                triggers: vec![],
                rules: vec![],
            }],
            views: vec![],
            sequences: vec![],
        }
    }

    #[test]
    fn equal_catalogs_have_an_empty_diff() {
        let diff = catalog("sad", "text").diff(&catalog("sad", "text"));
        assert!(diff.is_empty());
        assert_eq!(diff.to_string(), "the catalogs are identical");
    }

    #[test]
    fn diff_names_each_differing_object_with_both_values() {
        let diff = catalog("sad", "text").diff(&catalog("glad", "integer"));
        assert_eq!(
            diff.to_string(),
            "the catalogs differ in 2 place(s) (- left, + right):\n  \
             enum mood:\n    - ok, sad\n    + ok, glad\n  \
             table t, column c:\n    - text NOT NULL\n    + integer NOT NULL\n"
        );
    }

    #[test]
    fn an_object_on_one_side_only_is_shown_as_absent_on_the_other() {
        let mut right = catalog("sad", "text");
        right.extensions.push("pgcrypto".into());
        let diff = catalog("sad", "text").diff(&right);
        assert_eq!(diff.entries.len(), 1);
        assert_eq!(diff.entries[0].what, "extension pgcrypto");
        assert_eq!(diff.entries[0].left, None);
    }
}
