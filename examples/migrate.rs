//! Brings a PostgreSQL database up to date with the question bank's migrations, which are
//! compiled into the program.
//!
//! ```text
//! cargo run --example migrate                      # apply what is pending
//! cargo run --example migrate -- dry-run           # print the SQL that would be applied
//! cargo run --example migrate -- status            # applied / pending / refused, per file
//! cargo run --example migrate -- verify            # the live database against the schema in code
//! cargo run --example migrate -- generate          # write the next migration
//! cargo run --example migrate -- adopt             # take over a database drizzle-kit built
//! cargo run --example migrate -- revert            # undo the newest migration with its down
//! cargo run --example migrate -- revert --to 0002 --allow-destructive
//! cargo run --example migrate -- lint              # lock hazards in the migration files
//! cargo run --example migrate -- --lock-timeout 2s --statement-timeout 10m
//! cargo run --example migrate -- --database-url postgres://u@host/db --dir path/to/migrations
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    schema_core::cli::Cli::new(&schema::SCHEMA)
        .name("migrate")
        .version(env!("CARGO_PKG_VERSION"))
        .migrations(schema_core::embed_migrations!("migrations"))
        .default_database_url(schema::DEFAULT_DATABASE_URL)
        .main()
}
