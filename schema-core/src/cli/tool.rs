//! The `schema-core` program: the commands a team runs before it has a schema of its own in
//! code (`pull`), installed with `cargo install schema-core`.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::args::PullArgs;
use super::commands::{self, Failure};
use crate::connection::DatabaseConfig;

/// The arguments of the `schema-core` program.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "schema-core",
    version,
    about = "PostgreSQL schema as Rust code: start a project from a live database"
)]
pub struct ToolArgs {
    /// The database, as a postgres:// URL or a libpq key=value string [default: DATABASE_URL
    /// from the environment or .env, else the libpq variables PGHOST, PGPORT, PGUSER,
    /// PGPASSWORD, PGDATABASE...]; no database is guessed
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// The command to run.
    #[command(subcommand)]
    pub command: ToolCommand,
}

/// What the `schema-core` program does.
#[derive(Subcommand, Debug, Clone)]
pub enum ToolCommand {
    /// Read a live database and write a crate whose schema code rebuilds it (see `migrate
    /// pull --help` of any program over the command line)
    Pull(PullArgs),
}

/// Runs the `schema-core` program with the process's arguments.
pub fn tool_main() -> ExitCode {
    tool_main_from(std::env::args_os())
}

/// [`tool_main`] with the given arguments (the first is the program's name).
pub fn tool_main_from<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = match ToolArgs::try_parse_from(args) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    super::block_on(run(args))
}

async fn run(args: ToolArgs) -> Result<bool, Failure> {
    let db = match &args.database_url {
        Some(url) => DatabaseConfig::from_url_with_origin(url, "--database-url"),
        None => DatabaseConfig::from_env(),
    }
    .map_err(|e| Failure::Migrate(e.into()))?;
    match args.command {
        ToolCommand::Pull(flags) => commands::pull(&flags, &db).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_definition_is_consistent() {
        ToolArgs::command().debug_assert();
    }
}
