//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The arguments every program built on [`super::Cli`] accepts.
#[derive(Parser, Debug, Clone)]
#[command(about = "Bring a PostgreSQL database up to date with the schema's migrations")]
pub struct Args {
    /// The database, as a postgres:// URL or a libpq key=value string [default: DATABASE_URL
    /// from the environment or .env, else the libpq variables PGHOST, PGPORT, PGUSER,
    /// PGPASSWORD, PGDATABASE, PGSSLMODE, PGAPPNAME, PGCONNECT_TIMEOUT, else the program's
    /// default]. Connecting gives up after connect_timeout (default 10 s)
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// A folder of NNNN_name.sql files to read at run time [default: the migrations built into
    /// the program, else ./migrations]
    #[arg(long, global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print the SQL that would be applied; change nothing (the same as `dry-run`)
    #[arg(long)]
    pub dry_run: bool,
    /// Create the database when it does not exist (the user needs CREATEDB). Without it a
    /// missing database is an error, except the program's own default database
    #[arg(long, global = true)]
    pub create_database: bool,
    /// Lock, statement and migrator timeouts for the commands that run migrations.
    #[command(flatten)]
    pub timeouts: Timeouts,
    /// The command to run; `None` runs `migrate`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `migrate` when none is given.
#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Apply the pending migrations, each in its own transaction, under an advisory lock
    /// (the default)
    Migrate,
    /// Print the SQL that would be applied; change nothing
    DryRun,
    /// List each migration as applied, adopted, pending, or refused (modified, missing, renamed,
    /// out-of-order); exit 1 when a run would be refused
    Status,
    /// Compare the live database with the schema in code; exit 1 on any difference
    ///
    /// Lists every difference: missing or extra tables, columns, enum types and labels (and
    /// their order), indexes, foreign keys and unique or check constraints; a column's type,
    /// nullability, default or collation; a foreign key's ON DELETE; a primary key's name or
    /// columns; INVALID indexes, NOT VALID or DEFERRABLE constraints, UNLOGGED tables; views,
    /// sequences, triggers, rules, row-level security and policies, and extensions the code
    /// does not declare. Changes nothing: a missing database is reported, not created. --dir
    /// is not used.
    Verify,
    /// Write the next migration from the schema in code
    Generate(GenerateArgs),
    /// Take over a database drizzle-kit (or a hand) built: if its catalog is identical to the
    /// schema of a migration, record the migrations up to it as applied (adopted); any
    /// difference is listed and nothing is written. drizzle-kit's ledger is left as it was
    ///
    /// Reads the migration snapshots (meta/), so it needs the migrations folder: --dir, or the
    /// folder the program was built from.
    Adopt(AdoptArgs),
    /// Undo the newest applied migration (or all after --to) with its NNNN_name.down.sql
    ///
    /// Downs run newest first under the migration lock, each in its own transaction with the
    /// removal of its ledger row; nothing runs when a down is missing, empty, edited after its
    /// migration was applied, or destructive without --allow-destructive.
    Revert(RevertArgs),
    /// Check migration files for statements that hold locks a live table's writers would wait
    /// for; exit 1 on any finding
    ///
    /// Each finding names the file, the statement, the lock it takes and the safe form: an
    /// index built without CONCURRENTLY, a constraint added without NOT VALID, SET NOT NULL
    /// without a validated check, a type change that rewrites the table, a volatile default,
    /// long scans after an ACCESS EXCLUSIVE lock in one transaction.
    Lint {
        /// Files to check (any name) instead of the migrations and their downs
        files: Vec<PathBuf>,
        /// Leave the downs (NNNN_name.down.sql) out [default: check them too, as `revert`
        /// runs them against the same live tables]
        #[arg(long)]
        no_downs: bool,
    },
    /// Read a live database and write a crate whose schema code rebuilds it
    ///
    /// Writes Cargo.toml, the schema as #[pg_enum] and #[table] items (src/lib.rs), a migrate
    /// program (src/bin/migrate.rs) and migrations/0000_initial.sql with its snapshot. Every
    /// name of the database is kept. Other tools' bookkeeping tables are left out and listed;
    /// what the schema language cannot express yet is listed and nothing is written. Then, in
    /// DIR: `cargo run --bin migrate -- adopt --through 0000` takes the database over by catalog
    /// proof.
    Pull(PullArgs),
}

