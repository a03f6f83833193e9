//! `verify` against real databases: an up-to-date one is clean, other schemas are ignored,
//! and each hand-made change to tables and columns is reported as exactly the drift it is.

use crate::verify_fixture as fixture;

use fixture::{drifts_after, s, SQL};
use schema_core::diff::SchemaChange;

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
        vec![SchemaChange::CreateTable {
            table: s("post_labels")
        }]
    );
    assert_eq!(drifts[0].to_string(), "create table `post_labels`");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_table_is_reported() {
    let drifts = drifts_after("CREATE TABLE audit (id integer)").await;
    assert_eq!(drifts, vec![SchemaChange::DropTable { table: s("audit") }]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_column_is_reported_with_its_declaration() {
    let drifts = drifts_after("ALTER TABLE accounts DROP COLUMN created_at").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::AddColumn {
            table: s("accounts"),
            column: s("created_at"),
            definition: s("timestamp with time zone NOT NULL DEFAULT now()"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_column_is_reported() {
    let drifts = drifts_after("ALTER TABLE labels ADD COLUMN note text NOT NULL").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::DropColumn {
            table: s("labels"),
            column: s("note"),
            definition: s("text NOT NULL"),
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
            SchemaChange::AlterColumnType {
                table: s("accounts"),
                column: s("handle"),
                to: s("character varying(64)"),
                from: s("character varying(32)"),
            },
            SchemaChange::AlterColumnType {
                table: s("labels"),
                column: s("rank"),
                to: s("double precision"),
                from: s("real"),
            },
        ]
    );
    assert_eq!(
        drifts[0].to_string(),
        "change the type of column `accounts.handle` from `character varying(32)` to \
         `character varying(64)`"
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
            SchemaChange::SetNotNull {
                table: s("posts"),
                column: s("title"),
            },
            SchemaChange::DropNotNull {
                table: s("posts"),
                column: s("published_at"),
            },
        ]
    );
    assert_eq!(
        drifts[0].to_string(),
        "make column `posts.title` NOT NULL (it is nullable)"
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
            SchemaChange::AlterColumnDefault {
                table: s("accounts"),
                column: s("score"),
                to: Some(s("0")),
                from: Some(s("1")),
            },
            SchemaChange::AlterColumnDefault {
                table: s("accounts"),
                column: s("created_at"),
                to: Some(s("now()")),
                from: None,
            },
            SchemaChange::AlterColumnDefault {
                table: s("labels"),
                column: s("rank"),
                to: None,
                from: Some(s("0")),
            },
        ]
    );
    assert_eq!(
        drifts[1].to_string(),
        "change the default of column `accounts.created_at` from no default to DEFAULT now()"
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
             - add column `accounts.notes` (jsonb)\n  \
             - create table `post_labels`\n"
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
        vec![SchemaChange::DropColumnExpression {
            table: s("labels"),
            column: s("weight"),
            expression: s("1"),
        }]
    );
    assert_eq!(
        drifts[0].to_string(),
        "make column `labels.weight` an ordinary column: it is generated \
         (GENERATED ALWAYS AS (1) STORED)"
    );
}

/// A drift line and the change `generate` writes for the same difference are one change of
/// the one diff, told in the same words.
#[tokio::test(flavor = "multi_thread")]
async fn a_drift_line_and_the_generated_change_say_the_same() {
    use crate::support::build::table_mut;
    use schema_core::files::journal::MigrationsDir;
    use schema_core::generate::{generate_report, GenerateOptions};
    use schema_core::model::IndexColumn;

    // The database lacks a column and keeps an index in another order...
    let report = fixture::verify(
        SQL,
        "ALTER TABLE accounts DROP COLUMN notes;
         DROP INDEX posts_account_published_at_idx;
         CREATE INDEX posts_account_published_at_idx ON posts (account_id, published_at);",
    )
    .await;
    // ...and so does the last migration's snapshot, from which `generate` writes the code's
    // schema.
    let mut old = fixture::schema();
    let accounts = table_mut(&mut old, "accounts");
    accounts.columns.to_mut().retain(|c| c.name != "notes");
    let posts = table_mut(&mut old, "posts");
    let index = (posts.indexes.to_mut().iter_mut())
        .find(|i| i.name == "posts_account_published_at_idx")
        .expect("the fixture's index");
    index.columns.to_mut()[1] = IndexColumn::asc("published_at".into());
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = MigrationsDir::new(tmp.path());
    let named = |name: &str| GenerateOptions {
        name: Some(name.into()),
        ..Default::default()
    };
    generate_report(&old, &dir, &named("before")).expect("the first migration");
    let generated = generate_report(&fixture::schema(), &dir, &named("after"))
        .expect("the change")
        .changes;

    let words = |changes: &[SchemaChange]| -> Vec<String> {
        changes.iter().map(ToString::to_string).collect()
    };
    assert_eq!(words(&report.drifts), words(&generated));
    assert_eq!(
        words(&generated),
        [
            "add column `accounts.notes` (jsonb)",
            "change index `posts_account_published_at_idx` of table `posts` from \
             `btree (account_id, published_at)` to `btree (account_id, published_at DESC)`",
        ]
    );
    assert!(report
        .to_string()
        .contains("  - add column `accounts.notes` (jsonb)\n"));
}
