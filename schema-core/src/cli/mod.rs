//! One command-line entry point for any schema: `migrate` (the default), `generate`,
//! `status`, `dry-run`, `verify`, `adopt` and `revert`, from one clap definition.
//!
//! ```no_run
//! # const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [], tables: [] };
//! fn main() -> std::process::ExitCode {
//!     // With the migrations compiled in: Some(schema_core::embed_migrations!("migrations")).
//!     schema_core::cli::main(&SCHEMA, None)
//! }
//! ```
//!
//! Exit status: 0 success; 1 failure, refused history or drift; 2 a usage error; 3
//! `generate --check` could not prove the migrations on a shadow database; 130 interrupted by
//! Ctrl-C (`migrate`, `revert`, `adopt`: the running statement is cancelled on the server and
//! what was applied is printed).

mod args;
mod commands;
mod tool;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::migrate::EmbeddedMigrations;
use crate::model::Schema;

pub use args::{AdoptArgs, Args, Command, GenerateArgs, PullArgs, RevertArgs, Timeouts};
pub use tool::{tool_main, tool_main_from, ToolArgs, ToolCommand};

/// `Cli::new(&SCHEMA).migrations(embedded).main()` with the defaults; see [`Cli`].
pub fn main(schema: &Schema, migrations: Option<EmbeddedMigrations>) -> ExitCode {
    let mut cli = Cli::new(schema);
    if let Some(embedded) = migrations {
        cli = cli.migrations(embedded);
    }
    cli.main()
}

/// The command line of a program that owns a schema, with the settings a program may give.
#[derive(Clone, Debug)]
pub struct Cli<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) embedded: Option<EmbeddedMigrations>,
    pub(crate) default_database_url: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
}

impl<'a> Cli<'a> {
    /// The command line for `schema`, reading migrations from `./migrations` unless
    /// [`Cli::migrations`] embeds them or `--dir` names a folder.
    pub fn new(schema: &'a Schema) -> Self {
        Cli {
            schema,
            embedded: None,
            default_database_url: None,
            name: None,
            version: None,
        }
    }

    /// Migrations compiled into the program (`embed_migrations!("migrations")`): used unless
    /// `--dir` names a folder. `generate` writes into their folder when it exists.
    pub fn migrations(mut self, embedded: EmbeddedMigrations) -> Self {
        self.embedded = Some(embedded);
        self
    }

    /// The database used when neither `--database-url`, `DATABASE_URL` (environment or
    /// `.env`) nor the libpq variables (`PGHOST`, `PGDATABASE`, ...) name one.
    pub fn default_database_url(mut self, url: impl Into<String>) -> Self {
        self.default_database_url = Some(url.into());
        self
    }

    /// The program's name in `--help` (default: the executable's name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// What `--version` prints (default: schema-core's version).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Parses the process's arguments, runs the command, prints its report, and returns the
    /// exit status. Usage errors print clap's message and exit with status 2.
    pub fn main(&self) -> ExitCode {
        self.main_from(std::env::args_os())
    }

    /// [`Cli::main`] with the arguments given (the first is the program's name).
    pub fn main_from<I, T>(&self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = <Args as clap::CommandFactory>::command();
        if let Some(name) = &self.name {
            command = command.name(name.clone());
        }
        command = command.version(
            self.version
                .clone()
                .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string()),
        );
        let matches = match command.try_get_matches_from(args) {
            Ok(matches) => matches,
            Err(e) => {
                // --help and --version are "errors" that print to stdout and exit 0.
                let _ = e.print();
                return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
            }
        };
        let args = match <Args as clap::FromArgMatches>::from_arg_matches(&matches) {
            Ok(args) => args,
            Err(e) => {
                let _ = e.print();
                return ExitCode::from(2);
            }
        };
        self.run(args)
    }

    /// Runs parsed arguments (for programs that embed [`Args`] in a command line of their
    /// own, with `#[command(flatten)]`).
    pub fn run(&self, args: Args) -> ExitCode {
        block_on(commands::run(self, args))
    }
}

/// Runs a command to its end and turns its outcome into the exit status, the failure printed
/// with what to do. One connection, one task: a current-thread runtime starts fastest.
fn block_on(
    command: impl std::future::Future<Output = Result<bool, commands::Failure>>,
) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}

// Keeps the parser's definition checked by the compiler's tests, not only at run time.
impl Args {
    /// Parses `args` (the first is the program's name), as [`Cli::main_from`] does.
    pub fn try_parse_from_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        Args::try_parse_from(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn migrate_is_the_default_and_dry_run_has_two_spellings() {
        let args = Args::try_parse_from_args(["prog"]).unwrap();
        assert!(args.command.is_none() && !args.dry_run);
        let args = Args::try_parse_from_args(["prog", "--dry-run"]).unwrap();
        assert!(args.dry_run);
        let args = Args::try_parse_from_args(["prog", "dry-run", "--dir", "m"]).unwrap();
        assert!(matches!(args.command, Some(Command::DryRun)));
        assert_eq!(args.dir.as_deref(), Some(std::path::Path::new("m")));
    }

    /// The flags' defaults are the library's: a program and its command line protect the
    /// application alike.
    #[test]
    fn the_timeout_flags_default_to_the_runners_defaults() {
        let args = Args::try_parse_from_args(["prog"]).unwrap();
        assert_eq!(
            args.timeouts.options(),
            crate::migrate::RunOptions::default()
        );
    }

    #[test]
    fn a_usage_error_is_status_2() {
        let err = Args::try_parse_from_args(["prog", "--no-such-flag"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}
