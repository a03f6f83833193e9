//! Schemas that pass every check must produce SQL that applies: these cases once compiled
//! and then failed on the server.

use crate::support;

use schema_core::diff::{steps, DiffOptions};
use schema_core::model::*;
use schema_core::testing::TestDatabase;
use schema_core::{connection::DatabaseConfig, migrate::Migrator};
use support::build::*;

/// `countries.code` is unique through an index, not a key; `offices` references it.
fn with_reference_to_a_unique_index() -> Schema {
    let countries = index(
        table("countries", vec![uuid_pk(), varchar("code", 2)]),
        "countries_code_uq",
        true,
        &["code"],
    );
    let mut offices = table("offices", vec![uuid_pk(), varchar("country_code", 2)]);
    offices.foreign_keys.to_mut().push(ForeignKeyDef::new(
        "country_code".into(),
        "countries".into(),
        "code".into(),
        OnDelete::Restrict,
    ));
    Schema {
        tables: vec![countries, offices].into(),
        ..Default::default()
    }
}

/// Writes the migrations from `old` to `new` into `dir`, numbered from `first`, and applies
/// the folder; returns the next number.
async fn apply_steps(
    db: &TestDatabase,
    dir: &std::path::Path,
    old: Option<&Schema>,
    new: &Schema,
    first: u32,
) -> u32 {
    let mut number = first;
    for step in steps(old, new, &DiffOptions::default()).unwrap() {
        let sql = schema_core::render::migration(&step.statements, false);
        std::fs::write(dir.join(format!("{number:04}_step.sql")), sql).unwrap();
        number += 1;
    }
    let config = DatabaseConfig::from(db.config().clone());
    Migrator::from_dir(dir)
        .unwrap()
        .run(&config)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    number
}

/// A client of `db`, once `verify` has found it to hold `schema` exactly.
async fn verified_clean(db: &TestDatabase, schema: &Schema) -> tokio_postgres::Client {
    let client = db.connect().await.unwrap();
    let report = schema_core::catalog::verify(&client, schema).await.unwrap();
    assert!(report.is_clean(), "{report}");
    client
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_key_to_a_column_unique_through_an_index_applies() {
    let schema = with_reference_to_a_unique_index();
    assert_eq!(schema_core::registry::validate(&schema), Ok(()));
    let db = TestDatabase::create().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    apply_steps(&db, dir.path(), None, &schema, 0).await;
    verified_clean(&db, &schema).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_key_added_with_the_unique_index_it_relies_on_applies() {
    let target = with_reference_to_a_unique_index();
    let mut before = target.clone();
    table_mut(&mut before, "countries").indexes.to_mut().clear();
    table_mut(&mut before, "offices")
        .foreign_keys
        .to_mut()
        .clear();
    let db = TestDatabase::create().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let next = apply_steps(&db, dir.path(), None, &before, 0).await;
    apply_steps(&db, dir.path(), Some(&before), &target, next).await;
    verified_clean(&db, &target).await;
}

/// Float columns take a number default: an integer, or a decimal.
#[schema_core::table(name = "gauges")]
#[derive(Debug, PartialEq)]
pub struct Gauge {
    #[primary_key]
    pub id: uuid::Uuid,
    #[column(default = 0)]
    pub zero: f64,
    #[column(default = 0.5)]
    pub half: f64,
    #[column(default = -1.25)]
    pub below: Option<f32>,
    #[column(default = -2)]
    pub minus_two: f32,
}

#[tokio::test(flavor = "multi_thread")]
async fn float_defaults_apply_read_back_and_verify_clean() {
    use schema_core::Table;
    let schema = Schema {
        tables: vec![Gauge::TABLE].into(),
        ..Default::default()
    };
    let db = TestDatabase::create().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    apply_steps(&db, dir.path(), None, &schema, 0).await;
    let client = verified_clean(&db, &schema).await;
    client
        .batch_execute("INSERT INTO gauges DEFAULT VALUES")
        .await
        .unwrap();
    let row = client
        .query_one(&format!("SELECT {} FROM gauges", Gauge::COLUMN_LIST), &[])
        .await
        .unwrap();
    let gauge = Gauge::from_row(&row).unwrap();
    assert_eq!(
        (gauge.zero, gauge.half, gauge.below, gauge.minus_two),
        (0.0, 0.5, Some(-1.25), -2.0)
    );
}

/// A column type is looked up in `pg_catalog` first, so an enum named like any of its types
/// would be shadowed: every such name must be refused at compile time.
#[tokio::test(flavor = "multi_thread")]
async fn every_type_name_of_pg_catalog_is_refused_as_an_enum_name() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let rows = client
        .query(
            "SELECT typname::text FROM pg_type \
             WHERE typnamespace = 'pg_catalog'::regnamespace AND typname NOT LIKE '\\_%'",
            &[],
        )
        .await
        .unwrap();
    let accepted: Vec<String> = rows
        .iter()
        .map(|row| row.get::<_, String>(0))
        .filter(|name| schema_core::rules::enum_name(name).is_none())
        .collect();
    assert!(rows.len() > 100, "{} types read", rows.len());
    assert_eq!(accepted, Vec::<String>::new());
}