/// `pull`: where to write the crate and what to read.
#[derive(clap::Args, Debug, Clone)]
pub struct PullArgs {
    /// The folder of the new crate; refused when it holds anything, unless --force
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Depend on a checkout of schema-core at PATH [default: schema-core from the registry,
    /// by this program's version]
    #[arg(long, value_name = "PATH")]
    pub schema_core_path: Option<PathBuf>,
    /// The PostgreSQL schema to read
    #[arg(long, value_name = "NAME", default_value = "public")]
    pub pg_schema: String,
    /// Replace the files an earlier `pull` wrote in DIR, and no other
    #[arg(long)]
    pub force: bool,
}

/// How patient a run is with locks held by the application and by other migrators.
#[derive(clap::Args, Debug, Clone)]
pub struct Timeouts {
    /// How long one statement may wait for a lock (lock_timeout), e.g. 1s, 500ms; the
    /// application's queries on the table wait behind it meanwhile
    #[arg(long, global = true, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "500ms")]
    pub lock_timeout: std::time::Duration,
    /// How many times a migration (or a down) that hit the lock timeout is tried again, after
    /// pauses from 0.5 s doubling up to 5 s, with jitter
    #[arg(long, global = true, value_name = "N", default_value_t = 10)]
    pub lock_retries: u32,
    /// The longest a statement may run (statement_timeout) [default: no limit]
    #[arg(long, global = true, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub statement_timeout: Option<std::time::Duration>,
    /// How long to wait for another migrator (the migration lock) before giving up
    #[arg(long, global = true, value_name = "DURATION", value_parser = humantime::parse_duration, default_value = "5m")]
    pub lock_wait: std::time::Duration,
}

impl Timeouts {
    /// The runner's options for these flags.
    pub fn options(&self) -> crate::migrate::RunOptions {
        crate::migrate::RunOptions {
            lock_timeout: self.lock_timeout,
            lock_retries: self.lock_retries,
            statement_timeout: self.statement_timeout,
            migration_lock_wait: self.lock_wait,
            ..Default::default()
        }
    }
}

/// `adopt`'s own flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AdoptArgs {
    /// The migration the database is at (e.g. 0003); needed when it has no drizzle-kit
    /// ledger [default: the newest migration whose schema the database matches]
    #[arg(long, value_name = "NNNN")]
    pub through: Option<i64>,
    /// drizzle-kit's migrations folder (its `out`), to name its files in the record
    #[arg(long, value_name = "DIR")]
    pub drizzle_dir: Option<PathBuf>,
}

/// `generate`'s own flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GenerateArgs {
    /// Only compare the committed migrations with the code and prove their SQL on a shadow
    /// database; write nothing; exit 1 on a difference, 3 when the SQL could not be proved
    #[arg(long)]
    pub check: bool,
    /// The name part of `NNNN_<name>.sql` (lowercase letters, digits, _)
    #[arg(long)]
    pub name: Option<String>,
    /// Write changes that lose data (dropped tables or columns, removed enum labels, narrowed
    /// types, NOT NULL without a default) instead of refusing them
    #[arg(long)]
    pub allow_destructive: bool,
    /// Write one change that needs confirmation, by the key the refusal gives it (e.g.
    /// drop-column:users.bio); repeatable
    #[arg(long, value_name = "KEY")]
    pub allow: Vec<String>,
    /// Write an empty migration to fill by hand (a backfill, a data fix); its snapshot is the
    /// previous one
    #[arg(long)]
    pub custom: bool,
    /// With --custom: a carried migration, for objects the schema language does not declare
    /// (functions, triggers, views, domains...); `--carry` then reads them into its snapshot
    #[arg(long, requires = "custom")]
    pub carried: bool,
    /// Apply the migrations to a shadow database and write the objects the carried
    /// migrations make, as the server prints them, into their snapshots
    #[arg(long, conflicts_with_all = ["check", "custom"])]
    pub carry: bool,
    /// Take .sql files missing from the journal into it as custom migrations
    #[arg(long)]
    pub adopt: bool,
    /// With --check or --carry: the server on which a temporary database proves the
    /// migrations
    /// [default: the server of --database-url, DATABASE_URL, or the program's default]
    #[arg(long, value_name = "URL")]
    pub shadow_database_url: Option<String>,
    /// With --check: check the files and the code without proving the SQL on a shadow
    /// database [default: prove it, and exit 3 when no server can be used]
    #[arg(long, requires = "check")]
    pub no_prove: bool,
}

/// `revert`'s own flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RevertArgs {
    /// Revert every applied migration after NNNN (which stays applied) [default: the newest
    /// only]
    #[arg(long, value_name = "NNNN")]
    pub to: Option<i64>,
    /// Apply downs that lose data or cannot restore what their migration removed
    #[arg(long)]
    pub allow_destructive: bool,
}
