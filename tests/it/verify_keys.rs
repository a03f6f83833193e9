//! `verify` against real databases: hand-made changes to primary keys, foreign keys, indexes
//! and constraints, each reported as exactly the drift it is.

use crate::verify_fixture as fixture;

use fixture::{drifts_after, labels, s};
use schema_core::diff::SchemaChange;

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_key_with_another_on_delete_is_reported() {
    let drifts = drifts_after(
        r#"ALTER TABLE posts DROP CONSTRAINT posts_account_id_accounts_id_fk;
           ALTER TABLE posts ADD CONSTRAINT posts_account_id_accounts_id_fk
             FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE RESTRICT"#,
    )
    .await;
    assert_eq!(
        drifts,
        vec![SchemaChange::AlterForeignKeyOnDelete {
            table: s("posts"),
            name: s("posts_account_id_accounts_id_fk"),
            to: s("CASCADE"),
            from: s("RESTRICT"),
        }]
    );
    assert_eq!(
        drifts[0].to_string(),
        "change foreign key `posts_account_id_accounts_id_fk` of table `posts` from \
         ON DELETE RESTRICT to ON DELETE CASCADE"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_foreign_key_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE post_labels DROP CONSTRAINT post_labels_reviewer_id_accounts_id_fk",
    )
    .await;
    assert_eq!(
        drifts,
        vec![SchemaChange::AddForeignKey {
            table: s("post_labels"),
            name: s("post_labels_reviewer_id_accounts_id_fk"),
            definition: s(
                "FOREIGN KEY (reviewer_id) REFERENCES accounts(id) ON UPDATE NO ACTION \
                 ON DELETE SET NULL"
            ),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_key_under_another_name_is_missing_and_extra() {
    let drifts = drifts_after(
        "ALTER TABLE posts RENAME CONSTRAINT posts_account_id_accounts_id_fk TO posts_account_fk",
    )
    .await;
    assert_eq!(drifts.len(), 2, "{drifts:?}");
    assert!(
        matches!(&drifts[0], SchemaChange::AddForeignKey { name, .. }
        if name == "posts_account_id_accounts_id_fk")
    );
    assert!(
        matches!(&drifts[1], SchemaChange::DropForeignKey { name, definition: found, .. }
        if name == "posts_account_fk" && found.ends_with("ON DELETE CASCADE"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_primary_key_is_reported() {
    let drifts =
        drifts_after("ALTER TABLE post_labels DROP CONSTRAINT post_labels_post_id_label_code_pk")
            .await;
    assert_eq!(
        drifts,
        vec![SchemaChange::AddPrimaryKey {
            table: s("post_labels"),
            name: s("post_labels_post_id_label_code_pk"),
            columns: labels(&["post_id", "label_code"]),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_index_is_reported() {
    let drifts = drifts_after("DROP INDEX posts_account_published_at_idx").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::CreateIndex {
            table: s("posts"),
            name: s("posts_account_published_at_idx"),
            definition: s("btree (account_id, published_at DESC)"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_index_is_reported() {
    let drifts = drifts_after("CREATE INDEX accounts_email_idx ON accounts (lower(email))").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::DropIndex {
            table: s("accounts"),
            name: s("accounts_email_idx"),
            definition: s("btree (lower(email))"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
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
    let index = |table: &str, name: &str, expected: &str, found: &str| SchemaChange::AlterIndex {
        table: s(table),
        name: s(name),
        to: s(expected),
        from: s(found),
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
        "change index `posts_account_published_at_idx` of table `posts` from \
         `btree (account_id, published_at)` to `btree (account_id, published_at DESC)`"
    );
}

/// `desc` in code is PostgreSQL's plain `DESC` (NULLs first); an index rebuilt with
/// `DESC NULLS LAST` cannot serve `ORDER BY .. DESC` without a sort, so it is drift.
#[tokio::test(flavor = "multi_thread")]
async fn a_desc_index_with_nulls_last_is_reported() {
    let drifts = drifts_after(
        "DROP INDEX posts_account_published_at_idx;
         CREATE INDEX posts_account_published_at_idx ON posts
             (account_id, published_at DESC NULLS LAST);",
    )
    .await;
    assert_eq!(
        drifts,
        vec![SchemaChange::AlterIndex {
            table: s("posts"),
            name: s("posts_account_published_at_idx"),
            to: s("btree (account_id, published_at DESC)"),
            from: s("btree (account_id, published_at DESC NULLS LAST)"),
        }]
    );
}

/// PostgreSQL stores `DESC NULLS FIRST` and `ASC NULLS LAST` as `DESC` and `ASC`: the same
/// keys, so an index written with the long spelling is no drift.
#[tokio::test(flavor = "multi_thread")]
async fn equivalent_spellings_of_a_key_are_no_drift() {
    let drifts = drifts_after(
        "DROP INDEX posts_account_published_at_idx;
         CREATE INDEX posts_account_published_at_idx ON posts
             (account_id ASC NULLS LAST, published_at DESC NULLS FIRST);",
    )
    .await;
    assert_eq!(drifts, vec![]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unique_constraint_made_by_hand_is_reported_once() {
    let drifts =
        drifts_after("ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::DropConstraint {
            table: s("accounts"),
            name: s("accounts_email_key"),
            definition: s("UNIQUE (email)"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
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
            SchemaChange::AlterForeignKey {
                table: s("posts"),
                name: s("posts_account_id_accounts_id_fk"),
                to: s(
                    "FOREIGN KEY (account_id) REFERENCES accounts(id) ON UPDATE NO ACTION \
                     ON DELETE CASCADE"
                ),
                from: s(
                    "FOREIGN KEY (account_id) REFERENCES accounts(id) ON UPDATE CASCADE \
                     ON DELETE CASCADE"
                ),
            },
            SchemaChange::AlterForeignKey {
                table: s("post_labels"),
                name: s("post_labels_reviewer_id_accounts_id_fk"),
                to: s(
                    "FOREIGN KEY (reviewer_id) REFERENCES accounts(id) ON UPDATE NO ACTION \
                     ON DELETE SET NULL"
                ),
                from: s(
                    "FOREIGN KEY (reviewer_id) REFERENCES posts(id) ON UPDATE NO ACTION \
                     ON DELETE SET NULL"
                ),
            },
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
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
            SchemaChange::AlterPrimaryKey {
                table: s("labels"),
                to_name: s("labels_pkey"),
                to_columns: labels(&["code"]),
                from_name: s("labels_code_pk"),
                from_columns: labels(&["code"]),
            },
            SchemaChange::AlterPrimaryKey {
                table: s("post_labels"),
                to_name: s("post_labels_post_id_label_code_pk"),
                to_columns: labels(&["post_id", "label_code"]),
                from_name: s("post_labels_post_id_label_code_pk"),
                from_columns: labels(&["label_code", "post_id"]),
            },
        ]
    );
    assert_eq!(
        drifts[1].to_string(),
        "change the primary key of table `post_labels` from \
         `post_labels_post_id_label_code_pk` (label_code, post_id) to \
         `post_labels_post_id_label_code_pk` (post_id, label_code)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_constraint_made_by_hand_is_reported() {
    let drifts =
        drifts_after("ALTER TABLE accounts ADD CONSTRAINT score_positive CHECK (score >= 0)").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::DropConstraint {
            table: s("accounts"),
            name: s("score_positive"),
            definition: s("CHECK ((score >= 0))"),
        }]
    );
}

/// An INCLUDE column or a non-default operator class changes what an index stores and which
/// queries it serves; the code declares neither, so each is drift, named in the index's line.
#[tokio::test(flavor = "multi_thread")]
async fn an_index_with_include_columns_or_another_operator_class_is_reported() {
    let drifts = drifts_after(
        "DROP INDEX post_labels_label_code_idx;
         CREATE INDEX post_labels_label_code_idx ON post_labels (label_code) INCLUDE (post_id);
         DROP INDEX accounts_handle_uq;
         CREATE UNIQUE INDEX accounts_handle_uq ON accounts (handle varchar_pattern_ops);",
    )
    .await;
    assert_eq!(
        drifts,
        vec![
            SchemaChange::AlterIndex {
                table: s("accounts"),
                name: s("accounts_handle_uq"),
                to: s("UNIQUE btree (handle)"),
                from: s("UNIQUE btree (handle varchar_pattern_ops)"),
            },
            SchemaChange::AlterIndex {
                table: s("post_labels"),
                name: s("post_labels_label_code_idx"),
                to: s("btree (label_code)"),
                from: s("btree (label_code) INCLUDE (post_id)"),
            },
        ]
    );
    assert_eq!(
        drifts[1].to_string(),
        "change index `post_labels_label_code_idx` of table `post_labels` from \
         `btree (label_code) INCLUDE (post_id)` to `btree (label_code)`"
    );
}

/// A key's type's own operator class, written out, is no drift.
#[tokio::test(flavor = "multi_thread")]
async fn the_default_operator_class_written_out_is_no_drift() {
    let drifts = drifts_after(
        "DROP INDEX post_labels_label_code_idx;
         CREATE INDEX post_labels_label_code_idx ON post_labels (label_code text_ops);",
    )
    .await;
    assert_eq!(drifts, vec![]);
}

/// A primary key with the right columns whose index carries an INCLUDE column is drift too.
#[tokio::test(flavor = "multi_thread")]
async fn a_primary_key_with_an_include_column_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE post_labels DROP CONSTRAINT post_labels_post_id_label_code_pk;
         ALTER TABLE post_labels ADD CONSTRAINT post_labels_post_id_label_code_pk
             PRIMARY KEY (post_id, label_code) INCLUDE (reviewer_id)",
    )
    .await;
    assert_eq!(
        drifts,
        vec![SchemaChange::AlterIndex {
            table: s("post_labels"),
            name: s("post_labels_post_id_label_code_pk"),
            to: s("UNIQUE btree (post_id, label_code)"),
            from: s("UNIQUE btree (post_id, label_code) INCLUDE (reviewer_id)"),
        }]
    );
}
