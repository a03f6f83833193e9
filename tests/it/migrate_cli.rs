//! The `migrate` example as a user runs it: a process, its output and its exit code.

use crate::migrate_support as support;

use std::path::Path;
use std::process::Command;

use schema_core::testing::TestDatabase;
use support::cli::{assert_user_error, migrate, migrate_bin, text};
use support::{drop_keeping_name, ledger, sha256_of, Fixture};

fn fixture() -> Fixture {
    Fixture::new(&[
        ("0000_initial.sql", "CREATE TABLE \"a\" (\"id\" int);\n"),
        (
            "0001_index.sql",
            "-- schema:no-transaction\nCREATE INDEX CONCURRENTLY \"a_id_idx\" ON \"a\" (\"id\");\n",
        ),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn applies_prints_one_line_each_then_nothing_pending() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    let dir = fixture.path().to_str().unwrap();
    let url = db.url();

    let dry = migrate(
        fixture.path(),
        &["--database-url", &url, "--dir", ".", "--dry-run"],
    );
    let (stdout, _) = text(&dry);
    assert!(dry.status.success());
    assert!(stdout.contains("-- 0000_initial.sql") && stdout.contains("CREATE TABLE \"a\""));

    let first = migrate(Path::new("/"), &["--database-url", &url, "--dir", dir]);
    let (stdout, stderr) = text(&first);
    assert!(first.status.success(), "{stdout}{stderr}");
    let lines: Vec<_> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("applied 0000_initial.sql in "),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("applied 0001_index.sql in "),
        "{stdout}"
    );
    assert!(lines[1].ends_with("ms (no transaction)"), "{stdout}");
    assert!(lines[2].starts_with("2 migrations applied to"), "{stdout}");

    // A relative --dir is relative to the current folder.
    let parent = fixture.path();
    let again = migrate(parent, &["--database-url", &url, "--dir", "."]);
    let (stdout, _) = text(&again);
    assert!(again.status.success());
    assert!(stdout.starts_with("nothing pending"), "{stdout}");

    let status = migrate(parent, &["--database-url", &url, "--dir", ".", "status"]);
    let (stdout, _) = text(&status);
    assert!(status.status.success());
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("applied ")).count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_database_url_from_a_dot_env_file_and_a_dir_relative_to_the_current_folder() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join(".env"),
        format!("DATABASE_URL={}\n", db.url()),
    )
    .unwrap();
    std::fs::create_dir(project.path().join("migrations")).unwrap();
    for name in ["0000_initial.sql", "0001_index.sql"] {
        std::fs::copy(
            fixture.path().join(name),
            project.path().join("migrations").join(name),
        )
        .unwrap();
    }
    let output = migrate(project.path(), &["--dir", "migrations"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    let client = db.connect().await.unwrap();
    assert_eq!(ledger(&client).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn creates_a_missing_database_and_says_so() {
    let db = TestDatabase::create().await.unwrap();
    drop_keeping_name(&db).await;

    let fixture = fixture();
    let dir = fixture.path().to_str().unwrap();
    let output = migrate(
        fixture.path(),
        &[
            "--database-url",
            &db.url(),
            "--dir",
            dir,
            "--create-database",
        ],
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("created database `{}`", db.name())),
        "{stdout}"
    );
}

#[test]
fn a_malformed_database_url_is_a_clear_error() {
    let fixture = fixture();
    let output = migrate(
        fixture.path(),
        &["--database-url", "postgres://u@h:port/db", "--dir", "."],
    );
    assert_user_error(
        &output,
        &["--database-url is not a valid PostgreSQL URL", "port"],
    );
}

#[test]
fn a_malformed_database_url_from_the_environment_names_its_origin() {
    let fixture = fixture();
    let output = Command::new(migrate_bin())
        .args(["--dir", "."])
        .current_dir(fixture.path())
        .env("DATABASE_URL", "postgres://u@h:port/db")
        .output()
        .unwrap();
    assert_user_error(
        &output,
        &["DATABASE_URL from the environment is not a valid"],
    );
}

#[test]
fn an_unreachable_port_is_a_clear_error() {
    // Port 1 on loopback: nothing listens there, and nothing leaves the machine.
    let fixture = fixture();
    let url = "postgres://postgres@127.0.0.1:1/question_bank";
    let output = migrate(fixture.path(), &["--database-url", url, "--dir", "."]);
    assert_user_error(
        &output,
        &[
            "cannot reach PostgreSQL at 127.0.0.1:1",
            "Connection refused",
            "Start PostgreSQL",
        ],
    );
}

#[test]
fn an_unknown_user_is_a_clear_error() {
    let fixture = fixture();
    let url = "postgres://no_such_role_for_migrate@127.0.0.1:5432/postgres";
    let output = migrate(fixture.path(), &["--database-url", url, "--dir", "."]);
    assert_user_error(
        &output,
        &[
            "refused user `no_such_role_for_migrate`",
            "does not exist",
            "CREATE ROLE",
        ],
    );
}

#[test]
fn a_missing_migrations_folder_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let output = migrate(empty.path(), &["--dir", "no_such_folder"]);
    assert_user_error(&output, &["`no_such_folder` does not exist", "--dir"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_statement_names_file_statement_and_server_error() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = Fixture::new(&[
        ("0000_initial.sql", "CREATE TABLE \"a\" (\"id\" int);\n"),
        (
            "0001_broken.sql",
            "CREATE TABLE \"b\" (\"id\" int);\n--> statement-breakpoint\nSELECT * FROM \"nope\";\n",
        ),
    ]);
    let output = migrate(fixture.path(), &["--database-url", &db.url(), "--dir", "."]);
    assert_user_error(
        &output,
        &[
            "`0001_broken.sql` statement 2 (line 3)",
            "SELECT * FROM \"nope\";",
            "[42P01]",
            "relation \"nope\" does not exist",
            "ones before it stay applied",
        ],
    );
    let (stdout, _) = text(&output);
    assert!(stdout.starts_with("applied 0000_initial.sql"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_dir_the_migrations_built_into_the_program_are_applied_wherever_it_runs() {
    let db = TestDatabase::create().await.unwrap();
    // A folder with a migrations/ of its own: what was built in wins over what lies around.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir(elsewhere.path().join("migrations")).unwrap();
    std::fs::write(
        elsewhere.path().join("migrations/0000_other.sql"),
        "CREATE TABLE other ();",
    )
    .unwrap();
    let output = migrate(elsewhere.path(), &["--database-url", &db.url()]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.starts_with("applied 0000_initial.sql in "),
        "{stdout}"
    );
    let client = db.connect().await.unwrap();
    let rows = ledger(&client).await;
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/0000_initial.sql");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].2, sha256_of(&committed), "{rows:?}");
}
