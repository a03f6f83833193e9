//! The committed migrations, the question-bank descriptors and the catalog reader agree: a
//! database migrated with `migrations/` is exactly the schema in code.

use schema::SCHEMA as QUESTION_BANK;
use schema_core::catalog;
use schema_core::diff::SchemaChange;
use schema_core::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread")]
async fn a_database_migrated_with_the_committed_migrations_has_no_drift() {
    let db = crate::support::migrated::question_bank().await;
    let client = db.connect().await.unwrap();
    let report = catalog::verify(&client, &QUESTION_BANK).await.unwrap();
    assert_eq!(report.schema, "public");
    assert!(report.is_clean(), "{report}");
}

/// The clean result above means something only if verify looks at the question bank: an
/// empty database lacks every one of its enums and tables, and the extension the migrations
/// install.
#[tokio::test(flavor = "multi_thread")]
async fn an_empty_database_lacks_every_enum_and_table_of_the_question_bank() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let report = catalog::verify(&client, &QUESTION_BANK).await.unwrap();
    let mut missing_enums = Vec::new();
    let mut missing_tables = Vec::new();
    let mut missing_extensions = Vec::new();
    for drift in &report.drifts {
        match drift {
            SchemaChange::CreateExtension { name } => missing_extensions.push(name.as_str()),
            SchemaChange::CreateEnum { name, .. } => missing_enums.push(name.as_str()),
            SchemaChange::CreateTable { table } => missing_tables.push(table.as_str()),
            other => panic!("unexpected drift in an empty database: {other}"),
        }
    }
    let enums: Vec<&str> = QUESTION_BANK.enums.iter().map(|e| &*e.name).collect();
    let tables: Vec<&str> = QUESTION_BANK.tables.iter().map(|t| &*t.name).collect();
    missing_enums.sort_unstable();
    missing_tables.sort_unstable();
    let (mut want_enums, mut want_tables) = (enums.clone(), tables.clone());
    want_enums.sort_unstable();
    want_tables.sort_unstable();
    assert_eq!(missing_enums, want_enums);
    assert_eq!(missing_tables, want_tables);
    assert_eq!(missing_extensions, ["pgcrypto"]);
    assert_eq!((enums.len(), tables.len()), (5, 11));
}
