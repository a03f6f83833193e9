//! Proving the committed SQL on a shadow database: a temporary database, created and dropped
//! here, to which every migration is applied with the runner; after each one the catalog is
//! compared with that migration's snapshot (as `verify` compares a live database with code),
//! and at the end with the schema in code. This is what lets a migration be edited by hand
//! or written from scratch: what counts is where it leads, not its bytes.

use super::{changes, load_snapshot, shadow, GenerateError};
use crate::catalog::{self, CatalogError};
use crate::connection::DatabaseConfig;
use crate::files::journal::MigrationsDir;
use crate::migrate::{self, MigrateError, Migrator};
use crate::model::Schema;
use std::fmt;
use tokio_postgres::Client;

/// What the shadow database showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// `host:port` of the server the shadow database was made on.
    pub server: String,
    /// Migrations applied and compared.
    pub proved: usize,
    /// Downs applied (newest first, after every migration) and compared with the snapshot
    /// before their migration.
    pub downs_proved: usize,
    /// Downs that are missing or hold no statement yet (custom migrations), so were not
    /// tried.
    pub downs_unwritten: Vec<String>,
    /// Whether the proof of the downs stopped at the last of [`Proof::downs_unwritten`]: its
    /// migration changed the schema, so the older downs could not be reached.
    pub downs_stopped: bool,
    /// Shadow databases left by runs that were killed before they could drop them, dropped
    /// by this one (see [`super::SHADOW_PREFIX`]).
    pub shadows_dropped: Vec<String>,
    /// Each way the migrations do not lead where their snapshots say; empty when proved.
    pub problems: Vec<String>,
}

