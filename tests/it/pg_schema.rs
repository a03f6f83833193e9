//! A schema whose tables live in a PostgreSQL schema of their own (`app`), named in `schema!`:
//! generated, applied, changed and verified there, with nothing in `public`.

use schema_core::catalog;
use schema_core::generate::{generate, GenerateOptions, Generated};
use schema_core::migrate::{DatabaseConfig, Migrator};
use schema_core::migrations_dir::MigrationsDir;
use schema_core::testing::TestDatabase;

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
