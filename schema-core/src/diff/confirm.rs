//! Changes that need a reviewer's word, each under a key of its own
//! (`drop-column:users.bio`), so that one can be confirmed without confirming the rest;
//! and the refusal that lists them.

use std::fmt;

/// What can go wrong with a change that needs confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Risk {
    /// Data is lost: a dropped table or column, a removed label, a narrowed type.
    LosesData,
    /// Nothing is lost, but the migration fails on rows that do not fit (NOT NULL on a
    /// column holding NULLs); a backfill before it makes it pass.
    MayFail,
}

/// One change that is written only once confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    /// What confirms it: `--allow <key>`, or the key in `GenerateOptions::allow`.
    pub key: String,
    /// Whether it loses data or may fail.
    pub risk: Risk,
    /// The change and what it costs.
    pub message: String,
}

impl Confirmation {
    /// A change that loses data, confirmed by `key`.
    pub fn loses_data(key: String, message: String) -> Self {
        Confirmation {
            key,
            risk: Risk::LosesData,
            message,
        }
    }

    /// A change that may fail on rows that do not fit, confirmed by `key`.
    pub fn may_fail(key: String, message: String) -> Self {
        Confirmation {
            key,
            risk: Risk::MayFail,
            message,
        }
    }
}

impl fmt::Display for Confirmation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (confirm with `{}`)", self.message, self.key)
    }
}

/// Changes that were not written, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct Refusal {
    /// Changes that need confirmation (they lose data or may fail on existing rows).
    pub destructive: Vec<Confirmation>,
    /// Changes that cannot be written safely; the code must change.
    pub impossible: Vec<String>,
    /// Keys given to confirm changes that are not in this diff (a typo, or a change that
    /// is gone): refused, so that a confirmation never silently confirms nothing.
    pub unknown_keys: Vec<String>,
    /// Advice on the changes, e.g. a drop and an add that look like an undeclared rename.
    pub hints: Vec<String>,
}

impl Refusal {
    fn message(&self) -> String {
        let mut out = String::from("no migration was written:");
        if !self.impossible.is_empty() {
            out.push_str("\nthese changes cannot be migrated safely:");
            for c in &self.impossible {
                out.push_str(&format!("\n  - {c}"));
            }
        }
        let section = |risk: Risk| self.destructive.iter().filter(move |c| c.risk == risk);
        if section(Risk::LosesData).next().is_some() {
            out.push_str("\nthese changes lose data:");
            for c in section(Risk::LosesData) {
                out.push_str(&format!("\n  - {}: {}", c.key, c.message));
            }
        }
        if section(Risk::MayFail).next().is_some() {
            out.push_str("\nthese changes lose nothing but fail if a row does not fit:");
            for c in section(Risk::MayFail) {
                out.push_str(&format!("\n  - {}: {}", c.key, c.message));
            }
        }
        for key in &self.unknown_keys {
            let known: Vec<&str> = self.destructive.iter().map(|c| c.key.as_str()).collect();
            out.push_str(&format!(
                "\n`{key}` was given to confirm a change, but no change of this migration has \
                 that key{}",
                if known.is_empty() {
                    String::new()
                } else {
                    format!(" (the keys are: {})", known.join(", "))
                }
            ));
        }
        if let Some(first) = self.destructive.first() {
            out.push_str(&format!(
                "\nreview each one; to write one, confirm it by its key, e.g. `--allow {key}` to \
                 `generate` (repeatable; from code: `GenerateOptions {{ allow: vec![\"{key}\".into()], .. }}`), \
                 or all at once with `--allow-destructive` (from code: \
                 `GenerateOptions {{ allow_destructive: true, .. }}`)",
                key = first.key
            ));
        }
        for hint in &self.hints {
            out.push_str(&format!("\nhint: {hint}"));
        }
        out
    }
}
