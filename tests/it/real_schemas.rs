//! Seven real schemas, written by other people and tools (`../shared/real-schemas/` beside the
//! checkout, or the folder `REAL_SCHEMAS_DIR` names; never copied into the project). Each is
//! loaded with psql into a database of its own and read by the catalog reader, and then:
//!
//! - other tools' bookkeeping (drizzle's `__drizzle_migrations`) is not among the tables read,
//!   and every other table of `public` is;
//! - `pull::coverage` says, for every table, whether the schema language expresses it;
//! - the tables it calls expressible, written by `pull` as an initial migration, build an
//!   empty database whose catalog reads the same for those tables as the original's;
//! - at least as many tables are expressible as the floor below.

use std::path::{Path, PathBuf};
use std::process::Command;

use schema_core::catalog;
use schema_core::model::{Schema, TableDef};
use schema_core::pull::{self, PullOptions};
use schema_core::testing::TestDatabase;
use schema_core::{DatabaseConfig, Migrator};

/// The environment variable that names the folder of the real schemas.
const DIR_VAR: &str = "REAL_SCHEMAS_DIR";

/// The folder of the real schemas: `REAL_SCHEMAS_DIR`, else `../shared/real-schemas` beside
/// the checkout.
pub(crate) fn schemas_dir() -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-schemas");
    let (dir, from) = match std::env::var_os(DIR_VAR) {
        Some(dir) => (PathBuf::from(dir), format!(" (from {DIR_VAR})")),
        None => (beside.clone(), String::new()),
    };
    assert!(
        dir.is_dir(),
        "the real schemas are not at `{}`{from}: put them at `{}` or name their folder in \
         {DIR_VAR}",
        dir.display(),
        beside.display()
    );
    dir
}

/// Runs `file` on the database at `url` with psql, stopping at the first error.
pub(crate) fn load(url: &str, file: &Path) {
    let output = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql (it comes with the server): {e}"));
    assert!(
        output.status.success(),
        "psql -f {} failed:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What drizzle-kit's `migrate` adds beside the schema: its ledger, in a schema of its own by
/// default and in `public` when a project sets `migrationsSchema: "public"`.
const DRIZZLE_LEDGER: &str = "
    CREATE SCHEMA IF NOT EXISTS drizzle;
    CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
    CREATE TABLE public.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);";

/// The tables `tables` keep, in an order their foreign keys allow, each key to a table not
/// kept dropped (the migration could not make it).
fn pullable(tables: &[TableDef]) -> Vec<TableDef> {
    let kept = |name: &str| tables.iter().any(|t| t.name == name);
    let mut pending: Vec<TableDef> = tables
        .iter()
        .map(|t| TableDef {
            triggers: Vec::new().into(),
            foreign_keys: t
                .foreign_keys
                .iter()
                .filter(|fk| kept(&fk.references_table))
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..t.clone()
        })
        .collect();
    let mut ordered: Vec<TableDef> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        // Tables whose keys form a cycle keep the reader's order: every table is created
        // before any foreign key.
        let ready = pending
            .iter()
            .position(|t| {
                t.foreign_keys.iter().all(|fk| {
                    fk.references_table == t.name
                        || ordered.iter().any(|d| d.name == fk.references_table)
                })
            })
            .unwrap_or(0);
        ordered.push(pending.remove(ready));
    }
    ordered
}

