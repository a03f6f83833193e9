//! `catalog::read` against real databases: what it reads into the model, and that two
//! databases built the same way read equal while any difference is named by the comparison.

use crate::verify_fixture as fixture;

use fixture::{catalog, sql_with, SQL};
use schema_core::catalog::{self, CatalogError};
use schema_core::diff::SchemaChange;
use schema_core::model::{ColumnDefault, IndexColumn, OnDelete, PrimaryKey, SqlType};

#[tokio::test(flavor = "multi_thread")]
async fn two_databases_built_by_the_same_sql_read_equal() {
    let (left, right) = tokio::join!(catalog(SQL, ""), catalog(SQL, ""));
    let diff = catalog::compare(&left, &right);
    assert!(diff.is_clean(), "{diff}");
    assert_eq!(left, right);
    assert_eq!(left.tables.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_differing_index_is_named_by_the_comparison() {
    let (left, right) = tokio::join!(
        catalog(SQL, ""),
        catalog(
            SQL,
            "DROP INDEX posts_account_published_at_idx;
             CREATE INDEX posts_account_published_at_idx ON posts (account_id, published_at);"
        )
    );
    assert_ne!(left, right);
    let diff = catalog::compare(&right, &left);
    assert_eq!(
        diff.drifts,
        [SchemaChange::AlterIndex {
            table: "posts".into(),
            name: "posts_account_published_at_idx".into(),
            to: "btree (account_id, published_at DESC)".into(),
            from: "btree (account_id, published_at)".into(),
        }]
    );
    assert_eq!(
        diff.drifts[0].to_string(),
        "change index `posts_account_published_at_idx` of table `posts` from \
         `btree (account_id, published_at)` to `btree (account_id, published_at DESC)`"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn read_normalizes_types_and_defaults_and_keeps_the_column_order() {
    let catalog = catalog(SQL, "").await;
    assert_eq!(catalog.pg_schema, "public");
    assert!(catalog.extensions.iter().any(|e| e == "pgcrypto"));
    let posts = catalog.table("posts").expect("posts is read");
    let columns: Vec<(&str, &SqlType, bool, Option<&ColumnDefault>)> = posts
        .columns
        .iter()
        .map(|c| (&*c.name, &c.sql_type, c.nullable, c.default.as_ref()))
        .collect();
    assert_eq!(
        columns,
        vec![
            (
                "id",
                &SqlType::Uuid,
                false,
                Some(&ColumnDefault::GenRandomUuid)
            ),
            ("account_id", &SqlType::Uuid, false, None),
            ("level", &SqlType::Enum("level".into()), false, None),
            ("title", &SqlType::Varchar(255), false, None),
            (
                "views",
                &SqlType::BigInt,
                false,
                Some(&ColumnDefault::Int(0))
            ),
            (
                "priority",
                &SqlType::SmallInt,
                false,
                Some(&ColumnDefault::Int(-1))
            ),
            ("published_at", &SqlType::TimestampTz, true, None),
        ]
    );
    let accounts = catalog.table("accounts").expect("accounts is read");
    let mood = accounts.column("mood").expect("accounts.mood is read");
    assert_eq!(mood.default, Some(ColumnDefault::EnumLabel("calm".into())));
}

/// What the code cannot declare yet is kept as PostgreSQL prints it.
#[tokio::test(flavor = "multi_thread")]
async fn types_and_defaults_the_code_cannot_write_are_kept_as_postgresql_spells_them() {
    let catalog = catalog(
        SQL,
        "CREATE TABLE counters (id serial PRIMARY KEY, ip inet, price numeric(10,2) DEFAULT 0)",
    )
    .await;
    let counters = catalog.table("counters").expect("counters is read");
    let id = counters.column("id").unwrap();
    assert_eq!(id.sql_type, SqlType::Integer);
    assert_eq!(
        id.default,
        Some(ColumnDefault::Expr(
            "nextval('counters_id_seq'::regclass)".into()
        ))
    );
    let ip = counters.column("ip").unwrap();
    assert_eq!(ip.sql_type, SqlType::Other("inet".into()));
    let price = counters.column("price").unwrap();
    assert_eq!(price.sql_type, SqlType::Other("numeric(10,2)".into()));
    assert_eq!(price.default, Some(ColumnDefault::Int(0)));
    // The serial's sequence goes with its column: no free sequence.
    assert!(catalog.sequences.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn enum_labels_are_read_in_their_sort_order() {
    // A label added BEFORE another gets a later oid but an earlier enumsortorder.
    let catalog = catalog(SQL, "ALTER TYPE mood ADD VALUE 'angry' BEFORE 'calm'").await;
    let names: Vec<&str> = catalog.enums.iter().map(|e| &*e.name).collect();
    assert_eq!(names, ["channel", "level", "mood"]);
    let mood = catalog.enum_def("mood").expect("mood is read");
    let labels: Vec<&str> = mood.labels.iter().map(|l| &**l).collect();
    assert_eq!(labels, ["happy", "angry", "calm", "sad"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_and_foreign_keys_are_read_with_their_names_and_actions() {
    let catalog = catalog(SQL, "").await;
    let table = catalog.table("post_labels").expect("post_labels is read");
    assert_eq!(
        table.primary_key,
        PrimaryKey::Composite(vec!["post_id".into(), "label_code".into()].into())
    );
    assert_eq!(
        table.primary_key_name(),
        "post_labels_post_id_label_code_pk"
    );
    let keys: Vec<(String, &str, &str, OnDelete)> = table
        .foreign_keys
        .iter()
        .map(|k| {
            (
                k.constraint_name(&table.name),
                &*k.column,
                &*k.references_table,
                k.on_delete,
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            (
                "post_labels_label_code_labels_code_fk".into(),
                "label_code",
                "labels",
                OnDelete::Restrict
            ),
            (
                "post_labels_post_id_posts_id_fk".into(),
                "post_id",
                "posts",
                OnDelete::Cascade
            ),
            (
                "post_labels_reviewer_id_accounts_id_fk".into(),
                "reviewer_id",
                "accounts",
                OnDelete::SetNull
            ),
        ]
    );
    let reviewer = &table.foreign_keys[2];
    assert_eq!(reviewer.columns(), ["reviewer_id"]);
    assert_eq!(reviewer.references_columns(), ["id"]);
    assert_eq!(reviewer.on_update, OnDelete::NoAction);
    // Every name follows the naming contract, so none is held.
    assert!(table.foreign_keys.iter().all(|k| k.name.is_none()));
    assert!(table.primary_key_name.is_none() && table.constraints.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn indexes_are_read_with_their_keys_and_direction() {
    let catalog = catalog(SQL, "").await;
    let posts = catalog.table("posts").expect("posts is read");
    // The primary key's index goes with the key.
    let names: Vec<&str> = posts.indexes.iter().map(|i| &*i.name).collect();
    assert_eq!(
        names,
        ["posts_account_published_at_idx", "posts_account_title_uq"]
    );
    let by_date = &posts.indexes[0];
    assert!(!by_date.unique && !by_date.invalid);
    assert_eq!(by_date.method(), "btree");
    assert_eq!(
        &*by_date.columns,
        [
            IndexColumn::asc("account_id".into()),
            IndexColumn::desc("published_at".into()),
        ]
    );
    assert!(by_date.columns[1].nulls_first());
    assert!(posts.indexes[1].unique);
    assert_eq!(posts.primary_key, PrimaryKey::Column("id".into()));
    assert!(posts.primary_key_index.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn read_covers_one_schema_only() {
    let alter = "CREATE SCHEMA ledger;
                 CREATE TABLE ledger.applied (name text PRIMARY KEY, applied_at timestamptz);
                 CREATE TABLE empty ();";
    let (_db, client) = fixture::database(SQL, alter).await;
    let public = catalog::read(&client, "public").await.expect("read public");
    assert!(public.table("applied").is_none());
    // A table without columns is still a table.
    assert_eq!(public.table("empty").map(|t| t.columns.len()), Some(0));
    let ledger = catalog::read(&client, "ledger").await.expect("read ledger");
    let names: Vec<&str> = ledger.tables.iter().map(|t| &*t.name).collect();
    assert_eq!(names, ["applied"]);
    assert!(ledger.enums.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn reading_a_schema_that_does_not_exist_is_an_error() {
    let (_db, client) = fixture::database(SQL, "").await;
    let err = catalog::read(&client, "nowhere").await.unwrap_err();
    assert!(
        matches!(&err, CatalogError::SchemaNotFound { schema } if schema == "nowhere"),
        "{err:?}"
    );
    assert!(err.to_string().contains("schema `nowhere` does not exist"));
}

#[tokio::test(flavor = "multi_thread")]
async fn column_order_can_be_ignored_when_comparing_histories() {
    // The same table, once created whole and once with a column added afterwards, which
    // PostgreSQL appends at the end.
    let rank = "\t\"rank\" double precision NOT NULL,\n";
    let without_rank = sql_with(rank, "");
    let (whole, altered) = tokio::join!(
        catalog(SQL, ""),
        catalog(
            &without_rank,
            "ALTER TABLE labels ADD COLUMN rank double precision NOT NULL"
        )
    );
    assert_ne!(whole, altered, "the column order differs");
    let diff = catalog::compare(&altered, &whole);
    assert!(diff.is_clean(), "only the order differs: {diff}");
    assert_eq!(
        whole.ignoring_column_order(),
        altered.ignoring_column_order()
    );
}
