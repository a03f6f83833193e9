//! Writes the next migration for the question-bank schema in code.
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

use clap::Parser;
use schema_core::generate::{run, CommandArgs, GenerateOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Generate the next migration from the schema in code")]
struct Args {
    /// Only compare the committed migrations with the code; write nothing, exit 1 on a difference.
    #[arg(long)]
    check: bool,
    /// The name part of `NNNN_<name>.sql` (lowercase letters, digits, `_`).
    #[arg(long)]
    name: Option<String>,
    /// The migrations directory.
    #[arg(long, default_value = "migrations")]
    dir: PathBuf,
    /// Write changes that lose data (dropped tables or columns, removed enum labels, narrowed
    /// types, NOT NULL without a default) instead of refusing them.
    #[arg(long)]
    allow_destructive: bool,
    /// Write one change that needs confirmation, by the key the refusal gives it (e.g.
    /// drop-column:users.bio); repeatable.
    #[arg(long, value_name = "KEY")]
    allow: Vec<String>,
    #[command(flatten)]
    editable: Editable,
}

/// Custom and edited migrations.
#[derive(clap::Args)]
struct Editable {
    /// Write an empty migration to fill by hand (a backfill, a data fix); its snapshot is the
    /// previous one.
    #[arg(long)]
    custom: bool,
    /// Take `.sql` files missing from the journal into it as custom migrations.
    #[arg(long)]
    adopt: bool,
    /// With --check: the server on which a temporary database proves the migrations
    /// [default: the server of DATABASE_URL].
    #[arg(long, value_name = "URL")]
    shadow_database_url: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let command = CommandArgs {
        dir: args.dir,
        check: args.check,
        shadow_database_url: args.editable.shadow_database_url,
        options: GenerateOptions {
            name: args.name,
            allow_destructive: args.allow_destructive,
            custom: args.editable.custom,
            adopt_unlisted: args.editable.adopt,
            allow: args.allow,
        },
    };
    match run(&schema::SCHEMA, &command, &mut std::io::stdout()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
