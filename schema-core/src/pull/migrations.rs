//! The `migrations/` folder of the pulled crate: the initial migration `generate` writes for
//! the schema as code, and around it the carried migrations (see [`super::carried`]) that
//! make what the code does not declare, each with a down that removes it again.

use super::carried;
use super::PullError;
use crate::files::journal::MigrationsDir;
use crate::generate::{self, GenerateOptions};
use crate::model::Schema;
use crate::render::Carried;
use crate::sql::STATEMENT_BREAKPOINT;

/// The name of the carried migration before the tables.
const BEFORE: &str = "carried_before_tables";
/// The name of the carried migration after them.
const AFTER: &str = "carried_after_tables";

/// What goes in the folder: each migration's name, and the carried objects, by where they go.
pub(super) struct Plan<'a> {
    before: Vec<Carried<'a>>,
    after: Vec<Carried<'a>>,
}

impl<'a> Plan<'a> {
    pub(super) fn of(schema: &'a Schema) -> Self {
        let (before, after) = carried::split(schema);
        Plan { before, after }
    }

    /// The migrations' tags, in order.
    fn tags(&self) -> Vec<String> {
        let mut names = Vec::new();
        if !self.before.is_empty() {
            names.push(BEFORE);
        }
        names.push("initial");
        if !self.after.is_empty() {
            names.push(AFTER);
        }
        (names.iter().enumerate())
            .map(|(i, n)| format!("{i:04}_{n}"))
            .collect()
    }

    /// The files under `migrations/`, relative to the crate.
    pub(super) fn files(&self) -> Vec<String> {
        let mut files = vec!["migrations/meta/_journal.json".to_string()];
        for (i, tag) in self.tags().iter().enumerate() {
            files.push(format!("migrations/{tag}.sql"));
            files.push(format!("migrations/{tag}.down.sql"));
            files.push(format!("migrations/meta/{i:04}_snapshot.json"));
        }
        files
    }

    /// One line per carried object: what it is and the migration that makes it.
    pub(super) fn report(&self) -> Vec<String> {
        let tags = self.tags();
        let line =
            |c: &Carried, tag: &String| format!("{} in `migrations/{tag}.sql`", c.describe());
        let mut out: Vec<String> = (self.before.iter()).map(|c| line(c, &tags[0])).collect();
        if let Some(last) = tags.last().filter(|_| !self.after.is_empty()) {
            out.extend(self.after.iter().map(|c| line(c, last)));
        }
        out
    }

    /// Writes the migrations into the empty folder `dir` for `schema` (whose code is
    /// `code`, the schema without carried objects).
    pub(super) fn write(
        &self,
        dir: &MigrationsDir,
        schema: &Schema,
        code: &Schema,
        origin: &str,
    ) -> Result<(), PullError> {
        if !self.before.is_empty() {
            // The tables are not there yet: the snapshot holds the carried objects alone.
            let mut snapshot = Schema::new(Default::default(), Default::default());
            snapshot.pg_schema = schema.pg_schema.clone();
            snapshot.extensions = (schema.extensions.iter())
                .filter(|e| {
                    self.before
                        .iter()
                        .any(|c| matches!(c, Carried::Extension(n) if n == e))
                })
                .cloned()
                .collect::<Vec<_>>()
                .into();
            snapshot.sequences = schema.sequences.clone();
            snapshot.domains = schema.domains.clone();
            snapshot.functions = (schema.functions.iter())
                .filter(|f| {
                    self.before
                        .iter()
                        .any(|c| matches!(c, Carried::Function(b) if b.name == f.name))
                })
                .cloned()
                .collect::<Vec<_>>()
                .into();
            write_carried(dir, BEFORE, &self.before, &snapshot, schema, origin)?;
        }
        let options = GenerateOptions {
            name: Some("initial".into()),
            ..GenerateOptions::default()
        };
        generate::generate(code, dir, &options)?;
        if !self.after.is_empty() {
            let journal = dir.journal().map_err(generate::GenerateError::from)?;
            let initial = journal.entries.len() as u32 - 1;
            let snapshot = (dir
                .snapshot(initial)
                .map_err(generate::GenerateError::from)?)
            .without_carried()
            .with_carried_from(schema);
            write_carried(dir, AFTER, &self.after, &snapshot, schema, origin)?;
        }
        Ok(())
    }
}

fn write_carried(
    dir: &MigrationsDir,
    name: &str,
    objects: &[Carried],
    snapshot: &Schema,
    schema: &Schema,
    origin: &str,
) -> Result<(), PullError> {
    let files = |e| PullError::Generate(generate::GenerateError::from(e));
    let mut ups = Vec::new();
    let mut downs = Vec::new();
    if !schema.is_public() {
        let set = format!(
            "SET search_path TO {};",
            crate::sql::quote_ident(&schema.pg_schema)
        );
        ups.push(set.clone());
        downs.push(set);
    }
    // A function's body may call a function made after it (pg_dump orders by name, as the
    // reader does): the bodies are checked when they run, not when they are made.
    if objects.iter().any(|c| matches!(c, Carried::Function(_))) {
        ups.push("SET LOCAL check_function_bodies = false;".to_string());
    }
    for c in objects {
        ups.extend(c.create());
    }
    for c in objects.iter().rev() {
        downs.extend(c.drop());
    }
    let tag = format!("{:04}_{name}", dir.journal().map_err(files)?.entries.len());
    let sql = format!(
        "{}\n-- {tag}: written by `pull` {origin}: what the schema language does not declare, \
         as the\n-- server printed it. Its snapshot holds the same objects, so `verify`, `adopt` \
         and\n-- `generate --check` know them as the project's own.\n{}\n",
        crate::files::CARRIED_MARKER,
        ups.join(&format!("\n{STATEMENT_BREAKPOINT}\n"))
    );
    let entry = dir.write(name, &sql, snapshot).map_err(files)?;
    let down = format!(
        "-- Down of {tag}: removes what it made, in the reverse order.\n{}\n",
        downs.join(&format!("\n{STATEMENT_BREAKPOINT}\n"))
    );
    dir.write_new(&dir.down_path(&entry.tag), &down)
        .map_err(files)?;
    Ok(())
}
