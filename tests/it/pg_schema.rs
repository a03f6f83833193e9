//! A schema whose tables live in a PostgreSQL schema of their own (`app`), named in `schema!`:
//! generated, applied, changed and verified there, with nothing in `public`.

use schema_core::catalog;
use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{generate, GenerateOptions, Generated};
use schema_core::testing::TestDatabase;
use schema_core::{connection::DatabaseConfig, migrate::Migrator};

// The rows are never read here: only the schemas are.
#[allow(dead_code)]
mod v1 {
    use schema_core::{pg_enum, table, Schema};
    use uuid::Uuid;

    #[pg_enum]
    pub enum Tier {
        Free,
        Paid,
    }

    #[table(name = "accounts")]
    pub struct Account {
        #[primary_key]
        pub id: Uuid,
        #[column(default = "free")]
        pub tier: Tier,
    }

    #[table(name = "projects")]
    #[index(name = "projects_account_id_idx", on(account_id))]
    pub struct Project {
        #[primary_key]
        pub id: Uuid,
        #[foreign_key(references = Account::id, on_delete = cascade)]
        pub account_id: Uuid,
    }

    pub const SCHEMA: Schema = schema_core::schema! {
        schema: "app",
        enums: [Tier],
        tables: [Account, Project],
    };
}

#[allow(dead_code)]
mod v2 {
    use schema_core::{pg_enum, table, Schema};
    use uuid::Uuid;

    #[pg_enum]
    pub enum Tier {
        Free,
        Paid,
        Team,
    }

    #[table(name = "accounts")]
    pub struct Account {
        #[primary_key]
        pub id: Uuid,
        #[column(default = "free")]
        pub tier: Tier,
        pub name: Option<String>,
    }

    #[table(name = "projects")]
    #[index(name = "projects_account_id_idx", on(account_id))]
    pub struct Project {
        #[primary_key]
        pub id: Uuid,
        #[foreign_key(references = Account::id, on_delete = restrict)]
        pub account_id: Uuid,
    }

    pub const SCHEMA: Schema = schema_core::schema! {
        schema: "app",
        enums: [Tier],
        tables: [Account, Project],
    };

    /// The same tables, back in `public`: a move no migration is generated for.
    pub const IN_PUBLIC: Schema = schema_core::schema! {
        enums: [Tier],
        tables: [Account, Project],
    };
}

fn written(result: Generated) -> usize {
    match result {
        Generated::Written(entries) => entries.len(),
        Generated::UpToDate => 0,
    }
}

async fn relations_in(client: &tokio_postgres::Client, schema: &str) -> Vec<String> {
    client
        .query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'i') ORDER BY 1",
            &[&schema],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_in_a_schema_of_their_own_are_generated_applied_changed_and_verified() {
    let folder = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(folder.path());
    let options = GenerateOptions::default();
    assert_eq!(written(generate(&v1::SCHEMA, &dir, &options).unwrap()), 1);
    let sql = std::fs::read_to_string(folder.path().join("0000_initial.sql")).unwrap();
    for expected in [
        "CREATE SCHEMA IF NOT EXISTS \"app\";",
        "SET search_path TO \"app\";",
        "CREATE TYPE \"app\".\"tier\" AS ENUM('free', 'paid');",
        "REFERENCES \"app\".\"accounts\"(\"id\")",
    ] {
        assert!(sql.contains(expected), "{expected} in:\n{sql}");
    }

    let db = TestDatabase::create().await.unwrap();
    let config = DatabaseConfig::from(db.config().clone());
    Migrator::from_dir(folder.path())
        .unwrap()
        .run(&config)
        .await
        .unwrap();
    let client = db.connect().await.unwrap();
    assert_eq!(
        relations_in(&client, "app").await,
        [
            "accounts",
            "accounts_pkey",
            "projects",
            "projects_account_id_idx",
            "projects_pkey"
        ]
    );
    assert!(relations_in(&client, "public").await.is_empty());
    let report = catalog::verify(&client, &v1::SCHEMA).await.unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.schema, "app");

    // The change: a label, a column, an ON DELETE; each migration finds its objects in `app`.
    assert!(written(generate(&v2::SCHEMA, &dir, &options).unwrap()) >= 1);
    let second = std::fs::read_to_string(folder.path().join("0001_update.sql")).unwrap();
    assert!(
        second.starts_with("SET search_path TO \"app\";"),
        "{second}"
    );
    let report = catalog::verify(&client, &v2::SCHEMA).await.unwrap();
    assert!(!report.is_clean(), "the database is still at v1");
    Migrator::from_dir(folder.path())
        .unwrap()
        .run(&config)
        .await
        .unwrap();
    let report = catalog::verify(&client, &v2::SCHEMA).await.unwrap();
    assert!(report.is_clean(), "{report}");
    assert!(relations_in(&client, "public").await.is_empty());

    let refused = generate(&v2::IN_PUBLIC, &dir, &options).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("from the PostgreSQL schema `app` to `public`"),
        "{refused}"
    );
}

#[test]
fn a_schema_named_like_the_ledgers_or_postgres_own_is_refused() {
    for name in ["schema_migrations", "pg_app", ""] {
        let schema = schema_core::Schema {
            pg_schema: name.to_string().into(),
            ..v1::SCHEMA
        };
        let errors = schema_core::registry::validate(&schema).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.to_string().contains("choose another name")),
            "{name}: {errors:?}"
        );
    }
}

