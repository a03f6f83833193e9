//! What `verify` reports: the changes that would bring the live database to the schema in
//! code, found by the one diff of two models (see [`crate::diff::changes`]).

use crate::diff::{changes, SchemaChange};
use crate::model::{Name, Schema};
use crate::plan::EXTENSION;
use std::borrow::Cow;
use std::fmt;

/// Compares a database's schema, already read (see [`read`](super::read)), with the schema
/// in code. Pure: no database needed, so a schema read once can be checked against several.
pub fn compare(database: &Schema, code: &Schema) -> DriftReport {
    DriftReport {
        schema: database.pg_schema.to_string(),
        drifts: changes(database, &as_migrated(code, database)),
    }
}

/// The schema in code as its migrations leave a database: the first migration installs
/// `pgcrypto`, which a database before it may have too.
fn as_migrated<'a>(code: &'a Schema, database: &Schema) -> Cow<'a, Schema> {
    let migrated = !(code.tables.is_empty() && code.enums.is_empty());
    let installed = database.extensions.iter().any(|e| e == EXTENSION);
    if !(migrated || installed) || code.extensions.iter().any(|e| e == EXTENSION) {
        return Cow::Borrowed(code);
    }
    let mut code = code.clone();
    code.extensions.to_mut().push(Name::Borrowed(EXTENSION));
    Cow::Owned(code)
}

/// Everything `verify` found; clean when empty.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DriftReport {
    /// The schema that was compared (e.g. `public`).
    pub schema: String,
    /// Every difference found: enums, then tables in the code's order, then extra tables
    /// and other objects.
    pub drifts: Vec<SchemaChange>,
}

impl DriftReport {
    /// True when the database matches the code exactly.
    pub fn is_clean(&self) -> bool {
        self.drifts.is_empty()
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return write!(
                f,
                "schema `{}` matches the schema in code: no drift",
                self.schema
            );
        }
        writeln!(
            f,
            "schema `{}` differs from the schema in code in {} place(s):",
            self.schema,
            self.drifts.len()
        )?;
        for drift in &self.drifts {
            writeln!(f, "  - {drift}")?;
        }
        write!(
            f,
            "Apply the pending migrations (the `migrate` command). If none are pending, either \
             the code changed without a migration (the `generate` command writes it) or \
             the database was changed by hand: undo that change or declare it in code."
        )
    }
}
