//! Databases of their own with the repository's committed migrations applied, copied from
//! the template those migrations build once per server.

use schema_core::migrate::Migrator;
use schema_core::testing::TestDatabase;

/// The repository's own migrations (the question bank).
pub const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

pub fn migrator() -> Migrator {
    Migrator::from_dir(MIGRATIONS).unwrap_or_else(|e| panic!("{e}\n{}", e.help()))
}

/// A database of the test's own with the committed migrations applied.
pub async fn question_bank() -> TestDatabase {
    TestDatabase::migrated(&migrator())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}
