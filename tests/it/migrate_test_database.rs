//! The test helpers create and drop databases, so they refuse a server that is not on this
//! machine unless told otherwise.
//!
//! The refusal is seen by setting environment variables, which every test in the process would
//! see; so the test runs again in a child process of this binary, alone, with the variables set
//! there, while the rest of the suite keeps its own environment.

use std::process::Command;

use schema_core::testing::{TestDatabase, TestDbError, ALLOW_REMOTE_VAR};

/// Set only in the child process, where the variables may be changed.
const IN_OWN_PROCESS_VAR: &str = "SCHEMA_TEST_IN_OWN_PROCESS";
/// The server the rest of the suite uses, handed to the child to go back to.
const LOCAL_URL_VAR: &str = "SCHEMA_TEST_LOCAL_URL";

/// Documentation address space: never routed, and refused before any connection.
const REMOTE_URL: &str = "postgres://postgres@192.0.2.10:5432/postgres";

#[test]
fn test_databases_are_refused_on_a_server_that_is_not_local() {
    let name = concat!(module_path!(), "::refusal_in_a_process_of_its_own");
    // Strip the crate name: the test harness filters on the path inside the crate.
    let name = name.split_once("::").map_or(name, |(_, rest)| rest);
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name, "--exact", "--ignored", "--test-threads=1"])
        .env(IN_OWN_PROCESS_VAR, "1")
        .env(LOCAL_URL_VAR, schema_core::testing::admin_url())
        .env("TEST_DATABASE_URL", REMOTE_URL)
        .env_remove(ALLOW_REMOTE_VAR)
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the test did not run:\n{stdout}{stderr}"
    );
}

/// The body of the test above; it changes the process's environment, so it is ignored unless
/// that test runs it in a process of its own.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "changes environment variables: run in a child process by \
            `test_databases_are_refused_on_a_server_that_is_not_local`"]
async fn refusal_in_a_process_of_its_own() {
    if std::env::var(IN_OWN_PROCESS_VAR).as_deref() != Ok("1") {
        // Run with `--ignored` beside other tests: changing the environment would race them.
        return;
    }
    assert_eq!(schema_core::testing::admin_url(), REMOTE_URL);
    let err = TestDatabase::create().await.err().expect("refused");
    assert!(
        matches!(&err, TestDbError::RemoteServer { host } if host == "192.0.2.10"),
        "{err:?}"
    );
    assert!(err.to_string().contains(ALLOW_REMOTE_VAR), "{err}");

    std::env::set_var(ALLOW_REMOTE_VAR, "yes");
    let err = TestDatabase::create()
        .await
        .err()
        .expect("only `1` allows it");
    assert!(matches!(err, TestDbError::RemoteServer { .. }), "{err:?}");

    let local = std::env::var(LOCAL_URL_VAR).expect("set by the parent");
    std::env::set_var("TEST_DATABASE_URL", local);
    std::env::remove_var(ALLOW_REMOTE_VAR);
    let local = TestDatabase::create()
        .await
        .expect("a local server is allowed");
    local.connect().await.expect("and the database exists");
}

/// Dropping blocks on the test's runtime; a single-threaded one would deadlock, so it is
/// refused up front with the attribute to write.
#[tokio::test]
async fn a_single_threaded_runtime_is_refused_with_the_attribute_to_write() {
    let err = TestDatabase::create().await.err().expect("refused");
    assert!(
        matches!(err, TestDbError::NeedsMultiThreadRuntime),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("flavor = \"multi_thread\""),
        "{err}"
    );
}

mod templates {
    //! Migrated test databases copied from a template built once per set of migrations.

    use std::time::{SystemTime, UNIX_EPOCH};

    use schema_core::migrate::Migrator;
    use schema_core::testing::{
        admin_url, TestDatabase, TestDbError, MAKING_PREFIX, SPARE_PREFIX, TEMPLATE_PREFIX,
    };
    use tokio_postgres::{Client, NoTls};

    use crate::migrate_support::Fixture;

