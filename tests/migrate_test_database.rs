//! The test helpers create and drop databases, so they refuse a server that is not on this
//! machine unless told otherwise. The first test sets environment variables, which every test
//! in the same process would see, so it has this file to itself but for a test that is refused
//! before any variable is read.

use schema_core::testing::{TestDatabase, TestDbError, ALLOW_REMOTE_VAR};

#[tokio::test(flavor = "multi_thread")]
async fn test_databases_are_refused_on_a_server_that_is_not_local() {
    let configured = std::env::var("TEST_DATABASE_URL").ok();
    // Documentation address space: never routed, and refused before any connection.
    std::env::set_var(
        "TEST_DATABASE_URL",
        "postgres://postgres@192.0.2.10:5432/postgres",
    );
    std::env::remove_var(ALLOW_REMOTE_VAR);
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

    match configured {
        Some(url) => std::env::set_var("TEST_DATABASE_URL", url),
        None => std::env::remove_var("TEST_DATABASE_URL"),
    }
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
