//! `catalog::read` against real databases: what it reads, and that two databases built the
//! same way read equal while any difference is named by the diff.

use crate::verify_fixture as fixture;

use fixture::{catalog, sql_with, SQL};
use schema_core::catalog::{self, CatalogError, ConstraintKind, FkAction, IndexKey};

#[tokio::test(flavor = "multi_thread")]
async fn two_databases_built_by_the_same_sql_read_equal() {
    let (left, right) = tokio::join!(catalog(SQL, ""), catalog(SQL, ""));
    let diff = left.diff(&right);
    assert!(diff.is_empty(), "{diff}");
    assert_eq!(left, right);
    assert_eq!(left.tables.len(), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_differing_index_is_named_by_the_diff() {
    let (left, right) = tokio::join!(
        catalog(SQL, ""),
        catalog(
            SQL,
            "DROP INDEX posts_account_published_at_idx;
             CREATE INDEX posts_account_published_at_idx ON posts (account_id, published_at);"
        )
    );
    assert_ne!(left, right);
    let diff = left.diff(&right);
    assert_eq!(
        diff.to_string(),
        "the catalogs differ in 1 place(s) (- left, + right):\n  \
         table posts, index posts_account_published_at_idx:\n    \
         - CREATE INDEX posts_account_published_at_idx ON public.posts USING btree \
         (account_id, published_at DESC)\n    \
         + CREATE INDEX posts_account_published_at_idx ON public.posts USING btree \
         (account_id, published_at)\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn read_reports_types_defaults_and_column_order_as_postgres_spells_them() {
    let catalog = catalog(SQL, "").await;
    assert_eq!(catalog.schema, "public");
    assert!(catalog.extensions.contains(&"pgcrypto".to_string()));
    let posts = catalog.table("posts").expect("posts is read");
    let columns: Vec<(&str, &str, bool, Option<&str>)> = posts
        .columns
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.data_type.as_str(),
                c.not_null,
                c.default.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        vec![
            ("id", "uuid", true, Some("gen_random_uuid()")),
            ("account_id", "uuid", true, None),
            ("level", "level", true, None),
            ("title", "character varying(255)", true, None),
            ("views", "bigint", true, Some("0")),
            ("priority", "smallint", true, Some("'-1'::integer")),
            ("published_at", "timestamp with time zone", false, None),
        ]
    );
    let accounts = catalog.table("accounts").expect("accounts is read");
    let mood = accounts.column("mood").expect("accounts.mood is read");
    assert_eq!(mood.default.as_deref(), Some("'calm'::mood"));
}

#[tokio::test(flavor = "multi_thread")]
async fn enum_labels_are_read_in_their_sort_order() {
    // A label added BEFORE another gets a later oid but an earlier enumsortorder.
    let catalog = catalog(SQL, "ALTER TYPE mood ADD VALUE 'angry' BEFORE 'calm'").await;
    let names: Vec<&str> = catalog.enums.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["channel", "level", "mood"]);
    let mood = catalog.enum_type("mood").expect("mood is read");
    assert_eq!(mood.labels, ["happy", "angry", "calm", "sad"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn constraints_and_foreign_keys_are_read_with_their_definitions() {
    let catalog = catalog(SQL, "").await;
    let table = catalog.table("post_labels").expect("post_labels is read");
    let constraints: Vec<(&str, ConstraintKind, &str)> = table
        .constraints
        .iter()
        .map(|c| (c.name.as_str(), c.kind, c.definition.as_str()))
        .collect();
    assert_eq!(
        constraints,
        vec![
            (
                "post_labels_label_code_labels_code_fk",
                ConstraintKind::ForeignKey,
                "FOREIGN KEY (label_code) REFERENCES labels(code) ON DELETE RESTRICT"
            ),
            (
                "post_labels_post_id_label_code_pk",
                ConstraintKind::PrimaryKey,
                "PRIMARY KEY (post_id, label_code)"
            ),
            (
                "post_labels_post_id_posts_id_fk",
                ConstraintKind::ForeignKey,
                "FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE"
            ),
            (
                "post_labels_reviewer_id_accounts_id_fk",
                ConstraintKind::ForeignKey,
                "FOREIGN KEY (reviewer_id) REFERENCES accounts(id) ON DELETE SET NULL"
            ),
        ]
    );
    let reviewer = table
        .foreign_key("post_labels_reviewer_id_accounts_id_fk")
        .expect("the reviewer key is read");
    assert_eq!(reviewer.columns, ["reviewer_id"]);
    assert_eq!(reviewer.referenced_table, "accounts");
    assert_eq!(reviewer.referenced_columns, ["id"]);
    assert_eq!(reviewer.on_delete, FkAction::SetNull);
    assert_eq!(reviewer.on_update, FkAction::NoAction);
    assert_eq!(table.foreign_keys.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn indexes_are_read_with_their_keys_and_direction() {
    let catalog = catalog(SQL, "").await;
    let posts = catalog.table("posts").expect("posts is read");
    let names: Vec<&str> = posts.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "posts_account_published_at_idx",
            "posts_account_title_uq",
            "posts_pkey"
        ]
    );
    let by_date = posts.index("posts_account_published_at_idx").unwrap();
    assert!(!by_date.unique && !by_date.primary && !by_date.backs_constraint);
    assert_eq!(by_date.method, "btree");
    assert_eq!(
        by_date.columns,
        [
            IndexKey {
                expr: "account_id".into(),
                desc: false,
                nulls_first: false,
                opclass: None
            },
            IndexKey {
                expr: "published_at".into(),
                desc: true,
                nulls_first: true,
                opclass: None
            },
        ]
    );
    assert!(posts.index("posts_account_title_uq").unwrap().unique);
    let pkey = posts.index("posts_pkey").unwrap();
    assert!(pkey.unique && pkey.primary && pkey.backs_constraint);
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
    let names: Vec<&str> = ledger.tables.iter().map(|t| t.name.as_str()).collect();
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
    let diff = whole.diff(&altered);
    assert_eq!(diff.entries.len(), 1, "{diff}");
    assert_eq!(diff.entries[0].what, "table labels, column order");
    let diff = whole
        .ignoring_column_order()
        .diff(&altered.ignoring_column_order());
    assert!(diff.is_empty(), "{diff}");
}
