//! Brings a PostgreSQL database up to date with `migrations/`.
//!
//! ```text
//! cargo run --example migrate                      # apply what is pending
//! cargo run --example migrate -- --dry-run         # print the SQL that would be applied
//! cargo run --example migrate -- status            # applied / pending / refused, per file
//! cargo run --example migrate -- verify            # the live database against the schema in code
//! cargo run --example migrate -- --database-url postgres://u@host/db --dir path/to/migrations
//! ```
//!
//! The database is `--database-url`, else `DATABASE_URL` (environment, then `.env`), else
//! `postgres://postgres@127.0.0.1:5432/question_bank`. The folder is `--dir`, else
//! `./migrations` when it exists, else the `migrations/` of the checkout this was built from.
//! `verify` reads no migrations and never creates the database: it compares what is there.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use schema::SCHEMA as QUESTION_BANK;
use schema_core::catalog::{self, VerifyError};
use schema_core::migrate::{DatabaseConfig, MigrateError, Migrator, Progress, State};

#[derive(Parser)]
#[command(
    name = "migrate",
    about = "Bring a PostgreSQL database up to date with migrations/"
)]
struct Cli {
    /// Database to migrate [default: DATABASE_URL from the environment or .env, else
    /// postgres://postgres@127.0.0.1:5432/question_bank]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Folder of NNNN_name.sql files [default: ./migrations if it exists, else the
    /// migrations/ of the checkout this was built from]
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Print the SQL that would be applied; change nothing
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    timeouts: Timeouts,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// List each migration as applied, pending, or refused (modified, missing, renamed,
    /// out-of-order); exits non-zero when a run would be refused
    Status,
    /// Compare the live database with the question-bank schema in code; exits non-zero on
    /// any difference
    ///
    /// Lists every difference: missing or extra tables, columns, enum types and labels (and
    /// their order), indexes, foreign keys and unique or check constraints; a column's type,
    /// nullability or default; a foreign key's ON DELETE; a primary key's name or columns.
    /// Only the `public` schema is compared (the ledger lives in its own). Changes nothing:
    /// a missing database is reported, not created. --dir is not used.
    Verify,
    /// Check migration files for lock hazards on live tables; exits non-zero on any
    ///
    /// Without FILES, every NNNN_name.sql of --dir. Flags an index built or dropped without
    /// CONCURRENTLY on an existing table, a constraint without NOT VALID, SET NOT NULL without
    /// a validated check, a type change that rewrites, a volatile default, and a transaction
    /// that scans a table after taking ACCESS EXCLUSIVE; each with its lock and the safe form.
    Lint {
        /// Files to check (any name) instead of the migrations folder
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One connection, one task: a current-thread runtime starts fastest.
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
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}\n{}", e.help());
            ExitCode::FAILURE
        }
    }
}

/// Every error of every mode: the migrator's, or the catalog's for `verify`.
async fn run(cli: Cli) -> Result<ExitCode, VerifyError> {
    let db = match &cli.database_url {
        Some(url) => DatabaseConfig::from_url_with_origin(url, "--database-url")?,
        None => DatabaseConfig::from_env()?,
    };
    let migrator = || Migrator::from_dir(migrations_dir(cli.dir.clone()));
    Ok(match (&cli.command, cli.dry_run) {
        (Some(Command::Verify), _) => return verify(&db).await,
        (Some(Command::Lint { files }), _) => lint(files, migrations_dir(cli.dir.clone()))?,
        (Some(Command::Status), _) => status(&migrator()?, &db).await?,
        (None, true) => dry_run(&migrator()?, &db).await?,
        (None, false) => apply(migrator()?.with_options(cli.timeouts.options()), &db).await?,
    })
}

fn migrations_dir(explicit: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir;
    }
    let here = PathBuf::from("migrations");
    let checkout = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"));
    if !here.is_dir() && checkout.is_dir() {
        println!("using migrations from {}", checkout.display());
        return checkout;
    }
    here
}

