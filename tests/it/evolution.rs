//! Schema evolution, proven against PostgreSQL: a sequence of schema versions covering every
//! kind of change. At each step the next migration is generated, all migrations so far are
//! applied with the runner to one database, the same version is built fresh in another, and
//! the two catalogs (enums and labels in order, columns, constraints, indexes) must be equal.

use crate::support;

use schema_core::catalog;
use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{check, generate, GenerateError, GenerateOptions, Generated};
use schema_core::model::Schema;
use schema_core::testing::TestDatabase;
use schema_core::{
    connection::DatabaseConfig,
    migrate::{Migrator, RevertOptions},
};
use support::versions::{versions, Version};
use tokio_postgres::Client;

fn options(name: &str, allow_destructive: bool) -> GenerateOptions {
    GenerateOptions {
        name: Some(name.to_string()),
        allow_destructive,
        ..GenerateOptions::default()
    }
}

/// Generates the version's migrations (confirming destructive changes only where the
/// version says it needs it, after checking they are refused without) and returns their SQL.
fn generate_step(dir: &MigrationsDir, version: &Version) -> String {
    let first = generate(&version.schema, dir, &options(version.name, false));
    let written = match (first, version.destructive) {
        (Ok(Generated::Written(w)), false) => w,
        (Err(GenerateError::Refused(refusal)), true) => {
            assert!(
                !refusal.destructive.is_empty() && refusal.impossible.is_empty(),
                "{refusal}"
            );
            assert!(dir
                .journal()
                .expect("journal")
                .entries
                .iter()
                .all(|e| !e.tag.ends_with(version.name)));
            match generate(&version.schema, dir, &options(version.name, true)) {
                Ok(Generated::Written(w)) => w,
                other => panic!("step `{}` with confirmation: {other:?}", version.name),
            }
        }
        (other, destructive) => panic!(
            "step `{}` (destructive: {destructive}): {other:?}",
            version.name
        ),
    };
    written
        .iter()
        .map(|(entry, _)| {
            format!(
                "-- {}.sql\n{}",
                entry.tag,
                dir.sql(&entry.tag).expect("written sql")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The step's downs give exactly the catalog before the step, and its migrations applied
/// again give the step's catalog; returns what the next step compares with.
async fn down_and_up_again(
    dir: &MigrationsDir,
    db: &TestDatabase,
    client: &Client,
    step: usize,
    (before, last_before): (schema_core::Schema, Option<i64>),
) -> (schema_core::Schema, Option<i64>) {
    let after = catalog::read(client, "public").await.expect("catalog");
    let migrator = Migrator::from_dir(dir.root()).expect("migrations readable");
    let last = migrator.migrations().last().map(|m| m.version);
    let config = DatabaseConfig::from(db.config().clone());
    let first_new = last_before.map_or(0, |v| v + 1);
    let downs: Vec<String> = (migrator.downs().iter())
        .filter(|d| d.version >= first_new)
        .map(|d| format!("-- {}\n{}", d.name, d.sql))
        .collect();
    insta::assert_snapshot!(format!("step_{step:02}_down"), downs.join("\n"));
    let steps_back = migrator.migrations().len() - first_new as usize;
    for _ in 0..steps_back {
        // One down at a time, as `revert` without --to does.
        let options = RevertOptions {
            allow_destructive: true,
            ..RevertOptions::default()
        };
        if let Err(e) = migrator.revert(&config, &options).await {
            panic!(
                "step {step}: revert failed: {e}
{}",
                e.help()
            );
        }
    }
    let reverted = catalog::read(client, "public").await.expect("catalog");
    assert!(
        reverted == before,
        "step {step}: after its downs (left) the catalog differs from before it (right):
{}",
        catalog::compare(&reverted, &before)
    );
    migrate(dir, client).await;
    let again = catalog::read(client, "public").await.expect("catalog");
    assert!(
        again == after,
        "step {step}: applied again (left) the catalog differs from the first time (right):
{}",
        catalog::compare(&again, &after)
    );
    (after, last)
}

async fn migrate(dir: &MigrationsDir, client: &Client) {
    let migrator = Migrator::from_dir(dir.root()).expect("migrations readable");
    if let Err(e) = migrator.run_on_client(client).await {
        panic!("applying {} failed: {e}", dir.root().display());
    }
}

/// A database built from nothing for `schema`, through a migrations directory of its own.
async fn fresh(schema: &Schema) -> (TestDatabase, Client) {
    let db = TestDatabase::create().await.expect("fresh database");
    let client = db.connect().await.expect("connect");
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = MigrationsDir::new(tmp.path());
    generate(schema, &dir, &GenerateOptions::default()).expect("fresh generation");
    migrate(&dir, &client).await;
    (db, client)
}

/// Rows that later steps carry through type changes, renames and NOT NULL with a default.
async fn seed(client: &Client) {
    client
        .batch_execute(
            "INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'a@example.com');
             INSERT INTO posts (id, author_id, title, mode) VALUES
               ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'First', 'exam');
             INSERT INTO comments (post_id, body) VALUES ('00000000-0000-0000-0000-000000000002', 'Nice');",
        )
        .await
        .expect("seed rows");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_version_migrates_to_the_catalog_of_a_fresh_build() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = MigrationsDir::new(tmp.path());
    let db = TestDatabase::create().await.expect("migrated database");
    let client = db.connect().await.expect("connect");
    let all = versions();
    assert!(all.len() >= 10);
    // The catalog before the step, and the number of the last migration applied then.
    let mut previous = (
        catalog::read(&client, "public")
            .await
            .expect("empty catalog"),
        None,
    );
    for (i, version) in all.iter().enumerate() {
        let sql = generate_step(&dir, version);
        insta::assert_snapshot!(format!("step_{i:02}_{}", version.name), sql);
        migrate(&dir, &client).await;
        previous = down_and_up_again(&dir, &db, &client, i, previous).await;
        if i == 1 {
            seed(&client).await;
        }
        let (_fresh_db, fresh_client) = fresh(&version.schema).await;
        let migrated = catalog::read(&client, "public")
            .await
            .expect("read migrated catalog");
        let built = catalog::read(&fresh_client, "public")
            .await
            .expect("read fresh catalog");
        assert!(
            migrated == built,
            "step {i} `{}`: migrated (left) and fresh (right) catalogs differ:\n{}",
            version.name,
            catalog::compare(&migrated, &built)
        );
        let again =
            generate(&version.schema, &dir, &options("again", true)).expect("generate again");
        assert_eq!(
            again,
            Generated::UpToDate,
            "step {i}: a second run writes nothing"
        );
        let problems = check(&version.schema, &dir).expect("check");
        assert!(problems.is_empty(), "step {i}: {problems:#?}");
    }
    let rows = client
        .query("SELECT nickname, email FROM users", &[])
        .await
        .expect("users");
    assert_eq!(rows.len(), 1, "rows survive every step");
    assert_eq!(
        rows[0].get::<_, String>(0),
        "",
        "NULL filled with the default when NOT NULL was set"
    );
}