/// Loads `file`, reads it, and checks what the module says; `floor` is the fewest tables that
/// must be expressible.
async fn check(file: &str, floor: usize) {
    let path = schemas_dir().join(file);
    let original = TestDatabase::create().await.unwrap();
    load(&original.url(), &path);
    let client = original.connect().await.unwrap();
    client.batch_execute(DRIZZLE_LEDGER).await.unwrap();

    let schema = catalog::read(&client, "public").await.unwrap();
    let read: Vec<&str> = schema.tables.iter().map(|t| &*t.name).collect();
    assert!(
        !read.contains(&"__drizzle_migrations"),
        "bookkeeping read as a table of {file}"
    );
    // Every table the catalog holds in `public`, but the bookkeeping, is read.
    let rows = client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
             AND tablename <> ALL($1) ORDER BY 1",
            &[&catalog::BOOKKEEPING_TABLES],
        )
        .await
        .unwrap();
    let mut held: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let mut read_sorted: Vec<String> = read.iter().map(|t| t.to_string()).collect();
    held.sort();
    read_sorted.sort();
    assert_eq!(read_sorted, held, "tables of {file}");

    let coverage = pull::coverage(&schema);
    let covered: Vec<&str> = coverage.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(covered, read, "coverage of {file}");
    let expressible: Vec<TableDef> = schema
        .tables
        .iter()
        .zip(&coverage.tables)
        .filter(|(_, c)| c.is_expressible())
        .map(|(t, _)| t.clone())
        .collect();
    eprintln!(
        "{file}: {} tables, {} expressible",
        schema.tables.len(),
        expressible.len()
    );
    assert!(
        expressible.len() >= floor,
        "{file}: {} tables expressible, fewer than the {floor} before",
        expressible.len()
    );

    // The expressible tables as `pull` writes them: the initial migration builds them in an
    // empty database, and the catalog reads them back as they were read from the original.
    let tables = pullable(&expressible);
    // What the tables may need from the schema (a domain, a sequence, a function) stays, and
    // `pull` carries it; views, which may name a table left out, do not.
    let pulled = Schema {
        tables: tables.clone().into(),
        views: Vec::new().into(),
        event_triggers: Vec::new().into(),
        ..schema.clone()
    };
    let dir = tempfile::tempdir().unwrap();
    let options = PullOptions {
        out: dir.path().join("pulled"),
        ..PullOptions::default()
    };
    pull::write_project(&pulled, "of a test", &options)
        .unwrap_or_else(|e| panic!("pull the expressible tables of {file}: {e}"));
    let rebuilt = TestDatabase::create().await.unwrap();
    // The extensions the original holds are the database's, not the tables': the rebuilt
    // database has them before the migration (an index may need one's operator classes).
    for extension in schema.extensions.iter() {
        rebuilt
            .connect()
            .await
            .unwrap()
            .batch_execute(&format!("CREATE EXTENSION IF NOT EXISTS \"{extension}\""))
            .await
            .unwrap();
    }
    let migrations = options.out.join("migrations");
    Migrator::from_dir(&migrations)
        .unwrap()
        .run(&DatabaseConfig::from_url(&rebuilt.url()).unwrap())
        .await
        .unwrap_or_else(|e| panic!("the migrations `pull` wrote for {file} fail: {e}"));
    let back = catalog::read(&rebuilt.connect().await.unwrap(), "public")
        .await
        .unwrap();
    let mut expected = tables;
    expected.sort_by(|a, b| a.name.cmp(&b.name));
    for (was, is) in expected.iter().zip(back.tables.iter()) {
        assert_eq!(was, is, "{file}: table `{}` rebuilt", was.name);
    }
    assert_eq!(back.tables.len(), expected.len(), "{file}: tables rebuilt");
    assert_eq!(back.enums, schema.enums, "{file}: enums rebuilt");
}

// The floors are the expressible tables counted when each was set: they only rise, as the
// schema language says more; a change that lowers one lost something a real schema needs.

#[tokio::test(flavor = "multi_thread")]
async fn pagila() {
    check("pagila.sql", 70).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook() {
    check("chinook.sql", 11).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn northwind() {
    check("northwind.sql", 14).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dittofeed() {
    check("dittofeed.sql", 31).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dokploy() {
    check("dokploy.sql", 67).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sim() {
    check("sim.sql", 112).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn homarr() {
    check("homarr.sql", 35).await;
}
