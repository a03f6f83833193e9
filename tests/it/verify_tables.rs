//! `verify` against real databases: an up-to-date one is clean, other schemas are ignored,
//! and each hand-made change to tables and columns is reported as exactly the drift it is.

use crate::verify_fixture as fixture;

use fixture::{drifts_after, s, SQL};
use schema_core::catalog::Drift;

#[tokio::test(flavor = "multi_thread")]
async fn an_up_to_date_database_is_clean() {
    let report = fixture::verify(SQL, "").await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        report.to_string(),
        "schema `public` matches the schema in code: no drift"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn other_schemas_such_as_the_runner_ledger_are_ignored() {
    let drifts = drifts_after(
        "CREATE SCHEMA ledger; CREATE TABLE ledger.applied (name text PRIMARY KEY);
         CREATE TYPE ledger.state AS ENUM ('x');",
    )
    .await;
    assert_eq!(drifts, vec![]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_table_is_reported() {
    let drifts = drifts_after(r#"DROP TABLE "post_labels""#).await;
    assert_eq!(
        drifts,
        vec![Drift::MissingTable {
            table: s("post_labels")
        }]
    );
    assert_eq!(
        drifts[0].to_string(),
        "table `post_labels` is missing from the database"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_table_is_reported() {
    let drifts = drifts_after("CREATE TABLE audit (id integer)").await;
    assert_eq!(drifts, vec![Drift::ExtraTable { table: s("audit") }]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_column_is_reported_with_its_declaration() {
    let drifts = drifts_after("ALTER TABLE accounts DROP COLUMN created_at").await;
    assert_eq!(
        drifts,
        vec![Drift::MissingColumn {
            table: s("accounts"),
            column: s("created_at"),
            expected: s("timestamp with time zone NOT NULL DEFAULT now()"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_column_is_reported() {
    let drifts = drifts_after("ALTER TABLE labels ADD COLUMN note text NOT NULL").await;
    assert_eq!(
        drifts,
        vec![Drift::ExtraColumn {
            table: s("labels"),
            column: s("note"),
            found: s("text NOT NULL"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_column_of_another_type_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE accounts ALTER COLUMN handle TYPE varchar(32);
         ALTER TABLE labels ALTER COLUMN rank TYPE real",
    )
    .await;
    assert_eq!(
        drifts,
        vec![
            Drift::ColumnType {
                table: s("accounts"),
                column: s("handle"),
                expected: s("character varying(64)"),
                found: s("character varying(32)"),
            },
            Drift::ColumnType {
                table: s("labels"),
                column: s("rank"),
                expected: s("double precision"),
                found: s("real"),
            },
        ]
    );
    assert_eq!(
        drifts[0].to_string(),
        "column `accounts.handle` has type `character varying(32)` in the database, \
         `character varying(64)` in code"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_nullability_is_reported_both_ways() {
    let drifts = drifts_after(
        "ALTER TABLE posts ALTER COLUMN title DROP NOT NULL;
         ALTER TABLE posts ALTER COLUMN published_at SET NOT NULL",
    )
    .await;
    assert_eq!(
        drifts,
        vec![
            Drift::Nullability {
                table: s("posts"),
                column: s("title"),
                nullable_in_code: false,
            },
            Drift::Nullability {
                table: s("posts"),
                column: s("published_at"),
                nullable_in_code: true,
            },
        ]
    );
    assert_eq!(
        drifts[0].to_string(),
        "column `posts.title` is nullable in the database, NOT NULL in code"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_added_or_dropped_default_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE accounts ALTER COLUMN score SET DEFAULT 1;
         ALTER TABLE accounts ALTER COLUMN created_at DROP DEFAULT;
         ALTER TABLE labels ALTER COLUMN rank SET DEFAULT 0",
    )
    .await;
    assert_eq!(
        drifts,
        vec![
            Drift::ColumnDefault {
                table: s("accounts"),
                column: s("score"),
                expected: Some(s("0")),
                found: Some(s("1")),
            },
            Drift::ColumnDefault {
                table: s("accounts"),
                column: s("created_at"),
                expected: Some(s("now()")),
                found: None,
            },
            Drift::ColumnDefault {
                table: s("labels"),
                column: s("rank"),
                expected: None,
                found: Some(s("0")),
            },
        ]
    );
    assert_eq!(
        drifts[1].to_string(),
        "column `accounts.created_at` has no default in the database, DEFAULT now() in code"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_lists_every_drift_and_says_what_to_do() {
    let report = fixture::verify(
        SQL,
        "DROP TABLE post_labels; ALTER TABLE accounts DROP COLUMN notes",
    )
    .await;
    assert!(!report.is_clean());
    let text = report.to_string();
    assert!(
        text.starts_with(
            "schema `public` differs from the schema in code in 2 place(s):\n  \
             - column `accounts.notes` (jsonb) is missing from the database\n  \
             - table `post_labels` is missing from the database\n"
        ),
        "{text}"
    );
    assert!(text.contains("the `migrate` command"), "{text}");
}

/// A generated column's expression lives where defaults do (`pg_attrdef`); it is reported as
/// a generated column, not as a default.
#[tokio::test(flavor = "multi_thread")]
async fn a_generated_column_is_reported_as_one_not_as_a_default() {
    let drifts = drifts_after(
        "ALTER TABLE labels DROP COLUMN weight;
         ALTER TABLE labels ADD COLUMN weight real GENERATED ALWAYS AS (1) STORED",
    )
    .await;
    assert_eq!(
        drifts,
        vec![Drift::GeneratedColumn {
            table: s("labels"),
            column: s("weight"),
            expression: s("1"),
        }]
    );
    assert_eq!(
        drifts[0].to_string(),
        "column `labels.weight` is generated in the database (GENERATED ALWAYS AS (1) STORED), \
         an ordinary column in code"
    );
}
