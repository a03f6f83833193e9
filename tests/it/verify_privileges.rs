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

/// A schema built at run time is refused by `validate` (which `generate` runs first) in the
/// words the compiler prints for `schema!`.
#[test]
fn validate_refuses_a_grant_on_an_unregistered_table_or_of_an_unknown_privilege() {
    let mut code = schema();
    code.privileges.grants = vec![
        grant("sessions", "app_read", &["SELECT"]),
        grant("*", "app_read", &["SELECT", "EXECUTE"]),
    ]
    .into();
    let errors = schema_core::registry::validate(&code).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let compiler = |case: &str| {
        let stderr = std::fs::read_to_string(format!("tests/registry_ui/{case}.stderr")).unwrap();
        let first = stderr.lines().next().unwrap().to_string();
        first
            .split_once("evaluation panicked: ")
            .unwrap()
            .1
            .to_string()
    };
    assert_eq!(
        text,
        [
            compiler("grant_on_unregistered_table"),
            compiler("grant_of_unknown_privilege"),
        ]
    );
}

/// Owners and grants declared in `schema!`, written by `generate` and applied by the runner.
mod declared {
    use super::{create_role, strings};
    use schema_core::diff::SchemaChange;
    use schema_core::files::journal::MigrationsDir;
    use schema_core::generate::{generate, GenerateOptions};
    use schema_core::migrate::Migrator;
    use schema_core::testing::TestDatabase;
    use schema_core::{schema, table, Schema};

    // Declared for their tables; no row is read.
    #[allow(dead_code)]
    #[table(name = "grant_notes")]
    pub struct Note {
        // A UUID key: renaming a table renames no serial column's sequence yet.
        #[primary_key]
        pub id: uuid::Uuid,
        pub body: String,
    }

    #[allow(dead_code)]
    #[table(name = "grant_tags")]
    pub struct Tag {
        #[primary_key(serial)]
        pub id: i32,
        pub name: String,
    }

    const GRANTED: Schema = schema! {
        enums: [],
        tables: [Note, Tag],
        owner: "schema_core_decl_owner",
        grants: [
            "schema_core_decl_read" => SELECT on [Note, Tag],
            "schema_core_decl_rw" => [SELECT, INSERT, UPDATE, DELETE] on all,
        ],
    };

    const IGNORED: Schema = schema! {
        enums: [],
        tables: [Note, Tag],
        privileges: ignore,
    };

    const ROLES: [&str; 4] = [
        "schema_core_decl_owner",
        "schema_core_decl_read",
        "schema_core_decl_rw",
        "schema_core_decl_other",
    ];

