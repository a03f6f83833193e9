//! Each command: run it, print its report, and say whether it succeeded.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use super::args::{AdoptArgs, Args, Command, GenerateArgs, PullArgs, RevertArgs};
use super::Cli;
use crate::adopt::{AdoptError, AdoptOptions};
use crate::catalog::{self, VerifyError};
use crate::connection::DatabaseConfig;
use crate::errors::error_chain;
use crate::generate::{self, CommandArgs, GenerateError, GenerateOptions};
use crate::migrate::{MigrateError, Migrator, RevertOptions};

/// Why a command could not do its work, with what to do about it.
#[derive(Debug)]
pub(crate) enum Failure {
    Migrate(MigrateError),
    Verify(VerifyError),
    Generate(GenerateError),
    Adopt(AdoptError),
    Pull(crate::pull::PullError),
    /// The embedded migrations' folder changed after the program was built.
    Stale {
        dir: &'static str,
        changed: Vec<String>,
    },
    /// Ctrl-C stopped a command that changes the database (what it had done was printed).
    Interrupted,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Migrate(e) => write!(f, "{}\n{}", error_chain(e), e.help()),
            Failure::Verify(e) => write!(f, "{}\n{}", error_chain(e), e.help()),
            Failure::Generate(e) => match e.help() {
                Some(help) => write!(f, "{}\n{help}", error_chain(e)),
                None => write!(f, "{}", error_chain(e)),
            },
            Failure::Adopt(e) => write!(f, "{}\n{}", error_chain(e), e.help()),
            Failure::Pull(e) => write!(f, "{}\n{}", error_chain(e), e.help()),
            Failure::Stale { dir, changed } => write!(
                f,
                "the migrations folder `{dir}` changed since this program was built ({}), and \
                 a run would apply the migrations it was built with\nBuild it again (cargo \
                 notices a new file only through the journal, or `cargo:rerun-if-changed={dir}` \
                 in build.rs), or pass --dir {dir} to read the folder as it is now.",
                changed.join(", ")
            ),
            Failure::Interrupted => write!(
                f,
                "interrupted (Ctrl-C); run the command again to finish what it started"
            ),
        }
    }
}

impl Failure {
    /// The exit status: 3 when `generate --check` could not prove the migrations, 1 otherwise.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Failure::Generate(GenerateError::NotProved { .. }) => 3,
            // 128 + SIGINT, as shells report a process ended by Ctrl-C.
            Failure::Interrupted => 130,
            _ => 1,
        }
    }
}

impl From<MigrateError> for Failure {
    fn from(e: MigrateError) -> Self {
        Failure::Migrate(e)
    }
}

impl From<VerifyError> for Failure {
    fn from(e: VerifyError) -> Self {
        Failure::Verify(e)
    }
}

/// `Ok(true)`: success; `Ok(false)`: the command ran and found a problem it printed.
pub(crate) async fn run(cli: &Cli<'_>, args: Args) -> Result<bool, Failure> {
    let command = match (args.command.clone(), args.dry_run) {
        (None, true) => Command::DryRun,
        (None, false) => Command::Migrate,
        (Some(command), _) => command,
    };
    if let Command::Generate(flags) = &command {
        return generate(cli, &args, flags);
    }
    if let Command::Lint { files, no_downs } = &command {
        return lint(cli, &args, files, *no_downs);
    }
    let db = database(cli, &args)?;
    match command {
        Command::Migrate => interruptible(migrate(migrator(cli, &args)?, &db)).await,
        Command::DryRun => dry_run(&migrator(cli, &args)?, &db).await,
        Command::Status => status(&migrator(cli, &args)?, &db).await,
        Command::Verify => verify(cli, &args, &db).await,
        Command::Adopt(flags) => interruptible(adopt(cli, &args, &flags, &db)).await,
        Command::Revert(flags) => interruptible(revert(&migrator(cli, &args)?, &flags, &db)).await,
        Command::Pull(flags) => pull(&flags, &db).await,
        Command::Generate(_) | Command::Lint { .. } => unreachable!("handled above"),
    }
}

/// Runs a command that changes the database until it ends or Ctrl-C is pressed. On Ctrl-C
/// the command's future is dropped, which cancels its running statement on the server, rolls
/// back what is transactional, releases the migration lock and prints what was and was not
/// applied (see `migrate::Progress::Interrupted`). Only these commands take over Ctrl-C: for
/// the others it still ends the process at once.
async fn interruptible(
    work: impl std::future::Future<Output = Result<bool, Failure>>,
) -> Result<bool, Failure> {
    tokio::select! {
        done = work => done,
        _ = tokio::signal::ctrl_c() => Err(Failure::Interrupted),
    }
}

/// The database named by `--database-url`, the environment or the program's default (which
/// alone is created when missing, unless `--create-database` asks it for any).
fn database(cli: &Cli<'_>, args: &Args) -> Result<DatabaseConfig, MigrateError> {
    let db = match &args.database_url {
        Some(url) => DatabaseConfig::from_url_with_origin(url, "--database-url")?,
        None => DatabaseConfig::from_env_or(cli.default_database_url.as_deref())?,
    };
    Ok(if args.create_database {
        db.create_database(true)
    } else {
        db
    })
}

