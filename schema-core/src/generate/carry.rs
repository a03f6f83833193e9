//! `generate --carry`: the snapshots of carried migrations (a header line `-- schema:carried`)
//! completed with the objects they make, as the server prints them. Every migration is
//! applied to a shadow database; after each carried one the catalog is read, and its objects
//! (functions, triggers, views...) replace the carried objects of that migration's snapshot.
//! The snapshots after it take them over, so that a carried migration edited later reaches
//! every snapshot that follows. Tables, columns, keys and indexes stay the code's: a carried
//! migration that changes them is caught by `generate --check`, not absorbed here.

use super::{load_snapshot, shadow, GenerateError, ProveError};
use crate::catalog;
use crate::connection::DatabaseConfig;
use crate::files::journal::MigrationsDir;
use crate::migrate::{self, MigrateError, Migrator};
use crate::model::Schema;
use std::fmt;

/// What `generate --carry` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CarryReport {
    /// `host:port` of the server the shadow database was made on.
    pub server: String,
    /// The carried migrations, by file name, each with the number of objects and settings its
    /// snapshot now carries.
    pub carried: Vec<(String, usize)>,
    /// The snapshots rewritten, by path.
    pub rewritten: Vec<String>,
    /// Why the migrations could not all be applied (a failing statement); nothing was
    /// rewritten then.
    pub problems: Vec<String>,
}

impl fmt::Display for CarryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.problems.is_empty() {
            write!(
                f,
                "on a shadow database at {}, nothing was rewritten:",
                self.server
            )?;
            for problem in &self.problems {
                write!(f, "\n  - {problem}")?;
            }
            return Ok(());
        }
        if self.carried.is_empty() {
            return write!(
                f,
                "no carried migration (a header line `{}`): nothing to carry",
                crate::files::CARRIED_MARKER
            );
        }
        write!(f, "read on a shadow database at {}:", self.server)?;
        for (file, objects) in &self.carried {
            write!(f, "\n  `{file}` carries {objects} object(s)")?;
        }
        if self.rewritten.is_empty() {
            write!(f, "\nthe snapshots already held them: nothing rewritten")
        } else {
            write!(f, "\nrewrote {}", self.rewritten.join(", "))
        }
    }
}

/// Applies the migrations of `dir` to a new database on `server`'s server and rewrites the
/// snapshots from the first carried migration on (see the module's comment). The database
/// is dropped afterwards, whatever happened.
pub async fn carry(
    dir: &MigrationsDir,
    server: &DatabaseConfig,
) -> Result<CarryReport, ProveError> {
    let mut report = CarryReport {
        server: server.target(),
        ..CarryReport::default()
    };
    let migrator = Migrator::from_dir(dir.root())?;
    let shadow = shadow::open(server).await?;
    let result = match server.with_database(&shadow.name).connect().await {
        Ok(client) => read_carried(&client, dir, &migrator, &mut report).await,
        Err(e) => Err(e.into()),
    };
    let dropped = shadow.close().await;
    let snapshots = result?;
    if let Err(problem) = dropped {
        report.problems.push(problem);
    }
    if report.problems.is_empty() {
        for (idx, snapshot) in snapshots {
            dir.write_snapshot(idx, &snapshot)
                .map_err(GenerateError::from)?;
            report
                .rewritten
                .push(dir.snapshot_path(idx).display().to_string());
        }
    }
    Ok(report)
}

/// The snapshots that change, by migration number; empty when a statement failed (the
/// failure is in `report.problems`).
async fn read_carried(
    client: &tokio_postgres::Client,
    dir: &MigrationsDir,
    migrator: &Migrator,
    report: &mut CarryReport,
) -> Result<Vec<(u32, Schema)>, ProveError> {
    let journal = dir.journal().map_err(GenerateError::from)?;
    let mut changed = Vec::new();
    // The carried objects as the last migration left them, once a carried one was applied.
    let mut carried_now: Option<Schema> = None;
    for entry in &journal.entries {
        let file = crate::sql::up_file(&entry.tag);
        let Some(migration) = migrator.migrations().iter().find(|m| m.name == file) else {
            report.problems.push(format!(
                "`{file}` is listed in the journal but not in the folder"
            ));
            return Ok(Vec::new());
        };
        match migrate::apply_one(client, migration).await {
            Ok(_) => {}
            Err(MigrateError::Statement(failure)) => {
                report.problems.push(failure.to_string());
                return Ok(Vec::new());
            }
            Err(e) => return Err(e.into()),
        }
        let own = load_snapshot(dir, entry.idx)?;
        let snapshot = if crate::files::is_carried(&migration.sql) {
            let live = catalog::read(client, &own.pg_schema).await?;
            let snapshot = own.without_carried().with_carried_from(&live);
            report.carried.push((file, snapshot.carried_count()));
            snapshot
        } else if let Some(before) = &carried_now {
            own.without_carried().with_carried_from(before)
        } else {
            continue;
        };
        if snapshot != own {
            changed.push((entry.idx, snapshot.clone()));
        }
        carried_now = Some(snapshot);
    }
    Ok(changed)
}