    /// A database migrated by what `generate` wrote for `schema`; the roles exist first.
    async fn migrated(
        schema: &Schema,
    ) -> Result<(TestDatabase, tokio_postgres::Client, String), Box<dyn std::error::Error>> {
        let db = TestDatabase::create().await?;
        let client = db.connect().await?;
        for role in ROLES {
            client.batch_execute(&create_role(role)).await?;
        }
        let tmp = tempfile::tempdir()?;
        let dir = MigrationsDir::new(tmp.path());
        let options = GenerateOptions {
            name: Some("initial".into()),
            ..GenerateOptions::default()
        };
        let generated = generate(schema, &dir, &options)?;
        let sql = crate::support::written_sql(&dir, &generated).join("\n");
        Migrator::from_dir(tmp.path())?
            .run_on_client(&client)
            .await?;
        Ok((db, client, sql))
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn generate_writes_declared_grants_and_owner_and_they_verify_clean(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let (_db, client, sql) = migrated(&GRANTED).await?;
        for statement in [
            "ALTER TABLE \"grant_notes\" OWNER TO \"schema_core_decl_owner\";",
            "GRANT SELECT ON \"grant_tags\" TO \"schema_core_decl_read\";",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON \"grant_notes\" TO \"schema_core_decl_rw\";",
        ] {
            assert!(sql.contains(statement), "`{statement}` in:\n{sql}");
        }
        let report = schema_core::catalog::verify(&client, &GRANTED).await?;
        assert!(report.is_clean(), "{report}");

        // Each change by hand is reported.
        client
            .batch_execute(
                "GRANT ALL ON grant_notes TO PUBLIC;
                 REVOKE UPDATE ON grant_tags FROM schema_core_decl_rw;
                 ALTER TABLE grant_tags OWNER TO schema_core_decl_other;",
            )
            .await?;
        let drifts = schema_core::catalog::verify(&client, &GRANTED)
            .await?
            .drifts;
        assert_eq!(
            drifts,
            [
                SchemaChange::Revoke {
                    table: "grant_notes".into(),
                    grantee: "PUBLIC".into(),
                    privileges: strings(&["ALL"]),
                },
                SchemaChange::SetOwner {
                    table: "grant_tags".into(),
                    to: "schema_core_decl_owner".into(),
                    from: Some("schema_core_decl_other".into()),
                },
                SchemaChange::Grant {
                    table: "grant_tags".into(),
                    grantee: "schema_core_decl_rw".into(),
                    privileges: strings(&["UPDATE"]),
                },
            ],
            "{drifts:#?}"
        );
        // Ignored, they are not looked at.
        let report = schema_core::catalog::verify(&client, &IGNORED).await?;
        assert!(report.is_clean(), "{report}");
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn without_a_declaration_a_grant_by_hand_is_reported(
    ) -> Result<(), Box<dyn std::error::Error>> {
        const PLAIN: Schema = schema! { enums: [], tables: [Note, Tag] };
        let (_db, client, sql) = migrated(&PLAIN).await?;
        assert!(!sql.contains("GRANT") && !sql.contains("OWNER"), "{sql}");
        assert!(schema_core::catalog::verify(&client, &PLAIN)
            .await?
            .is_clean());
        client
            .batch_execute("GRANT SELECT ON grant_tags TO schema_core_decl_read")
            .await?;
        let drifts = schema_core::catalog::verify(&client, &PLAIN).await?.drifts;
        assert_eq!(
            drifts,
            [SchemaChange::Revoke {
                table: "grant_tags".into(),
                grantee: "schema_core_decl_read".into(),
                privileges: strings(&["SELECT"]),
            }]
        );
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn grants_declared_later_are_a_migration_whose_down_revokes_them(
    ) -> Result<(), Box<dyn std::error::Error>> {
        const PLAIN: Schema = schema! { enums: [], tables: [Note, Tag] };
        let db = TestDatabase::create().await?;
        let client = db.connect().await?;
        for role in ROLES {
            client.batch_execute(&create_role(role)).await?;
        }
        let tmp = tempfile::tempdir()?;
        let dir = MigrationsDir::new(tmp.path());
        let options = |name: &str| GenerateOptions {
            name: Some(name.into()),
            ..GenerateOptions::default()
        };
        generate(&PLAIN, &dir, &options("initial"))?;
        let generated = generate(&GRANTED, &dir, &options("grants"))?;
        let sql = crate::support::written_sql(&dir, &generated).join("\n");
        assert!(
            sql.contains("ALTER TABLE \"grant_tags\" OWNER TO \"schema_core_decl_owner\";")
                && sql.contains("GRANT SELECT ON \"grant_notes\" TO \"schema_core_decl_read\";"),
            "{sql}"
        );
        let migrator = Migrator::from_dir(tmp.path())?;
        let down = &migrator.downs().last().expect("a down").sql;
        assert!(
            down.contains("REVOKE SELECT ON \"grant_notes\" FROM \"schema_core_decl_read\";"),
            "{down}"
        );
        migrator.run_on_client(&client).await?;
        let report = schema_core::catalog::verify(&client, &GRANTED).await?;
        assert!(report.is_clean(), "{report}");
        Ok(())
    }

    #[allow(dead_code)]
    #[table(name = "grant_memos", renamed_from = "grant_notes")]
    pub struct Memo {
        #[primary_key]
        pub id: uuid::Uuid,
        pub body: String,
    }

    /// PostgreSQL keeps a table's grants and owner when it is renamed: the migration renames,
    /// and grants nothing again.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_renamed_table_keeps_its_grants() -> Result<(), Box<dyn std::error::Error>> {
        const RENAMED: Schema = schema! {
            enums: [],
            tables: [Memo, Tag],
            owner: "schema_core_decl_owner",
            grants: [
                "schema_core_decl_read" => SELECT on [Memo, Tag],
                "schema_core_decl_rw" => [SELECT, INSERT, UPDATE, DELETE] on all,
            ],
        };
        let db = TestDatabase::create().await?;
        let client = db.connect().await?;
        for role in ROLES {
            client.batch_execute(&create_role(role)).await?;
        }
        let tmp = tempfile::tempdir()?;
        let dir = MigrationsDir::new(tmp.path());
        let options = |name: &str| GenerateOptions {
            name: Some(name.into()),
            ..GenerateOptions::default()
        };
        generate(&GRANTED, &dir, &options("initial"))?;
        let generated = generate(&RENAMED, &dir, &options("rename"))?;
        let sql = crate::support::written_sql(&dir, &generated).join("\n");
        assert!(sql.contains("RENAME TO \"grant_memos\""), "{sql}");
        assert!(!sql.contains("GRANT") && !sql.contains("OWNER"), "{sql}");
        Migrator::from_dir(tmp.path())?
            .run_on_client(&client)
            .await?;
        let report = schema_core::catalog::verify(&client, &RENAMED).await?;
        assert!(report.is_clean(), "{report}");
        Ok(())
    }
}