/// `--dir` read at run time, else the embedded migrations, else `./migrations`.
fn migrator(cli: &Cli<'_>, args: &Args) -> Result<Migrator, Failure> {
    Ok(migrator_of_files(cli, args)?.with_options(args.timeouts.options()))
}

fn migrator_of_files(cli: &Cli<'_>, args: &Args) -> Result<Migrator, Failure> {
    match (&args.dir, &cli.embedded) {
        (Some(dir), _) => Ok(Migrator::from_dir(dir)?),
        (None, Some(embedded)) => {
            let changed = Migrator::embedded_out_of_date(embedded);
            if !changed.is_empty() {
                return Err(Failure::Stale {
                    dir: embedded.dir,
                    changed,
                });
            }
            Ok(Migrator::from_embedded(embedded)?)
        }
        (None, None) => Ok(Migrator::from_dir("migrations")?),
    }
}

/// Output is a courtesy: a closed pipe (`dry-run | head`) must neither panic nor turn a
/// finished run into a failure.
fn say(text: impl fmt::Display) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn say_error(text: impl fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "error: {text}");
}

fn where_(db: &DatabaseConfig) -> String {
    format!("`{}` at {}", db.database(), db.target())
}

async fn migrate(migrator: Migrator, db: &DatabaseConfig) -> Result<bool, Failure> {
    let started = std::time::Instant::now();
    let migrator = migrator.on_progress(|event| say(event));
    let report = migrator.run(db).await?;
    if report.applied.is_empty() {
        say(format_args!(
            "nothing pending: {} is up to date ({} applied)",
            where_(db),
            crate::migrate::plural(report.already_applied)
        ));
    } else {
        say(format_args!(
            "{} applied to {} in {:.1} ms ({} applied before)",
            crate::migrate::plural(report.applied.len()),
            where_(db),
            started.elapsed().as_secs_f64() * 1000.0,
            report.already_applied
        ));
    }
    Ok(true)
}

async fn dry_run(migrator: &Migrator, db: &DatabaseConfig) -> Result<bool, Failure> {
    let plan = migrator.dry_run(db).await?;
    say(format_args!("-- dry run against {}", where_(db)));
    say(plan);
    Ok(true)
}

async fn status(migrator: &Migrator, db: &DatabaseConfig) -> Result<bool, Failure> {
    let status = migrator.status(db).await?;
    say(format_args!("status of {}", where_(db)));
    if status.entries.is_empty() {
        say(format_args!(
            "no migrations in {}",
            migrator.dir().display()
        ));
        return Ok(true);
    }
    say(&status);
    let refused = status.refused();
    if refused > 0 {
        say_error(format_args!(
            "{refused} applied or pending migration(s) would make a run refuse to apply \
             anything.\n{}",
            MigrateError::History(Vec::new()).help()
        ));
        return Ok(false);
    }
    Ok(true)
}

/// Compares the live database with the schema in code.
async fn verify(cli: &Cli<'_>, args: &Args, db: &DatabaseConfig) -> Result<bool, Failure> {
    say(format_args!(
        "verifying {} against the schema in code ({} enums, {} tables)",
        where_(db),
        cli.schema.enums.len(),
        cli.schema.tables.len()
    ));
    let carried = last_snapshot(cli, args).map_err(Failure::Generate)?;
    let expected = generate::with_carried(cli.schema, carried.as_ref());
    let report = catalog::verify_database(db, &expected).await?;
    Ok(verdict(report.is_clean(), &report))
}

/// A clean report goes to stdout; any other to stderr as an error, so that a deploy script
/// that only shows failures shows it.
fn verdict(clean: bool, report: &dyn fmt::Display) -> bool {
    if clean {
        say(report);
    } else {
        say_error(report);
    }
    clean
}

/// Reads the database and writes the crate that rebuilds it.
pub(crate) async fn pull(flags: &PullArgs, db: &DatabaseConfig) -> Result<bool, Failure> {
    let schema_core = match &flags.schema_core_path {
        // Absolute, so the crate builds wherever its folder is.
        Some(path) => crate::pull::Dependency::Path(
            std::path::absolute(path).unwrap_or_else(|_| path.clone()),
        ),
        None => crate::pull::Dependency::default(),
    };
    let options = crate::pull::PullOptions {
        out: flags.out.clone(),
        schema_core,
        force: flags.force,
    };
    say(format_args!(
        "pulling schema `{}` of {}",
        flags.pg_schema,
        where_(db)
    ));
    let report = crate::pull::pull(db, &flags.pg_schema, &options)
        .await
        .map_err(Failure::Pull)?;
    say(&report);
    let last = (report.files.iter())
        .filter_map(|f| {
            f.strip_prefix("migrations/meta/")?
                .strip_suffix("_snapshot.json")
        })
        .max()
        .unwrap_or("0000")
        .to_string();
    say(format_args!(
        "next: cd {} && cargo run --bin migrate -- adopt --through {last}   # takes the database over",
        flags.out.display()
    ));
    Ok(true)
}

