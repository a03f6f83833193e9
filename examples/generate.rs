//! Writes the next migration for the question-bank schema in code: `migrate generate` under a
//! name of its own.
//!
//! ```text
//! cargo run --example generate                       # write migrations/NNNN_<name>.sql if the schema changed
//! cargo run --example generate -- --check            # fail if migrations/ lags the code
//! cargo run --example generate -- --name add_notes   # choose the migration's name
//! cargo run --example generate -- --allow-destructive
//! cargo run --example generate -- --allow drop-column:users.bio   # confirm one change
//! cargo run --example generate -- --custom --name backfill_x   # an empty migration to fill by hand
//! cargo run --example generate -- --adopt            # take hand-written .sql files into the journal
//! ```

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    args.insert(1.min(args.len()), "generate".into());
    schema_core::cli::Cli::new(&schema::SCHEMA)
        .name("migrate")
        .version(env!("CARGO_PKG_VERSION"))
        .migrations(schema_core::embed_migrations!("migrations"))
        .default_database_url(schema::DEFAULT_DATABASE_URL)
        .main_from(args)
}