async fn apply(migrator: Migrator, db: &DatabaseConfig) -> Result<ExitCode, MigrateError> {
    let started = Instant::now();
    let where_ = format!("`{}` at {}", db.database(), db.target());
    let migrator = migrator.on_progress(move |event| match event {
        Progress::CreatedDatabase { database } => println!("created database `{database}`"),
        Progress::WaitingForLock => println!("waiting for another migrator to finish"),
        Progress::Applied(a) => println!(
            "applied {} in {:.1} ms{}",
            a.name,
            a.duration.as_secs_f64() * 1000.0,
            if a.transactional {
                ""
            } else {
                " (no transaction)"
            }
        ),
        other => println!("{other}"),
    });
    let report = migrator.run(db).await?;
    if report.applied.is_empty() {
        println!(
            "nothing pending: {where_} is up to date ({} applied)",
            plural(report.already_applied)
        );
    } else {
        println!(
            "{} applied to {where_} in {:.1} ms ({} applied before)",
            plural(report.applied.len()),
            started.elapsed().as_secs_f64() * 1000.0,
            report.already_applied
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn dry_run(migrator: &Migrator, db: &DatabaseConfig) -> Result<ExitCode, MigrateError> {
    let plan = migrator.dry_run(db).await?;
    if !plan.database_exists {
        println!(
            "-- database `{}` does not exist yet; a run creates it",
            db.database()
        );
    }
    if plan.pending.is_empty() {
        println!(
            "nothing pending: all {} migrations applied",
            plan.already_applied
        );
        return Ok(ExitCode::SUCCESS);
    }
    for m in &plan.pending {
        let mode = if m.transactional {
            ""
        } else {
            ", no transaction"
        };
        println!("-- {} (sha256 {}{mode})", m.name, m.checksum);
        println!("{}", m.sql.trim_end());
        println!();
    }
    println!(
        "-- dry run: {} would be applied; nothing was changed",
        plural(plan.pending.len())
    );
    Ok(ExitCode::SUCCESS)
}

async fn status(migrator: &Migrator, db: &DatabaseConfig) -> Result<ExitCode, MigrateError> {
    let status = migrator.status(db).await?;
    if !status.database_exists {
        println!("database `{}` does not exist yet", db.database());
    }
    let width = status
        .entries
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0);
    let mut refused = 0;
    for entry in &status.entries {
        let detail = match &entry.state {
            State::Applied {
                applied_at,
                duration_ms,
            } => {
                format!("{applied_at}  {duration_ms:.1} ms")
            }
            State::Pending => String::new(),
            State::Problem(problem) => {
                refused += 1;
                problem.to_string()
            }
        };
        println!("{:<12} {:<width$}  {detail}", entry.label(), entry.name);
    }
    if status.entries.is_empty() {
        println!("no migrations in {}", migrator.dir().display());
    }
    if refused > 0 {
        eprintln!(
            "error: {refused} applied or pending migration(s) would make a run refuse to \
             apply anything.\n{}",
            MigrateError::Verification(Vec::new()).help()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Drift goes to stderr as an error, so a deploy script that only shows failures shows it.
async fn verify(db: &DatabaseConfig) -> Result<ExitCode, VerifyError> {
    println!(
        "verifying `{}` at {} against the question-bank schema in code ({} enums, {} tables)",
        db.database(),
        db.target(),
        QUESTION_BANK.enums.len(),
        QUESTION_BANK.tables.len()
    );
    let report = catalog::verify_database(db, &QUESTION_BANK).await?;
    if report.is_clean() {
        println!("{report}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: {report}");
        Ok(ExitCode::FAILURE)
    }
}

fn lint(files: &[PathBuf], dir: PathBuf) -> Result<ExitCode, MigrateError> {
    let mut report = schema_core::lint::LintReport::default();
    if files.is_empty() {
        report = schema_core::lint::lint_dir(dir)?;
    }
    for file in files {
        let one = schema_core::lint::lint_file(file)?;
        report.files += one.files;
        report.findings.extend(one.findings);
    }
    if report.is_clean() {
        println!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("error: {report}");
    Ok(ExitCode::FAILURE)
}

/// How patient a run is with locks held by the application and by other migrators.
#[derive(clap::Args)]
struct Timeouts {
    /// How long one statement may wait for a lock (lock_timeout), e.g. 5s, 500ms
    #[arg(long, global = true, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "5s")]
    lock_timeout: std::time::Duration,
    /// How many times a migration that hit the lock timeout is tried again
    #[arg(long, global = true, value_name = "N", default_value_t = 3)]
    lock_retries: u32,
    /// The longest a statement may run (statement_timeout) [default: no limit]
    #[arg(long, global = true, value_name = "DURATION", value_parser = humantime::parse_duration)]
    statement_timeout: Option<std::time::Duration>,
    /// How long to wait for another migrator before giving up
    #[arg(long, global = true, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "5m")]
    lock_wait: std::time::Duration,
}

impl Timeouts {
    fn options(&self) -> schema_core::migrate::RunOptions {
        schema_core::migrate::RunOptions {
            lock_timeout: self.lock_timeout,
            lock_retries: self.lock_retries,
            statement_timeout: self.statement_timeout,
            migration_lock_wait: self.lock_wait,
            ..Default::default()
        }
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 migration".into()
    } else {
        format!("{n} migrations")
    }
}
