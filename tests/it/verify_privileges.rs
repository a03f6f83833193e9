//! `verify` reports owners and grants: a grant the code does not declare (to `PUBLIC` or to a
//! role), a declared grant that was revoked, and a table another role owns; declared grants
//! verify clean, and `privileges: ignore` leaves them out. Roles are cluster-wide, so each test
//! creates its own idempotently (tests run in parallel, on one server).

use crate::verify_fixture as fixture;

use fixture::{database, s, schema, SQL};
use schema_core::catalog;
use schema_core::diff::SchemaChange;
use schema_core::model::{GrantDef, Schema};
use std::borrow::Cow;

/// SQL that creates `role` unless it exists; two sessions creating it at once may also meet
/// on the catalog's unique index.
pub fn create_role(role: &str) -> String {
    format!(
        "DO $$ BEGIN CREATE ROLE {role}; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
    )
}

/// A grant of `privileges` on `table` to `grantee`, as the code declares it.
pub fn grant(table: &'static str, grantee: &'static str, privileges: &[&'static str]) -> GrantDef {
    GrantDef {
        table: Cow::Borrowed(table),
        grantee: Cow::Borrowed(grantee),
        privileges: privileges
            .iter()
            .map(|p| Cow::Borrowed(*p))
            .collect::<Vec<_>>()
            .into(),
    }
}

async fn drifts(code: &Schema, alter: &str) -> Vec<SchemaChange> {
    let (_db, client) = database(SQL, alter).await;
    catalog::verify(&client, code).await.expect("verify").drifts
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|p| p.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_grant_to_public_is_reported() {
    let found = drifts(&schema(), "GRANT ALL ON posts TO PUBLIC").await;
    assert_eq!(
        found,
        [SchemaChange::Revoke {
            table: s("posts"),
            grantee: s("PUBLIC"),
            privileges: strings(&["ALL"]),
        }]
    );
    assert_eq!(
        found[0].to_string(),
        "revoke ALL on table `posts` from PUBLIC: the code does not grant it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_grant_to_a_role_the_code_does_not_name_is_reported() {
    let alter = format!(
        "{} GRANT INSERT, SELECT ON accounts TO schema_core_stray;",
        create_role("schema_core_stray")
    );
    let found = drifts(&schema(), &alter).await;
    assert_eq!(
        found,
        [SchemaChange::Revoke {
            table: s("accounts"),
            grantee: s("schema_core_stray"),
            privileges: strings(&["SELECT", "INSERT"]),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_another_role_owns_is_reported() {
    let alter = format!(
        "{} ALTER TABLE labels OWNER TO schema_core_other_owner;",
        create_role("schema_core_other_owner")
    );
    let (_db, client) = database(SQL, &alter).await;
    let me: String = client
        .query_one("SELECT current_user::text", &[])
        .await
        .unwrap()
        .get(0);
    let found = catalog::verify(&client, &schema()).await.unwrap().drifts;
    assert_eq!(
        found,
        [SchemaChange::SetOwner {
            table: s("labels"),
            to: me.clone(),
            from: Some(s("schema_core_other_owner")),
        }]
    );
    assert_eq!(
        found[0].to_string(),
        format!("make role `{me}` the owner of table `labels` (it is owned by `schema_core_other_owner`)")
    );
}

/// The code's grants: reading to one role, writing to another on every table.
fn with_grants() -> Schema {
    let mut code = schema();
    code.privileges.grants = vec![
        grant(
            "accounts",
            "schema_core_app_rw",
            &["SELECT", "INSERT", "UPDATE", "DELETE"],
        ),
        grant("posts", "schema_core_app_read", &["SELECT"]),
        grant("posts", "schema_core_app_rw", &["ALL"]),
    ]
    .into();
    code
}

fn grants_sql() -> String {
    format!(
        "{} {}
         GRANT SELECT, INSERT, UPDATE, DELETE ON accounts TO schema_core_app_rw;
         GRANT SELECT ON posts TO schema_core_app_read;
         GRANT ALL ON posts TO schema_core_app_rw;",
        create_role("schema_core_app_read"),
        create_role("schema_core_app_rw")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn declared_grants_verify_clean_and_a_revoked_one_is_reported() {
    assert_eq!(drifts(&with_grants(), &grants_sql()).await, []);

    let revoked = format!(
        "{} REVOKE DELETE ON accounts FROM schema_core_app_rw;
         REVOKE ALL ON posts FROM schema_core_app_read;",
        grants_sql()
    );
    let found = drifts(&with_grants(), &revoked).await;
    assert_eq!(
        found,
        [
            SchemaChange::Grant {
                table: s("accounts"),
                grantee: s("schema_core_app_rw"),
                privileges: strings(&["DELETE"]),
            },
            SchemaChange::Grant {
                table: s("posts"),
                grantee: s("schema_core_app_read"),
                privileges: strings(&["SELECT"]),
            },
        ]
    );
    assert_eq!(
        found[0].to_string(),
        "grant DELETE on table `accounts` to role `schema_core_app_rw`"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn privileges_ignored_leaves_owners_and_grants_out() {
    let mut code = schema();
    code.privileges.ignored = true;
    let alter = format!(
        "{} GRANT ALL ON posts TO PUBLIC; ALTER TABLE labels OWNER TO schema_core_ignored_owner;",
        create_role("schema_core_ignored_owner")
    );
    assert_eq!(drifts(&code, &alter).await, []);
}
