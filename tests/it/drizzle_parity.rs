//! A database migrated by this project is catalog-identical to one built by drizzle-kit from
//! the same schema, so a team can move between the two. `tests/fixtures/drizzle/` holds the
//! question-bank schema written for drizzle-kit and the SQL drizzle-kit generated from it
//! (`regenerate.sh` rebuilds it).

use schema_core::catalog;
use schema_core::migrate::Migrator;
use schema_core::testing::TestDatabase;
use schema_core::Schema;
use tokio_postgres::Client;

const DRIZZLE_SQL: &str = include_str!("../fixtures/drizzle/0000_initial.sql");

/// drizzle-kit does not write the extension itself; a drizzle project adds it by hand as the
/// first statement of its initial migration, as SPEC-006 requires.
const PGCRYPTO: &str = r#"CREATE EXTENSION IF NOT EXISTS "pgcrypto";"#;

async fn build_with_drizzle_sql(client: &Client) {
    client.batch_execute(PGCRYPTO).await.unwrap();
    let tx_sql = DRIZZLE_SQL
        .split("--> statement-breakpoint")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    client
        .batch_execute(&format!("BEGIN;\n{tx_sql}\nCOMMIT;"))
        .await
        .unwrap();
}

async fn build_with_migrator(client: &Client) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    Migrator::from_dir(dir)
        .unwrap()
        .run_on_client(client)
        .await
        .unwrap();
}

async fn public_catalog(client: &Client) -> Schema {
    catalog::read(client, catalog::DEFAULT_SCHEMA)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn migrated_database_matches_drizzle_kit_catalog() {
    let drizzle_db = TestDatabase::create().await.unwrap();
    let our_db = TestDatabase::create().await.unwrap();
    let drizzle = drizzle_db.connect().await.unwrap();
    let ours = our_db.connect().await.unwrap();

    build_with_drizzle_sql(&drizzle).await;
    build_with_migrator(&ours).await;

    let expected = public_catalog(&drizzle).await;
    let actual = public_catalog(&ours).await;
    // Column order is compared too: both tools create every table in one statement.
    let diff = catalog::compare(&actual, &expected);
    assert!(
        diff.is_clean(),
        "catalogs differ (database: ours, code: drizzle-kit):\n{diff}"
    );
    assert_eq!(expected, actual);
    assert_eq!(actual.tables.len(), 11);
    assert_eq!(actual.enums.len(), 5);
    // The reference writes `desc(t.answeredAt)`: plain DESC, NULLs first, on both sides.
    let key = &actual
        .table("attempts")
        .unwrap()
        .index("attempts_user_answered_at_idx")
        .unwrap()
        .columns[1];
    assert!(key.desc && key.nulls_first(), "{key:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn drizzle_built_database_verifies_clean_against_the_code() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    build_with_drizzle_sql(&client).await;
    let report = catalog::verify(&client, &schema::SCHEMA).await.unwrap();
    assert!(report.is_clean(), "{report}");
}
