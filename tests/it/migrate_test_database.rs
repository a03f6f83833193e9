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