/// The files named, else the migrations the program runs (`--dir`, or the embedded ones)
/// and their downs unless `--no-downs`.
fn lint(cli: &Cli<'_>, args: &Args, files: &[PathBuf], no_downs: bool) -> Result<bool, Failure> {
    let mut report = crate::lint::LintReport::default();
    if files.is_empty() {
        report = crate::lint::lint_migrator(&migrator_of_files(cli, args)?, !no_downs);
    }
    for file in files {
        let one = crate::lint::lint_file(file)?;
        report.files += one.files;
        report.findings.extend(one.findings);
    }
    Ok(verdict(report.is_clean(), &report))
}

async fn revert(
    migrator: &Migrator,
    flags: &RevertArgs,
    db: &DatabaseConfig,
) -> Result<bool, Failure> {
    let options = RevertOptions {
        to: flags.to,
        allow_destructive: flags.allow_destructive,
    };
    say(format_args!("reverting on {}", where_(db)));
    // What it waits for (the lock, a blocked down) is printed as it happens, as `migrate` does.
    let migrator = migrator.clone().on_progress(|event| say(event));
    say(migrator.revert(db, &options).await?);
    Ok(true)
}

/// Adopting compares the database with the migrations' snapshots, which only the folder holds.
async fn adopt(
    cli: &Cli<'_>,
    args: &Args,
    flags: &AdoptArgs,
    db: &DatabaseConfig,
) -> Result<bool, Failure> {
    let migrator = match (&args.dir, &cli.embedded) {
        (None, Some(embedded)) if std::path::Path::new(embedded.dir).is_dir() => {
            Migrator::from_dir(embedded.dir)?.with_options(args.timeouts.options())
        }
        _ => migrator(cli, args)?,
    };
    // It waits for the lock as `migrate` does, and says so.
    let migrator = migrator.on_progress(|event| say(event));
    let options = AdoptOptions {
        through: flags.through,
        drizzle_dir: flags.drizzle_dir.clone(),
    };
    say(format_args!("adopting {}", where_(db)));
    let report = migrator.adopt(db, &options).await.map_err(Failure::Adopt)?;
    say(report);
    Ok(true)
}

/// `--dir`, else the folder the embedded migrations came from (the source of truth the program
/// was built from), else `./migrations`.
fn generate_dir(cli: &Cli<'_>, args: &Args) -> PathBuf {
    if let Some(dir) = &args.dir {
        return dir.clone();
    }
    match &cli.embedded {
        Some(embedded) if std::path::Path::new(embedded.dir).is_dir() => embedded.dir.into(),
        _ => PathBuf::from("migrations"),
    }
}

/// The newest snapshot of the migrations the program runs (the embedded ones unless `--dir`
/// names a folder), whose carried objects the schema expects beside the code's.
fn last_snapshot(cli: &Cli<'_>, args: &Args) -> Result<Option<crate::Schema>, GenerateError> {
    if let (Some(embedded), None) = (&cli.embedded, &args.dir) {
        return match embedded.last_snapshot {
            Some(json) => serde_json::from_str(json).map(Some).map_err(|source| {
                crate::files::journal::FilesError::Json {
                    path: std::path::Path::new(embedded.dir).join("meta"),
                    what: "schema snapshot",
                    source,
                }
                .into()
            }),
            None => Ok(None),
        };
    }
    let dir = crate::files::journal::MigrationsDir::new(generate_dir(cli, args));
    if !dir.journal_path().is_file() {
        return Ok(None);
    }
    match dir.journal()?.entries.last() {
        Some(entry) => Ok(Some(dir.snapshot(entry.idx)?)),
        None => Ok(None),
    }
}

fn generate(cli: &Cli<'_>, args: &Args, flags: &GenerateArgs) -> Result<bool, Failure> {
    let command = CommandArgs {
        dir: generate_dir(cli, args),
        check: flags.check,
        carry: flags.carry,
        no_prove: flags.no_prove,
        shadow_database_url: flags
            .shadow_database_url
            .clone()
            .or_else(|| args.database_url.clone()),
        default_database_url: cli.default_database_url.clone(),
        options: GenerateOptions {
            name: flags.name.clone(),
            allow_destructive: flags.allow_destructive,
            allow: flags.allow.clone(),
            custom: flags.custom,
            carried: flags.carried,
            adopt_unlisted: flags.adopt,
        },
    };
    let before = generate_dir_files(&command.dir);
    let ok =
        generate::run(cli.schema, &command, &mut std::io::stdout()).map_err(Failure::Generate)?;
    if cli.embedded.is_some() && args.dir.is_none() && generate_dir_files(&command.dir) != before {
        say("build the program again so that it embeds the new migration(s)");
    }
    Ok(ok)
}

fn generate_dir_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}
