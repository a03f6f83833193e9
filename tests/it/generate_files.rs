//! `generate` against a migrations directory of its own: writes once, then nothing; `--check`
//! passes on what it wrote and names every file that went wrong.

use crate::support;

use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{check, generate, run, CommandArgs, GenerateError, GenerateOptions};
use schema_core::model::Schema;
use std::path::Path;
use support::question_bank::spec_schema;

fn args(dir: &Path, check: bool) -> CommandArgs {
    CommandArgs {
        dir: dir.to_path_buf(),
        check,
        // `--check` proves on the tests' own server, whatever DATABASE_URL says.
        shadow_database_url: Some(schema_core::testing::admin_url()),
        options: GenerateOptions::default(),
        ..Default::default()
    }
}

fn run_in(schema: &Schema, dir: &Path, check: bool) -> (Result<bool, GenerateError>, String) {
    let mut out = Vec::new();
    let result = run(schema, &args(dir, check), &mut out);
    (result, String::from_utf8(out).expect("utf-8 output"))
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).expect("inside").display().to_string())
        .collect();
    names.sort();
    names
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn first_run_writes_the_initial_migration_then_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("migrations");
    let (result, out) = run_in(&spec_schema(), &dir, false);
    assert!(result.expect("generate"), "{out}");
    assert!(out.contains("0000_initial.sql"), "{out}");
    assert_eq!(
        files(&dir),
        [
            "0000_initial.down.sql",
            "0000_initial.sql",
            "meta/0000_snapshot.json",
            "meta/_journal.json"
        ]
    );
    let sql = std::fs::read_to_string(dir.join("0000_initial.sql")).expect("sql");
    assert!(
        sql.starts_with("CREATE EXTENSION IF NOT EXISTS \"pgcrypto\";\n--> statement-breakpoint\n")
    );
    let snapshot: Schema = serde_json::from_str(
        &std::fs::read_to_string(dir.join("meta/0000_snapshot.json")).expect("snapshot"),
    )
    .expect("snapshot parses");
    assert_eq!(snapshot, spec_schema());

    let before: Vec<Vec<u8>> = walk(&dir)
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect();
    let (result, out) = run_in(&spec_schema(), &dir, false);
    assert!(result.expect("generate again"));
    assert!(out.contains("no schema change"), "{out}");
    let after: Vec<Vec<u8>> = walk(&dir)
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect();
    assert_eq!(before, after, "a run without a change writes nothing");

    let (result, out) = run_in(&spec_schema(), &dir, true);
    assert!(result.expect("check"), "{out}");
}

#[test]
fn check_fails_when_there_is_no_migration_yet() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (result, out) = run_in(&spec_schema(), tmp.path(), true);
    assert!(!result.expect("check runs"));
    assert!(out.contains("CREATE TABLE \"users\" ("), "{out}");
    assert!(walk(tmp.path()).is_empty(), "--check writes nothing");
}

#[test]
fn check_names_an_edited_migration_and_a_stray_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    assert!(run_in(&spec_schema(), dir, false).0.expect("generate"));
    let sql = dir.join("0000_initial.sql");
    let edited = std::fs::read_to_string(&sql)
        .expect("read")
        .replace("varchar(320)", "varchar(300)");
    std::fs::write(&sql, edited).expect("edit");
    std::fs::write(dir.join("0001_by_hand.sql"), "SELECT 1;\n").expect("stray");
    let (result, out) = run_in(&spec_schema(), dir, true);
    assert!(!result.expect("check runs"));
    // The edit is proved on a shadow database, and found to change the outcome.
    assert!(
        out.contains("after `0000_initial.sql` the database differs from its snapshot"),
        "{out}"
    );
    assert!(
        out.contains("- change the type of column `users.email` from `character varying(300)` to",),
        "{out}"
    );
    assert!(out.contains("0001_by_hand.sql` is not listed in"), "{out}");
    assert!(out.contains("generate --adopt"), "{out}");
}

#[test]
fn check_reports_code_that_is_ahead_of_the_migrations() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut small = spec_schema();
    small.tables.to_mut().pop();
    // The library functions, not the command: the command also refuses a schema that leaves
    // out `#[table]` structs linked into the program, as this smaller one does.
    let dir = MigrationsDir::new(tmp.path());
    generate(&small, &dir, &GenerateOptions::default()).expect("generate");
    let out = check(&spec_schema(), &dir).expect("check runs").join("\n");
    assert!(
        out.contains("differs from the last committed migration"),
        "{out}"
    );
    assert!(out.contains("CREATE TABLE \"bookmarks\" ("), "{out}");
}

#[test]
fn a_malformed_journal_or_snapshot_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    assert!(run_in(&spec_schema(), dir, false).0.expect("generate"));
    let snapshot = dir.join("meta/0000_snapshot.json");
    std::fs::write(&snapshot, "{ not json").expect("break snapshot");
    let err = run_in(&spec_schema(), dir, false)
        .0
        .expect_err("broken snapshot");
    assert!(
        err.to_string()
            .contains("0000_snapshot.json` is not valid schema snapshot JSON"),
        "{err}"
    );

    let journal = dir.join("meta/_journal.json");
    std::fs::write(&journal, "[]").expect("break journal");
    let err = run_in(&spec_schema(), dir, true)
        .0
        .expect_err("broken journal");
    assert!(
        err.to_string()
            .contains("_journal.json` is not valid journal JSON"),
        "{err}"
    );

    std::fs::remove_file(&journal).expect("remove journal");
    let err = run_in(&spec_schema(), dir, false)
        .0
        .expect_err("missing journal");
    assert!(err.to_string().contains("restore the journal"), "{err}");
}

#[test]
fn an_invalid_schema_writes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut broken = spec_schema();
    broken.tables.to_mut().remove(0);
    let dir = MigrationsDir::new(tmp.path());
    let err = generate(&broken, &dir, &GenerateOptions::default()).expect_err("invalid schema");
    let text = err.to_string();
    assert!(
        text.contains("references the table `users`, which is not registered"),
        "{text}"
    );
    assert!(walk(tmp.path()).is_empty());
}

#[test]
fn names_are_checked() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut a = args(tmp.path(), false);
    a.options.name = Some("Bad Name".into());
    let err = run(&spec_schema(), &a, &mut Vec::new()).expect_err("bad name");
    assert!(
        err.to_string()
            .contains("invalid migration name `Bad Name`"),
        "{err}"
    );
}
