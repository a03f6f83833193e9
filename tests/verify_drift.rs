//! `verify` against real databases: an up-to-date one is clean, and each kind of hand-made
//! change is reported as exactly one drift (or the few it implies), named so a user can act.

#[path = "verify_fixture/mod.rs"]
mod fixture;

use fixture::{drifts_after, sql_with, SQL};
use schema::catalog::Drift;

fn s(v: &str) -> String {
    v.to_string()
}

fn labels(v: &[&str]) -> Vec<String> {
    v.iter().map(|l| l.to_string()).collect()
}

#[tokio::test]
async fn an_up_to_date_database_is_clean() {
    let report = fixture::verify(SQL, "").await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        report.to_string(),
        "schema `public` matches the schema in code: no drift"
    );
}

#[tokio::test]
async fn other_schemas_such_as_the_runner_ledger_are_ignored() {
    let drifts = drifts_after(
        "CREATE SCHEMA ledger; CREATE TABLE ledger.applied (name text PRIMARY KEY);
         CREATE TYPE ledger.state AS ENUM ('x');",
    )
    .await;
    assert_eq!(drifts, vec![]);
}

#[tokio::test]
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

#[tokio::test]
async fn an_extra_table_is_reported() {
    let drifts = drifts_after("CREATE TABLE audit (id integer)").await;
    assert_eq!(drifts, vec![Drift::ExtraTable { table: s("audit") }]);
}

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
async fn a_foreign_key_with_another_on_delete_is_reported() {
    let drifts = drifts_after(
        r#"ALTER TABLE posts DROP CONSTRAINT posts_account_id_accounts_id_fk;
           ALTER TABLE posts ADD CONSTRAINT posts_account_id_accounts_id_fk
             FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE RESTRICT"#,
    )
    .await;
    assert_eq!(
        drifts,
        vec![Drift::ForeignKeyOnDelete {
            table: s("posts"),
            name: s("posts_account_id_accounts_id_fk"),
            expected: s("CASCADE"),
            found: s("RESTRICT"),
        }]
    );
    assert_eq!(
        drifts[0].to_string(),
        "table `posts`: foreign key `posts_account_id_accounts_id_fk` is ON DELETE RESTRICT \
         in the database, ON DELETE CASCADE in code"
    );
}

#[tokio::test]
async fn a_missing_foreign_key_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE post_labels DROP CONSTRAINT post_labels_reviewer_id_accounts_id_fk",
    )
    .await;
    assert_eq!(
        drifts,
        vec![Drift::MissingForeignKey {
            table: s("post_labels"),
            name: s("post_labels_reviewer_id_accounts_id_fk"),
            expected: s(
                "FOREIGN KEY (reviewer_id) REFERENCES accounts(id) ON UPDATE NO ACTION \
                 ON DELETE SET NULL"
            ),
        }]
    );
}

#[tokio::test]
async fn a_foreign_key_under_another_name_is_missing_and_extra() {
    let drifts = drifts_after(
        "ALTER TABLE posts RENAME CONSTRAINT posts_account_id_accounts_id_fk TO posts_account_fk",
    )
    .await;
    assert_eq!(drifts.len(), 2, "{drifts:?}");
    assert!(matches!(&drifts[0], Drift::MissingForeignKey { name, .. }
        if name == "posts_account_id_accounts_id_fk"));
    assert!(
        matches!(&drifts[1], Drift::ExtraForeignKey { name, found, .. }
        if name == "posts_account_fk" && found.ends_with("ON DELETE CASCADE"))
    );
}

#[tokio::test]
async fn a_missing_primary_key_is_reported() {
    let drifts =
        drifts_after("ALTER TABLE post_labels DROP CONSTRAINT post_labels_post_id_label_code_pk")
            .await;
    assert_eq!(
        drifts,
        vec![Drift::MissingPrimaryKey {
            table: s("post_labels"),
            name: s("post_labels_post_id_label_code_pk"),
            columns: labels(&["post_id", "label_code"]),
        }]
    );
}