impl Proof {
    /// Whether no problem was found: each migration and each down tried led to its snapshot,
    /// the last migration to the schema in code.
    pub fn is_proved(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.shadows_dropped.is_empty() {
            writeln!(
                f,
                "dropped {} shadow database(s) that killed runs left: {}",
                self.shadows_dropped.len(),
                self.shadows_dropped.join(", ")
            )?;
        }
        if self.is_proved() {
            write!(
                f,
                "proved on a shadow database at {}: {} applied, each leading to its snapshot, \
                 the last to the schema in code; then {} down(s), each leading back to the \
                 snapshot before",
                self.server,
                if self.proved == 1 {
                    "1 migration".to_string()
                } else {
                    format!("{} migrations", self.proved)
                },
                self.downs_proved
            )?;
            if !self.downs_unwritten.is_empty() {
                let files: Vec<String> = self
                    .downs_unwritten
                    .iter()
                    .map(|d| format!("`{d}`"))
                    .collect();
                write!(
                    f,
                    " (not tried: {}, missing or holding no statement yet, which `revert` cannot \
                     pass{})",
                    files.join(", "),
                    if self.downs_stopped {
                        "; the older downs could not be reached"
                    } else {
                        ""
                    }
                )?;
            }
            return Ok(());
        }
        write!(f, "on a shadow database at {}:", self.server)?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// Why the proof could not be made at all (as opposed to a proof that failed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError {
    /// No server, no permission to create a database, or a lost connection.
    #[error(transparent)]
    Server(#[from] MigrateError),
    /// The shadow database's catalog could not be read.
    #[error("reading the shadow database's catalog")]
    Catalog(#[from] CatalogError),
    /// The runtime that drives the proof's connections could not be started.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// The journal or a snapshot could not be read, or a snapshot breaks a registry rule.
    #[error(transparent)]
    Files(#[from] GenerateError),
}

impl From<crate::connection::ConnectError> for ProveError {
    fn from(e: crate::connection::ConnectError) -> Self {
        Self::Server(e.into())
    }
}

/// Applies every migration of `dir` to a new database on `server`'s server, comparing the
/// catalog after each with its snapshot and at the end with `schema`; the database is
/// dropped afterwards, whatever happened.
pub async fn prove(
    schema: &Schema,
    dir: &MigrationsDir,
    server: &DatabaseConfig,
) -> Result<Proof, ProveError> {
    let mut proof = Proof {
        server: server.target(),
        proved: 0,
        downs_proved: 0,
        downs_unwritten: Vec::new(),
        downs_stopped: false,
        shadows_dropped: Vec::new(),
        problems: Vec::new(),
    };
    let migrator = match Migrator::from_dir(dir.root()) {
        Ok(migrator) => migrator,
        Err(e @ MigrateError::Files(_)) => {
            proof.problems.push(e.to_string());
            return Ok(proof);
        }
        Err(e) => return Err(e.into()),
    };
    let shadow = shadow::open(server).await?;
    proof.shadows_dropped = shadow.dropped_stale.clone();
    let result = match server.with_database(&shadow.name).connect().await {
        Ok(client) => apply_and_compare(&client, schema, dir, &migrator, &mut proof).await,
        Err(e) => Err(e.into()),
    };
    // The client above is gone; closing ends whatever connection is left.
    let dropped = shadow.close().await;
    result?;
    if let Err(problem) = dropped {
        proof.problems.push(problem);
    }
    Ok(proof)
}

async fn apply_and_compare(
    client: &Client,
    schema: &Schema,
    dir: &MigrationsDir,
    migrator: &Migrator,
    proof: &mut Proof,
) -> Result<(), ProveError> {
    let journal = dir.journal().map_err(GenerateError::from)?;
    let changes = changes::changes(dir, &journal)?;
    for change in &changes {
        // The parts of an online change are applied one after the other, as the runner
        // applies them; only after the last does the database match their shared snapshot.
        for (entry, _) in &change.parts {
            let file = crate::sql::up_file(&entry.tag);
            let Some(migration) = migrator.migrations().iter().find(|m| m.name == file) else {
                proof.problems.push(format!(
                    "`{file}` is listed in the journal but not in the folder"
                ));
                return Ok(());
            };
            match migrate::apply_one(client, migration).await {
                Ok(_) => {}
                Err(MigrateError::Statement(failure)) => {
                    proof.problems.push(format!("{failure}"));
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            }
        }
        let (last, _) = change.parts[change.parts.len() - 1];
        let report = catalog::verify(client, &change.snapshot).await?;
        if !report.is_clean() {
            let file = crate::sql::up_file(&last.tag);
            let mut text = match change.parts.len() {
                1 => format!("after `{file}` the database differs from its snapshot"),
                n => format!(
                    "after `{file}`, the last of the {n} migrations of the change `{}` begins, \
                     the database differs from their snapshot",
                    crate::sql::up_file(&change.parts[0].0.tag)
                ),
            };
            text.push_str(&format!(
                " `{}`; the edit changes the outcome (put schema changes in code and let \
                 `generate` write them; an object the code cannot declare, such as a function \
                 or a trigger, goes in a migration whose header says `{}`, and `generate \
                 --carry` then writes it into the snapshots):",
                dir.snapshot_path(last.idx).display(),
                crate::files::CARRIED_MARKER
            ));
            for drift in &report.drifts {
                text.push_str(&format!("\n      - {drift}"));
            }
            proof.problems.push(text);
            return Ok(());
        }
        proof.proved += change.parts.len();
    }
    // The code declares no carried object: the last snapshot holds them.
    let expected = super::with_carried(schema, changes.last().map(|c| &c.snapshot));
    let report = catalog::verify(client, &expected).await?;
    if !report.is_clean() {
        let mut text = String::from(
            "after the last migration the database differs from the schema in code \
             (run `generate` to write the missing migration):",
        );
        for drift in &report.drifts {
            text.push_str(&format!("\n      - {drift}"));
        }
        proof.problems.push(text);
        return Ok(());
    }
    prove_downs(client, dir, migrator, &changes, proof).await
}

/// Newest first, each down is applied as `revert` applies it; after the down of a change's
/// first migration (the only one for most changes) the database must match the snapshot
/// before the change. A down that `revert` passes with nothing to run (`-- schema:nothing-to-
/// undo`) is applied too, so the proof goes on to the older ones; a down not written yet is
/// skipped when its migration leaves the schema as it found it (a custom migration), and ends
/// the proof otherwise, since the database cannot be taken back past it.
async fn prove_downs(
    client: &Client,
    dir: &MigrationsDir,
    migrator: &Migrator,
    changes: &[changes::Change<'_>],
    proof: &mut Proof,
) -> Result<(), ProveError> {
    for change in changes.iter().rev() {
        let (first, _) = change.parts[0];
        let before = match first.idx {
            0 => Schema::default(),
            idx => load_snapshot(dir, idx - 1)?,
        };
        // A snapshot without tables or enums keeps the schema unless it carries objects: a
        // carried migration before the tables (a domain, a sequence) changes it.
        let keeps_schema = before == change.snapshot
            || (change.snapshot.enums.is_empty()
                && change.snapshot.tables.is_empty()
                && !change.snapshot.carries_anything());
        let mut tried = 0;
        for (entry, _) in change.parts.iter().rev() {
            let file = crate::sql::down_file(&entry.tag);
            let down = migrator.downs().iter().find(|d| d.name == file);
            let passable = down.filter(|d| {
                !d.statements.is_empty()
                    || d.sql
                        .lines()
                        .any(|l| l.trim() == crate::files::NOTHING_TO_UNDO_MARKER)
            });
            let Some(down) = passable else {
                // A missing down is `check`'s to report; here it is only not tried.
                proof.downs_unwritten.push(file);
                if keeps_schema {
                    continue;
                }
                proof.downs_stopped = true;
                return Ok(());
            };
            match migrate::revert_one(client, i64::from(entry.idx), down).await {
                Ok(_) => {}
                Err(MigrateError::Statement(failure)) => {
                    proof.problems.push(format!("{failure}"));
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            }
            tried += 1;
        }
        let report = catalog::verify(client, &before).await?;
        if !report.is_clean() {
            let file = crate::sql::down_file(&first.tag);
            let mut text = format!(
                "after `{file}` the database differs from the snapshot before its migration; \
                 the down does not undo it:"
            );
            for drift in &report.drifts {
                text.push_str(&format!("\n      - {drift}"));
            }
            proof.problems.push(text);
            return Ok(());
        }
        proof.downs_proved += tried;
    }
    Ok(())
}

#[cfg(test)]
mod error_tests {
    use super::*;
    use crate::errors::{assert_keeps_source, client_error};

    #[test]
    fn a_catalog_or_runtime_failure_keeps_its_cause() {
        let e = ProveError::Catalog(CatalogError::Query {
            what: "tables",
            source: client_error(),
        });
        assert_keeps_source::<CatalogError>(&e);
        assert_keeps_source::<std::io::Error>(&ProveError::Runtime(std::io::Error::other(
            "no threads",
        )));
        // A server error reads as the migrator's own, not twice.
        let e = ProveError::Server(MigrateError::Database {
            during: "creating the shadow database".into(),
            source: client_error(),
        });
        let chain = crate::errors::error_chain(&e);
        assert_eq!(
            chain.matches("creating the shadow database").count(),
            1,
            "{chain}"
        );
    }
}