    fn unique() -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!("{}_{nanos}", std::process::id())
    }

    /// Migrations no other test has: their template is built by the test itself. The second
    /// records when it ran, so copies of one build all hold the same instant.
    fn fixture() -> Fixture {
        Fixture::new(&[
            (
                "0000_first.sql",
                &format!("-- {}\nCREATE TABLE built (at timestamptz);", unique()),
            ),
            (
                "0001_second.sql",
                "INSERT INTO built VALUES (clock_timestamp());",
            ),
        ])
    }

    async fn admin() -> Client {
        let (client, connection) = tokio_postgres::connect(&admin_url(), NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    }

    async fn exists(admin: &Client, name: &str) -> bool {
        admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .await
            .unwrap()
            .is_some()
    }

    /// Templates stay on purpose; the ones made for a single test go with it, and their
    /// spares with them.
    async fn drop_template(name: &str) {
        schema_core::testing::drop_template(name).await.unwrap();
    }

    async fn built_at(db: &TestDatabase) -> (String, i64) {
        let client = db.connect().await.unwrap();
        let at: String = client
            .query_one("SELECT at::text FROM built", &[])
            .await
            .unwrap()
            .get(0);
        let ledger: i64 = client
            .query_one("SELECT count(*) FROM schema_migrations.ledger", &[])
            .await
            .unwrap()
            .get(0);
        (at, ledger)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn concurrent_tests_get_copies_of_one_template_nobody_is_connected_to() {
        let fixture = fixture();
        let migrator = fixture.migrator();
        let template = TestDatabase::template_name(&migrator).await.unwrap();
        assert!(template.starts_with(TEMPLATE_PREFIX), "{template}");
        let admin = admin().await;
        assert!(!exists(&admin, &template).await, "built only when asked");

        let (a, b, c) = tokio::join!(
            TestDatabase::migrated(&migrator),
            TestDatabase::migrated(&migrator),
            TestDatabase::migrated(&migrator),
        );
        let dbs = [a.unwrap(), b.unwrap(), c.unwrap()];
        let first = built_at(&dbs[0]).await;
        assert_eq!(first.1, 2, "the ledger is copied with the schema");
        for db in &dbs {
            assert_ne!(db.name(), template);
            assert_eq!(built_at(db).await, first, "one build, copied");
        }

        let row = admin
            .query_one(
                "SELECT datistemplate, datallowconn, \
                        (SELECT count(*) FROM pg_stat_activity WHERE datname = $1) \
                 FROM pg_database WHERE datname = $1",
                &[&template],
            )
            .await
            .unwrap();
        assert!(row.get::<_, bool>(0), "marked as a template");
        assert!(!row.get::<_, bool>(1), "closed to connections");
        assert_eq!(row.get::<_, i64>(2), 0, "no connection left on it");

        // A later test copies it again, and the test databases still go with their values.
        let later = TestDatabase::migrated(&migrator).await.unwrap();
        assert_eq!(built_at(&later).await, first);
        let names: Vec<String> = dbs.iter().map(|d| d.name().to_string()).collect();
        drop(dbs);
        drop(later);
        for name in names {
            assert!(!exists(&admin, &name).await, "{name} dropped");
        }
        assert!(exists(&admin, &template).await, "the template stays");
        drop_template(&template).await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_template_is_keyed_by_the_migrations_contents() {
        let files = [("0000_a.sql", "CREATE TABLE a ();")];
        let one = Fixture::new(&files).migrator();
        let same = Fixture::new(&files).migrator();
        let name = |m: Migrator| async move { TestDatabase::template_name(&m).await.unwrap() };
        let one = name(one).await;
        assert_eq!(one, name(same).await, "the same files in another folder");
        let changed = Fixture::new(&[("0000_a.sql", "CREATE TABLE a (x int);")]).migrator();
        assert_ne!(one, name(changed).await, "a changed file");
        let renamed = Fixture::new(&[("0000_b.sql", "CREATE TABLE a ();")]).migrator();
        assert_ne!(one, name(renamed).await, "a renamed file");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_slow_way_runs_the_migrations_on_the_test_database_itself() {
        let fixture = fixture();
        let migrator = fixture.migrator();
        let db = TestDatabase::migrated_slowly(&migrator).await.unwrap();
        assert_eq!(built_at(&db).await.1, 2);
        let template = TestDatabase::template_name(&migrator).await.unwrap();
        assert!(
            !exists(&admin().await, &template).await,
            "no template built"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_failing_migration_is_reported_with_the_template_and_leaves_none() {
        let fixture = Fixture::new(&[(
            "0000_bad.sql",
            &format!("-- {}\nCREATE TABLE t (id nosuchtype);", unique()),
        )]);
        let migrator = fixture.migrator();
        let template = TestDatabase::template_name(&migrator).await.unwrap();
        let err = TestDatabase::migrated(&migrator)
            .await
            .err()
            .expect("fails");
        assert!(
            matches!(&err, TestDbError::Migrate { database, .. } if *database == template),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&template) && text.contains("0000_bad.sql"),
            "{text}"
        );
        assert!(!exists(&admin().await, &template).await, "dropped");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn templates_unused_for_a_day_are_dropped_with_their_spares_when_another_is_built() {
        let admin = admin().await;
        let stale = format!("{TEMPLATE_PREFIX}stale_{}", unique());
        let recent = format!("{TEMPLATE_PREFIX}recent_{}", unique());
        let spare_of = |template: &str, prefix: &str| {
            format!("{prefix}{}_00000000", &template[TEMPLATE_PREFIX.len()..])
        };
        let stale_spares = [
            spare_of(&stale, SPARE_PREFIX),
            spare_of(&stale, MAKING_PREFIX),
        ];
        let recent_spare = spare_of(&recent, SPARE_PREFIX);
        // A spare whose template is gone.
        let orphan = spare_of(&format!("{TEMPLATE_PREFIX}gone_{}", unique()), SPARE_PREFIX);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        for (name, used) in [(&stale, 0), (&recent, now)] {
            let quoted = schema_core::sql::quote_ident(name);
            admin
                .batch_execute(&format!("CREATE DATABASE {quoted}"))
                .await
                .unwrap();
            admin
                .batch_execute(&format!(
                    "ALTER DATABASE {quoted} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true;\n\
                     COMMENT ON DATABASE {quoted} IS 'schema test template, last used {used}'"
                ))
                .await
                .unwrap();
        }
        for spare in stale_spares.iter().chain([&recent_spare, &orphan]) {
            admin
                .batch_execute(&format!(
                    "CREATE DATABASE {} ALLOW_CONNECTIONS false",
                    schema_core::sql::quote_ident(spare)
                ))
                .await
                .unwrap();
        }
        let fixture = fixture();
        let migrator = fixture.migrator();
        let db = TestDatabase::migrated(&migrator).await.unwrap();
        assert!(
            !exists(&admin, &stale).await,
            "the stale template is dropped"
        );
        for spare in stale_spares.iter().chain([&orphan]) {
            assert!(!exists(&admin, spare).await, "{spare} is dropped");
        }
        assert!(exists(&admin, &recent).await, "a recently used one stays");
        assert!(exists(&admin, &recent_spare).await, "and its spare");
        drop(db);
        drop_template(&recent).await;
        assert!(
            !exists(&admin, &recent_spare).await,
            "dropped with its template"
        );
        drop_template(&TestDatabase::template_name(&migrator).await.unwrap()).await;
    }
}