#[tokio::test]
async fn a_missing_index_is_reported() {
    let drifts = drifts_after("DROP INDEX posts_account_published_at_idx").await;
    assert_eq!(
        drifts,
        vec![Drift::MissingIndex {
            table: s("posts"),
            name: s("posts_account_published_at_idx"),
            expected: s("btree (account_id, published_at DESC)"),
        }]
    );
}

#[tokio::test]
async fn an_extra_index_is_reported() {
    let drifts = drifts_after("CREATE INDEX accounts_email_idx ON accounts (lower(email))").await;
    assert_eq!(
        drifts,
        vec![Drift::ExtraIndex {
            table: s("accounts"),
            name: s("accounts_email_idx"),
            found: s("btree (lower(email))"),
        }]
    );
}

#[tokio::test]
async fn an_index_with_other_columns_direction_or_uniqueness_is_reported() {
    let drifts = drifts_after(
        "DROP INDEX posts_account_published_at_idx;
         CREATE INDEX posts_account_published_at_idx ON posts (account_id, published_at);
         DROP INDEX post_labels_label_code_idx;
         CREATE INDEX post_labels_label_code_idx ON post_labels (label_code, post_id);
         DROP INDEX accounts_handle_uq;
         CREATE INDEX accounts_handle_uq ON accounts (handle);",
    )
    .await;
    let index = |table: &str, name: &str, expected: &str, found: &str| Drift::Index {
        table: s(table),
        name: s(name),
        expected: s(expected),
        found: s(found),
    };
    assert_eq!(
        drifts,
        vec![
            index(
                "accounts",
                "accounts_handle_uq",
                "UNIQUE btree (handle)",
                "btree (handle)"
            ),
            index(
                "posts",
                "posts_account_published_at_idx",
                "btree (account_id, published_at DESC)",
                "btree (account_id, published_at)"
            ),
            index(
                "post_labels",
                "post_labels_label_code_idx",
                "btree (label_code)",
                "btree (label_code, post_id)"
            ),
        ]
    );
    assert_eq!(
        drifts[1].to_string(),
        "table `posts`: index `posts_account_published_at_idx` is \
         `btree (account_id, published_at)` in the database, \
         `btree (account_id, published_at DESC)` in code"
    );
}

#[tokio::test]
async fn a_unique_constraint_made_by_hand_is_reported_once() {
    let drifts =
        drifts_after("ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)").await;
    assert_eq!(
        drifts,
        vec![Drift::ExtraConstraint {
            table: s("accounts"),
            name: s("accounts_email_key"),
            found: s("UNIQUE (email)"),
        }]
    );
}

#[tokio::test]
async fn a_missing_enum_label_is_reported() {
    let report = fixture::verify(&sql_with("'happy', 'calm', 'sad'", "'happy', 'calm'"), "").await;
    assert_eq!(
        report.drifts,
        vec![Drift::MissingEnumLabel {
            enum_name: s("mood"),
            label: s("sad"),
        }]
    );
}

#[tokio::test]
async fn an_extra_enum_label_is_reported() {
    let drifts = drifts_after("ALTER TYPE mood ADD VALUE 'angry' BEFORE 'calm'").await;
    assert_eq!(
        drifts,
        vec![Drift::ExtraEnumLabel {
            enum_name: s("mood"),
            label: s("angry"),
        }]
    );
}

#[tokio::test]
async fn enum_labels_out_of_order_are_reported() {
    let report = fixture::verify(
        &sql_with("'low', 'mid', 'high'", "'low', 'high', 'mid'"),
        "",
    )
    .await;
    assert_eq!(
        report.drifts,
        vec![Drift::EnumLabelOrder {
            enum_name: s("level"),
            expected: labels(&["low", "mid", "high"]),
            found: labels(&["low", "high", "mid"]),
        }]
    );
    assert_eq!(
        report.drifts[0].to_string(),
        "enum type `level`: labels are ordered (low, high, mid) in the database, \
         (low, mid, high) in code"
    );
}

#[tokio::test]
async fn a_missing_enum_type_is_reported_with_the_column_it_took_along() {
    // Dropping a type in use needs CASCADE, which drops the columns of that type too.
    let drifts = drifts_after("DROP TYPE channel CASCADE").await;
    assert_eq!(
        drifts,
        vec![
            Drift::MissingEnum {
                name: s("channel"),
                labels: labels(&["email", "sms"]),
            },
            Drift::MissingColumn {
                table: s("post_labels"),
                column: s("channel"),
                expected: s("channel NOT NULL"),
            },
        ]
    );
}