/// Migrations of a schema of their own, as `generate` writes them: each starts with
/// `SET search_path TO "app"`; the second runs without a transaction.
const IN_APP: &str = "CREATE SCHEMA IF NOT EXISTS \"app\";\n--> statement-breakpoint\n\
    SET search_path TO \"app\";\n--> statement-breakpoint\n\
    CREATE TABLE \"items\" (\"id\" integer PRIMARY KEY, \"code\" integer);\n";
const UNIQUE_IN_APP: &str = "-- schema:no-transaction\n\
    SET search_path TO \"app\";\n--> statement-breakpoint\n\
    CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"items_code_uq\" ON \"items\" USING btree (\"code\");\n";

async fn search_path(client: &tokio_postgres::Client) -> String {
    client
        .query_one("SHOW search_path", &[])
        .await
        .unwrap()
        .get(0)
}

/// A session-level `SET search_path` survives COMMIT; the runner puts the session's own back
/// after each migration, with or without a transaction, so nothing leaks into the caller's
/// connection or back into a pool.
#[tokio::test(flavor = "multi_thread")]
async fn a_migrations_search_path_does_not_outlive_it() {
    use crate::migrate_support::Fixture;
    let fixture = Fixture::new(&[
        ("0000_items.sql", IN_APP),
        ("0001_unique_code.sql", UNIQUE_IN_APP),
    ]);
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let before = search_path(&client).await;
    let report = fixture.migrator().run_on_client(&client).await.unwrap();
    assert_eq!(report.applied.len(), 2);
    assert_eq!(search_path(&client).await, before);
    let found: Option<String> = client
        .query_one("SELECT to_regclass('app.items_code_uq')::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(found.as_deref(), Some("app.items_code_uq"));

    // A search path of the caller's own is what comes back, and a pool's connection returns
    // as it went.
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    client
        .batch_execute("SET search_path TO pg_temp, public")
        .await
        .unwrap();
    let before = search_path(&client).await;
    fixture.migrator().run_on_client(&client).await.unwrap();
    assert_eq!(search_path(&client).await, before);

    // A no-transaction migration that fails after its SET puts the session's back too.
    let failing = Fixture::new(&[
        ("0000_items.sql", IN_APP),
        (
            "0001_broken.sql",
            "-- schema:no-transaction\n\
             SET search_path TO \"app\";\n--> statement-breakpoint\n\
             CREATE INDEX CONCURRENTLY \"nowhere_idx\" ON \"nowhere\" (\"id\");\n",
        ),
    ]);
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let before = search_path(&client).await;
    failing.migrator().run_on_client(&client).await.unwrap_err();
    assert_eq!(search_path(&client).await, before);

    let db = TestDatabase::create().await.unwrap();
    let manager = deadpool_postgres::Manager::new(db.config().clone(), tokio_postgres::NoTls);
    let pool = deadpool_postgres::Pool::builder(manager)
        .max_size(1)
        .build()
        .unwrap();
    let report = fixture.migrator().run_with_pool(&pool).await.unwrap();
    assert_eq!(report.applied.len(), 2);
    let back = pool.get().await.unwrap();
    assert_eq!(search_path(&back).await, "\"$user\", public");
}

/// An INVALID index a failed concurrent build left in `app` is found there and dropped on the
/// next run, which starts on a new connection whose search path is the server's default.
#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_index_is_looked_for_in_the_migrations_schema() {
    use crate::migrate_support::{config, Fixture};
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    Fixture::new(&[("0000_items.sql", IN_APP)])
        .migrator()
        .run(&config(&db))
        .await
        .unwrap();
    client
        .batch_execute("INSERT INTO app.items VALUES (1, 7), (2, 7)")
        .await
        .unwrap();
    let fixture = Fixture::new(&[
        ("0000_items.sql", IN_APP),
        ("0001_unique_code.sql", UNIQUE_IN_APP),
    ]);
    fixture.migrator().run(&config(&db)).await.unwrap_err();
    let index_valid = "SELECT i.indisvalid FROM pg_index i \
                       WHERE i.indexrelid = 'app.items_code_uq'::regclass";
    let is_valid: bool = client.query_one(index_valid, &[]).await.unwrap().get(0);
    assert!(!is_valid, "the failed build left an INVALID index");

    client
        .batch_execute("UPDATE app.items SET code = 8 WHERE id = 2")
        .await
        .unwrap();
    let report = fixture.migrator().run(&config(&db)).await.unwrap();
    assert_eq!(report.applied.len(), 1);
    let is_valid: bool = client.query_one(index_valid, &[]).await.unwrap().get(0);
    assert!(
        is_valid,
        "the re-run built the index instead of taking the invalid one for done"
    );
}

/// `adopt` compares the schema `schema!` declares: a database built by hand in `app` is
/// adopted, where reading `public` would find none of its tables.
#[tokio::test(flavor = "multi_thread")]
async fn a_database_in_a_schema_of_its_own_is_adopted() {
    use schema_core::adopt::AdoptOptions;
    let folder = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(folder.path());
    assert_eq!(
        written(generate(&v1::SCHEMA, &dir, &GenerateOptions::default()).unwrap()),
        1
    );
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let sql = std::fs::read_to_string(folder.path().join("0000_initial.sql")).unwrap();
    client
        .batch_execute(&sql.replace("--> statement-breakpoint", ""))
        .await
        .unwrap();
    let report = Migrator::from_dir(folder.path())
        .unwrap()
        .adopt_on_client(
            &client,
            &AdoptOptions {
                through: Some(0),
                drizzle_dir: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.recorded, ["0000_initial.sql"]);
}
