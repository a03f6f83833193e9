//! `verify` reports what migrations never make or set, one test per kind: triggers, rules,
//! functions, domains, event triggers, replica identities,
//! views, materialized views, free sequences, row-level security and policies, INVALID
//! indexes, NOT VALID and DEFERRABLE constraints, UNLOGGED tables, column collations, and
//! missing or extra extensions. And keyword names verify clean: names are compared as
//! identifiers, not as the quoted text PostgreSQL prints.

use crate::support;
use crate::verify_fixture as fixture;

use fixture::{drifts_after, s};
use schema_core::catalog;
use schema_core::diff::{ObjectKind, SchemaChange};
use schema_core::migrate::Migrator;
use schema_core::model::*;
use schema_core::testing::TestDatabase;
use support::build::*;

/// The one drift found; its message must name `name`.
fn only(drifts: Vec<SchemaChange>, name: &str) -> SchemaChange {
    assert_eq!(drifts.len(), 1, "{drifts:#?}");
    let drift = drifts.into_iter().next().unwrap();
    assert!(drift.to_string().contains(name), "{drift}");
    drift
}

/// Asserts an `ExtraObject` of `kind` on `table` named `name` whose definition contains
/// `found`.
fn assert_extra(
    drift: &SchemaChange,
    kind: ObjectKind,
    table: Option<&str>,
    name: &str,
    found: &str,
) {
    match drift {
        SchemaChange::DropObject {
            kind: k,
            table: t,
            name: n,
            definition: f,
        } => {
            assert_eq!((*k, t.as_deref(), n.as_str()), (kind, table, name));
            assert!(f.contains(found), "`{f}` should contain `{found}`");
        }
        other => panic!("expected an extra {kind}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trigger_is_reported() {
    let drifts = drifts_after(
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
         CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();",
    )
    .await;
    // The function the trigger calls is the schema's too, and reported on its own.
    assert_eq!(drifts.len(), 2, "{drifts:#?}");
    assert_extra(
        &drifts[0],
        ObjectKind::Function,
        None,
        "touch()",
        "CREATE OR REPLACE FUNCTION public.touch()",
    );
    assert_extra(
        &drifts[1],
        ObjectKind::Trigger,
        Some("posts"),
        "posts_touch",
        "BEFORE UPDATE ON public.posts FOR EACH ROW EXECUTE FUNCTION touch()",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_function_or_procedure_is_reported_and_an_extension_s_are_not() {
    let drifts = drifts_after(
        "CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT a + b';
         CREATE PROCEDURE noop() LANGUAGE sql AS 'SELECT 1';",
    )
    .await;
    // pgcrypto's functions (gen_random_uuid and the rest) are the extension's: not listed.
    assert_eq!(drifts.len(), 2, "{drifts:#?}");
    assert_extra(
        &drifts[0],
        ObjectKind::Function,
        None,
        "add(a integer, b integer)",
        "RETURNS integer",
    );
    assert_extra(
        &drifts[1],
        ObjectKind::Function,
        None,
        "noop()",
        "PROCEDURE",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_domain_is_reported_with_its_constraints() {
    let drifts =
        drifts_after("CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901)")
            .await;
    let drift = only(drifts, "year");
    assert_extra(
        &drift,
        ObjectKind::Domain,
        None,
        "year",
        "integer CONSTRAINT year_check CHECK ((VALUE >= 1901))",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_trigger_is_reported() {
    let drifts = drifts_after(
        "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
         CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();",
    )
    .await;
    let kinds: Vec<(ObjectKind, String)> = drifts
        .iter()
        .filter_map(|d| match d {
            SchemaChange::DropObject { kind, name, .. } => Some((*kind, name.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (ObjectKind::Function, s("on_ddl()")),
            (ObjectKind::EventTrigger, s("log_ddl")),
        ],
        "{drifts:#?}"
    );
    assert!(
        drifts[1]
            .to_string()
            .contains("ON ddl_command_end EXECUTE FUNCTION on_ddl"),
        "{}",
        drifts[1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replica_identity_other_than_the_key_is_reported() {
    for (alter, expected) in [
        (
            "ALTER TABLE posts REPLICA IDENTITY FULL",
            "REPLICA IDENTITY FULL",
        ),
        (
            "ALTER TABLE posts REPLICA IDENTITY NOTHING",
            "REPLICA IDENTITY NOTHING",
        ),
    ] {
        let drift = only(drifts_after(alter).await, expected);
        assert!(
            matches!(&drift, SchemaChange::ResetReplicaIdentity { table, .. } if table == "posts"),
            "{drift:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_is_reported() {
    let drifts =
        drifts_after("CREATE RULE posts_keep AS ON DELETE TO posts DO INSTEAD NOTHING").await;
    let drift = only(drifts, "posts_keep");
    assert_extra(
        &drift,
        ObjectKind::Rule,
        Some("posts"),
        "posts_keep",
        "DO INSTEAD NOTHING",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn views_and_materialized_views_are_reported() {
    let drifts = drifts_after(
        "CREATE VIEW admins AS SELECT id FROM accounts WHERE is_admin;
         CREATE MATERIALIZED VIEW post_counts AS SELECT account_id, count(*) FROM posts GROUP BY 1;",
    )
    .await;
    assert_eq!(drifts.len(), 2, "{drifts:#?}");
    assert_extra(&drifts[0], ObjectKind::View, None, "admins", "is_admin");
    assert_extra(
        &drifts[1],
        ObjectKind::MaterializedView,
        None,
        "post_counts",
        "count(*)",
    );
    assert_eq!(
        drifts[1].to_string().split(" (").next().unwrap(),
        "drop materialized view `post_counts`"
    );
}

/// A free sequence is reported; one a serial column owns goes with its column.
#[tokio::test(flavor = "multi_thread")]
async fn a_sequence_not_owned_by_a_column_is_reported() {
    let drifts = drifts_after(
        "CREATE SEQUENCE invoice_numbers;
         ALTER TABLE labels ADD COLUMN n serial;",
    )
    .await;
    assert_eq!(drifts.len(), 2, "{drifts:#?}");
    assert!(
        matches!(&drifts[0], SchemaChange::DropColumn { table, column, .. }
        if table == "labels" && column == "n")
    );
    assert_extra(
        &drifts[1],
        ObjectKind::Sequence,
        None,
        "invoice_numbers",
        "",
    );
    assert_eq!(
        drifts[1].to_string(),
        "drop sequence `invoice_numbers` (AS bigint START WITH 1 INCREMENT BY 1 MINVALUE 1 \
         MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE): the code does not have it, no \
         migration makes it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn row_level_security_and_its_policies_are_reported() {
    let drifts = drifts_after(
        "ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own_rows ON accounts USING (handle = current_user);
         ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
         ALTER TABLE posts FORCE ROW LEVEL SECURITY;",
    )
    .await;
    assert_eq!(drifts.len(), 3, "{drifts:#?}");
    assert_eq!(
        drifts[0],
        SchemaChange::DisableRowLevelSecurity {
            table: s("accounts"),
            forced: false
        }
    );
    assert_extra(
        &drifts[1],
        ObjectKind::Policy,
        Some("accounts"),
        "own_rows",
        "USING (((handle)::text = CURRENT_USER))",
    );
    assert_eq!(
        drifts[2],
        SchemaChange::DisableRowLevelSecurity {
            table: s("posts"),
            forced: true
        }
    );
}

/// What a failed `CREATE UNIQUE INDEX CONCURRENTLY` leaves: an index of the declared name and
/// shape that queries never use.
#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_index_is_reported() {
    let (_db, client) = fixture::database(
        fixture::SQL,
        "DROP INDEX posts_account_title_uq;
         INSERT INTO accounts (id, handle, email) VALUES
             ('00000000-0000-0000-0000-000000000001', 'a', 'a@example.test');
         INSERT INTO posts (account_id, level, title) VALUES
             ('00000000-0000-0000-0000-000000000001', 'low', 'twice'),
             ('00000000-0000-0000-0000-000000000001', 'low', 'twice');",
    )
    .await;
    let failed = client
        .batch_execute(
            "CREATE UNIQUE INDEX CONCURRENTLY posts_account_title_uq ON posts (account_id, title)",
        )
        .await;
    assert!(failed.is_err(), "the duplicate rows make the build fail");
    let report = catalog::verify(&client, &fixture::schema()).await.unwrap();
    let drift = only(report.drifts, "INVALID");
    assert_eq!(
        drift,
        SchemaChange::RebuildIndex {
            table: s("posts"),
            name: s("posts_account_title_uq")
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn not_valid_foreign_keys_and_checks_are_reported() {
    let drifts = drifts_after(
        "ALTER TABLE posts DROP CONSTRAINT posts_account_id_accounts_id_fk;
         ALTER TABLE posts ADD CONSTRAINT posts_account_id_accounts_id_fk FOREIGN KEY (account_id)
             REFERENCES accounts(id) ON DELETE CASCADE NOT VALID;
         ALTER TABLE posts ADD CONSTRAINT posts_views_check CHECK (views >= 0) NOT VALID;",
    )
    .await;
    assert_eq!(drifts.len(), 3, "{drifts:#?}");
    assert!(
        matches!(&drifts[0], SchemaChange::DropConstraint { name, .. } if name == "posts_views_check")
    );
    let not_valid = |name: &str| {
        drifts.iter().any(|d| {
            matches!(d, SchemaChange::ValidateConstraint { table, name: n, definition }
                if table == "posts" && n == name && definition.ends_with("NOT VALID"))
        })
    };
    assert!(not_valid("posts_account_id_accounts_id_fk"), "{drifts:#?}");
    assert!(not_valid("posts_views_check"), "{drifts:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deferrable_constraint_is_reported() {
    let drifts = drifts_after(
        "ALTER TABLE posts ALTER CONSTRAINT posts_account_id_accounts_id_fk
             DEFERRABLE INITIALLY DEFERRED",
    )
    .await;
    let drift = only(drifts, "DEFERRABLE INITIALLY DEFERRED");
    assert_eq!(
        drift,
        SchemaChange::SetNotDeferrable {
            table: s("posts"),
            name: s("posts_account_id_accounts_id_fk"),
            initially_deferred: true
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unlogged_table_is_reported() {
    let drifts = drifts_after("ALTER TABLE post_labels SET UNLOGGED").await;
    assert_eq!(
        only(drifts, "UNLOGGED"),
        SchemaChange::SetLogged {
            table: s("post_labels")
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_column_collation_other_than_the_default_is_reported() {
    let drifts =
        drifts_after(r#"ALTER TABLE accounts ALTER COLUMN email TYPE text COLLATE "C""#).await;
    assert_eq!(
        only(drifts, "collation `C`"),
        SchemaChange::ResetColumnCollation {
            table: s("accounts"),
            column: s("email"),
            collation: s("C")
        }
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_or_an_extra_extension_is_reported() {
    let missing = drifts_after("DROP EXTENSION pgcrypto").await;
    assert_eq!(
        only(missing, "pgcrypto"),
        SchemaChange::CreateExtension {
            name: s("pgcrypto")
        }
    );
    let extra = drifts_after("CREATE EXTENSION pg_trgm").await;
    let drift = only(extra, "pg_trgm");
    assert_extra(&drift, ObjectKind::Extension, None, "pg_trgm", "");
}

/// A schema named with SQL keywords everywhere (an enum `group`, tables `order` and `user`,
/// columns `select`, `group`, `order`), migrated fresh, verifies clean.
#[tokio::test(flavor = "multi_thread")]
async fn keyword_names_verify_clean_after_a_fresh_migration() {
    let order = table(
        "order",
        vec![
            uuid_pk(),
            col("select", SqlType::Text),
            def(
                enum_col("group", "group"),
                ColumnDefault::EnumLabel("user".into()),
            ),
            now("from"),
        ],
    );
    let order = index(
        order,
        "order_select_from_idx",
        false,
        &["select", "from desc"],
    );
    let order = index(order, "order_group_uq", true, &["group", "select"]);
    let user = table("user", vec![uuid_pk(), null(col("order", SqlType::Uuid))]);
    let user = fk(user, "order", "order", OnDelete::SetNull);
    let schema = Schema {
        enums: vec![enum_def("group", &["admin", "user", "all"])].into(),
        tables: vec![order, user].into(),
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("0000_initial.sql"),
        schema_core::render::migration(&schema_core::plan::plan_create(&schema), false),
    )
    .unwrap();
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    Migrator::from_dir(dir.path())
        .unwrap()
        .run_on_client(&client)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
    let report = catalog::verify(&client, &schema).await.unwrap();
    assert!(report.is_clean(), "{report}");

    // The same database with the keyword enum's default changed is still told apart.
    client
        .batch_execute(r#"ALTER TABLE "order" ALTER COLUMN "group" SET DEFAULT 'admin'"#)
        .await
        .unwrap();
    let report = catalog::verify(&client, &schema).await.unwrap();
    assert!(
        matches!(&report.drifts[..], [SchemaChange::AlterColumnDefault { table, column, .. }]
            if table == "order" && column == "group"),
        "{report}"
    );
}