#[tokio::test]
async fn an_extra_enum_type_is_reported() {
    let drifts = drifts_after("CREATE TYPE color AS ENUM ('red', 'blue')").await;
    assert_eq!(
        drifts,
        vec![Drift::ExtraEnum {
            name: s("color"),
            labels: labels(&["red", "blue"]),
        }]
    );
}

#[tokio::test]
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
    assert!(text.contains("cargo run --example migrate"), "{text}");
}

#[tokio::test]
async fn a_foreign_key_with_another_on_update_or_target_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE posts DROP CONSTRAINT posts_account_id_accounts_id_fk;
         ALTER TABLE posts ADD CONSTRAINT posts_account_id_accounts_id_fk
           FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE ON UPDATE CASCADE;
         ALTER TABLE post_labels DROP CONSTRAINT post_labels_reviewer_id_accounts_id_fk;
         ALTER TABLE post_labels ADD CONSTRAINT post_labels_reviewer_id_accounts_id_fk
           FOREIGN KEY (reviewer_id) REFERENCES posts(id) ON DELETE SET NULL;",
    )
    .await;
    assert_eq!(
        drifts,
        vec![
            Drift::ForeignKey {
                table: s("posts"),
                name: s("posts_account_id_accounts_id_fk"),
                expected: s(
                    "FOREIGN KEY (account_id) REFERENCES accounts(id) ON UPDATE NO ACTION \
                     ON DELETE CASCADE"
                ),
                found: s(
                    "FOREIGN KEY (account_id) REFERENCES accounts(id) ON UPDATE CASCADE \
                     ON DELETE CASCADE"
                ),
            },
            Drift::ForeignKey {
                table: s("post_labels"),
                name: s("post_labels_reviewer_id_accounts_id_fk"),
                expected: s(
                    "FOREIGN KEY (reviewer_id) REFERENCES accounts(id) ON UPDATE NO ACTION \
                     ON DELETE SET NULL"
                ),
                found: s(
                    "FOREIGN KEY (reviewer_id) REFERENCES posts(id) ON UPDATE NO ACTION \
                     ON DELETE SET NULL"
                ),
            },
        ]
    );
}

#[tokio::test]
async fn a_primary_key_under_another_name_or_on_other_columns_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE labels RENAME CONSTRAINT labels_pkey TO labels_code_pk;
         ALTER TABLE post_labels DROP CONSTRAINT post_labels_post_id_label_code_pk;
         ALTER TABLE post_labels ADD CONSTRAINT post_labels_post_id_label_code_pk
           PRIMARY KEY (label_code, post_id);",
    )
    .await;
    assert_eq!(
        drifts,
        vec![
            Drift::PrimaryKey {
                table: s("labels"),
                expected_name: s("labels_pkey"),
                expected_columns: labels(&["code"]),
                found_name: s("labels_code_pk"),
                found_columns: labels(&["code"]),
            },
            Drift::PrimaryKey {
                table: s("post_labels"),
                expected_name: s("post_labels_post_id_label_code_pk"),
                expected_columns: labels(&["post_id", "label_code"]),
                found_name: s("post_labels_post_id_label_code_pk"),
                found_columns: labels(&["label_code", "post_id"]),
            },
        ]
    );
    assert_eq!(
        drifts[1].to_string(),
        "table `post_labels`: primary key is `post_labels_post_id_label_code_pk` \
         (label_code, post_id) in the database, `post_labels_post_id_label_code_pk` \
         (post_id, label_code) in code"
    );
}

#[tokio::test]
async fn a_check_constraint_made_by_hand_is_reported() {
    let drifts =
        drifts_after("ALTER TABLE accounts ADD CONSTRAINT score_positive CHECK (score >= 0)").await;
    assert_eq!(
        drifts,
        vec![Drift::ExtraConstraint {
            table: s("accounts"),
            name: s("score_positive"),
            found: s("CHECK ((score >= 0))"),
        }]
    );
}
