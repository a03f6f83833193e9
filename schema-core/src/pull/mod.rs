//! `pull`: a live database into schema code. Reads one PostgreSQL schema of a database into
//! the model, then writes a crate that rebuilds it: `Cargo.toml`, the schema as `#[pg_enum]`
//! and `#[table]` items with the `schema!` list (`src/lib.rs`), a `migrate` program over the
//! command line (`src/bin/migrate.rs`), and `migrations/0000_initial.sql` with its snapshot,
//! rendered by the same code `generate` uses. `cargo run --bin migrate` then works in the
//! folder with no edit, and `adopt` on the pulled database takes it over by catalog proof.
//!
//! Every name of the database is kept exactly: a Rust name that would derive another SQL name
//! says `name = ".."`. The tables other tools keep their history in
//! ([`crate::catalog::BOOKKEEPING_TABLES`]) are left out and listed.

mod carried;
mod code;
mod count;
mod coverage;
mod features;
mod grants;
mod migrations;
mod project;
mod read;
mod rust_names;

pub use count::{coverage, Coverage, Reason, TableCoverage};
pub use project::Dependency;

use crate::model::Schema;
use std::path::PathBuf;

/// Where and how to write the pulled crate.
#[derive(Clone, Debug, Default)]
pub struct PullOptions {
    /// The folder of the new crate; refused when it holds anything, unless `force`.
    pub out: PathBuf,
    /// How the crate depends on schema-core.
    pub schema_core: Dependency,
    /// Replace the files an earlier `pull` wrote in `out` (and no other).
    pub force: bool,
}

/// What `pull` wrote and what it noticed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullReport {
    /// The files written, relative to the crate's folder.
    pub files: Vec<String>,
    /// Rust names that differ from the SQL names more than by case (collisions resolved).
    pub renamed: Vec<String>,
    /// Other tools' bookkeeping tables that were left out.
    pub left_out: Vec<String>,
    /// The objects the schema language does not declare, each with the carried migration
    /// that makes it.
    pub carried: Vec<String>,
    /// What to do on the database before `adopt` can prove it, e.g. install an extension
    /// the initial migration installs.
    pub before_adopt: Vec<String>,
}

/// Why `pull` wrote nothing (or, for an I/O error, stopped).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PullError {
    /// The folder holds files and `--force` was not given.
    #[error("`{}` is not empty; give another folder, or --force to replace the files an earlier `pull` wrote there", dir.display())]
    Exists {
        /// The folder.
        dir: PathBuf,
    },
    /// `--force` was given, but files `pull` would write are not ones it wrote.
    #[error("{} would be overwritten, and `pull` did not write {}; move them away or pull into another folder", list(files), if files.len() == 1 { "it" } else { "them" })]
    NotOurs {
        /// The files.
        files: Vec<PathBuf>,
    },
    /// Parts of the schema the schema language cannot express yet.
    #[error("the schema holds what the code cannot express yet:\n  {}", .0.join("\n  "))]
    Inexpressible(Vec<String>),
    /// A file or folder could not be written.
    #[error("cannot write `{}`", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The initial migration could not be written.
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),
    /// No connection to the database.
    #[error(transparent)]
    Connect(#[from] crate::connection::ConnectError),
    /// The catalog could not be read.
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
}

impl PullError {
    /// What a user can do about the error, in one or two sentences.
    pub fn help(&self) -> String {
        match self {
            PullError::Exists { .. } | PullError::NotOurs { .. } => "Nothing was written.".into(),
            PullError::Inexpressible(_) => "Nothing was written. The schema language does not \
                say these yet; a database without them (or with them dropped) can be pulled."
                .into(),
            PullError::Io { .. } => "Check the folder's permissions and free space.".into(),
            PullError::Generate(e) => e.help().unwrap_or_default().into(),
            PullError::Connect(e) => e.help(),
            PullError::Catalog(_) => "Check that the user may read pg_catalog, and that \
                --pg-schema names a schema of this database."
                .into(),
        }
    }
}

fn list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| format!("`{}`", f.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the PostgreSQL schema `pg_schema` of the database `db` names and writes the crate that
/// rebuilds it into `options.out`.
pub async fn pull(
    db: &crate::connection::DatabaseConfig,
    pg_schema: &str,
    options: &PullOptions,
) -> Result<PullReport, PullError> {
    let (schema, left_out) = read::read(db, pg_schema).await?;
    let origin = format!(
        "of database `{}` (schema `{pg_schema}`) on {}",
        db.database(),
        db.target()
    );
    let mut report = write_project(&schema, &origin, options)?;
    report.left_out = left_out;
    // The migrations install pgcrypto (for gen_random_uuid() before PostgreSQL 13), so the
    // proof expects it; a database that has none needs it first.
    if !schema.extensions.iter().any(|e| e == "pgcrypto") {
        report.before_adopt.push(
            "CREATE EXTENSION IF NOT EXISTS \"pgcrypto\"; (the initial migration installs it, \
             and adopt proves the database has everything the migration makes)"
                .into(),
        );
    }
    Ok(report)
}

/// Writes the crate for a schema already read (or built by hand). `origin` says where it was
/// read from, for the crate's doc comment (e.g. `of database `shop` on db:5432`).
pub fn write_project(
    schema: &Schema,
    origin: &str,
    options: &PullOptions,
) -> Result<PullReport, PullError> {
    let problems = coverage::inexpressible(schema);
    if !problems.is_empty() {
        return Err(PullError::Inexpressible(problems));
    }
    let code = schema.without_carried();
    let names = code::Names::of(&code);
    let sources = code::sources(&code, &names, origin);
    let (files, carried) = project::write(
        &options.out,
        schema,
        &code,
        sources,
        &options.schema_core,
        options.force,
        origin,
    )?;
    Ok(PullReport {
        files,
        renamed: names.notes,
        left_out: Vec::new(),
        before_adopt: Vec::new(),
        carried,
    })
}

impl std::fmt::Display for PullReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "wrote {} files: {}",
            self.files.len(),
            self.files.join(", ")
        )?;
        if !self.left_out.is_empty() {
            write!(
                f,
                "\nleft out, as other tools' bookkeeping: {}",
                self.left_out.join(", ")
            )?;
        }
        if !self.carried.is_empty() {
            write!(
                f,
                "\ncarried ({} object(s) the schema language does not declare, made by carried \
                 migrations):",
                self.carried.len()
            )?;
            for line in &self.carried {
                write!(f, "\n  {line}")?;
            }
        }
        for note in &self.renamed {
            write!(f, "\nrenamed: {note}")?;
        }
        for step in &self.before_adopt {
            write!(f, "\nbefore adopt, run on the database: {step}")?;
        }
        Ok(())
    }
}
