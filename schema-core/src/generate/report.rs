//! What `generate` wrote, with the hazards a reviewer must weigh before applying it.

use super::Generated;
use crate::online::Hazard;
use std::fmt;
use std::path::PathBuf;

/// The result of [`super::generate_report`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateReport {
    /// Whether migrations were written, and which.
    pub generated: Generated,
    /// Each hazard with the migration file that holds its statement.
    pub hazards: Vec<(PathBuf, Hazard)>,
    /// The changes the migrations written make, in the words `verify` uses for them.
    pub changes: Vec<crate::diff::SchemaChange>,
}

impl fmt::Display for GenerateReport {
    /// The hazards, one paragraph each; nothing when there are none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hazards.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "hazard: {} statement(s) cannot be made online; they were written, review them before applying:",
            self.hazards.len()
        )?;
        for (file, hazard) in &self.hazards {
            writeln!(f, "  - `{}`: {hazard}", file.display())?;
        }
        Ok(())
    }
}
