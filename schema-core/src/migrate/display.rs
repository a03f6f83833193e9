//! How the runner's reports read: one line per event or migration, the same words in every
//! program that prints them.

use std::fmt;

use super::history::State;
use super::run::{Applied, DryRun, Report, Status};

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "applied {} in {:.1} ms{}",
            self.name,
            self.duration.as_secs_f64() * 1000.0,
            if self.transactional {
                ""
            } else {
                " (no transaction)"
            }
        )
    }
}

/// The summary line of a run, naming the database and server; the applied migrations were
/// announced as they happened.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = format!("`{}` at {}", self.database, self.server);
        if self.applied.is_empty() {
            write!(
                f,
                "nothing pending: {place} is up to date ({} applied)",
                plural(self.already_applied)
            )
        } else {
            write!(
                f,
                "{} applied to {place} ({} applied before)",
                plural(self.applied.len()),
                self.already_applied
            )
        }
    }
}

/// The SQL a run would send, each migration under a comment line naming it.
impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.database_exists {
            writeln!(f, "-- the database does not exist yet; a run creates it")?;
        }
        if self.pending.is_empty() {
            return write!(
                f,
                "nothing pending: all {} applied",
                plural(self.already_applied)
            );
        }
        for m in &self.pending {
            let mode = if m.transactional {
                ""
            } else {
                ", no transaction"
            };
            writeln!(f, "-- {} (sha256 {}{mode})", m.name, m.checksum)?;
            writeln!(f, "{}", m.sql.trim_end())?;
            writeln!(f)?;
        }
        write!(
            f,
            "-- dry run: {} would be applied; nothing was changed",
            plural(self.pending.len())
        )
    }
}

/// One line per migration: its state, its name, and when it was applied or what is wrong.
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.database_exists {
            writeln!(f, "the database does not exist yet")?;
        }
        if self.entries.is_empty() {
            return write!(f, "no migrations");
        }
        let width = self.entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
        for (i, entry) in self.entries.iter().enumerate() {
            let detail = match &entry.state {
                State::Applied {
                    applied_at,
                    adopted_from: Some(from),
                    ..
                } => format!("{applied_at}  adopted from {from}"),
                State::Applied {
                    applied_at,
                    duration_ms,
                    ..
                } => format!("{applied_at}  {duration_ms:.1} ms"),
                State::Pending => String::new(),
                State::Problem(problem) => problem.to_string(),
            };
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{:<12} {:<width$}  {detail}", entry.label(), entry.name)?;
        }
        Ok(())
    }
}

impl Status {
    /// How many migrations would make a run refuse to apply anything.
    pub fn refused(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.state, State::Problem(_)))
            .count()
    }
}

pub(crate) fn plural(n: usize) -> String {
    if n == 1 {
        "1 migration".into()
    } else {
        format!("{n} migrations")
    }
}
