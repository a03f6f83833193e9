//! Writes the next migration for the question-bank schema in code.
//!
//! ```text
//! cargo run --example generate                       # write migrations/NNNN_<name>.sql if the schema changed
//! cargo run --example generate -- --check            # fail if migrations/ lags the code
//! cargo run --example generate -- --name add_notes   # choose the migration's name
//! cargo run --example generate -- --allow-destructive
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
}

fn main() -> ExitCode {
    let args = Args::parse();
    let command = CommandArgs {
        dir: args.dir,
        check: args.check,
        options: GenerateOptions {
            name: args.name,
            allow_destructive: args.allow_destructive,
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
