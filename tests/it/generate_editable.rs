//! Migrations a team edits: custom migrations, hand-written files taken into the journal,
//! edited migrations proved on a shadow database, and `--check` without a server.

use crate::support;

use schema_core::generate::{run, CommandArgs, GenerateError, GenerateOptions};
use schema_core::model::*;
use std::path::Path;
use support::build::*;

fn schema() -> Schema {
    Schema {
        enums: vec![].into(),
        tables: vec![table(
            "users",
            vec![
                uuid_pk(),
                varchar("email", 320),
                null(col("bio", SqlType::Text)),
            ],
        )]
        .into(),
        ..Default::default()
    }
}

fn args(dir: &Path, check: bool, options: GenerateOptions) -> CommandArgs {
    CommandArgs {
        dir: dir.to_path_buf(),
        check,
        // The tests' own server, whatever DATABASE_URL says.
        shadow_database_url: Some(schema_core::testing::admin_url()),
        options,
        ..Default::default()
    }
}

fn run_in(schema: &Schema, a: &CommandArgs) -> (Result<bool, GenerateError>, String) {
    let mut out = Vec::new();
    let result = run(schema, a, &mut out);
    (result, String::from_utf8(out).expect("utf-8 output"))
}

fn generate(schema: &Schema, dir: &Path, options: GenerateOptions) -> String {
    let (result, out) = run_in(schema, &args(dir, false, options));
    assert!(result.expect("generate"), "{out}");
    out
}

fn check(schema: &Schema, dir: &Path) -> (bool, String) {
    let (result, out) = run_in(schema, &args(dir, true, GenerateOptions::default()));
    (result.expect("check runs"), out)
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).expect("read")
}

fn journal_tags(dir: &Path) -> Vec<String> {
    let journal: serde_json::Value =
        serde_json::from_str(&read(dir.join("meta/_journal.json"))).expect("journal");
    journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["tag"].as_str().expect("tag").to_string())
        .collect()
}

#[test]
fn a_custom_migration_is_empty_listed_and_proved_like_any_other() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    generate(&schema(), dir, GenerateOptions::default());
    let out = generate(
        &schema(),
        dir,
        GenerateOptions {
            custom: true,
            name: Some("backfill_bio".into()),
            ..GenerateOptions::default()
        },
    );
    assert!(
        out.contains("0001_backfill_bio.sql` is a custom migration"),
        "{out}"
    );
    assert_eq!(journal_tags(dir), ["0000_initial", "0001_backfill_bio"]);
    let sql = read(dir.join("0001_backfill_bio.sql"));
    assert!(
        sql.contains("a custom migration, for SQL that `generate` does not write"),
        "{sql}"
    );
    assert!(
        sql.lines().all(|l| l.starts_with("--")),
        "only comments: {sql}"
    );
    assert_eq!(
        read(dir.join("meta/0001_snapshot.json")),
        read(dir.join("meta/0000_snapshot.json")),
        "a custom migration leaves the schema as it was"
    );

    // Filled with a backfill, it changes data, not the schema: proved.
    std::fs::write(
        dir.join("0001_backfill_bio.sql"),
        format!("{sql}UPDATE \"users\" SET \"bio\" = '' WHERE \"bio\" IS NULL;\n"),
    )
    .expect("fill");
    let (ok, out) = check(&schema(), dir);
    assert!(ok, "{out}");
    assert!(
        out.contains("proved on a shadow database at 127.0.0.1:5432: 2 migrations applied, each leading to its snapshot"),
        "{out}"
    );

    // A schema change smuggled into it is caught, with verify's lines.
    std::fs::write(
        dir.join("0001_backfill_bio.sql"),
        "ALTER TABLE \"users\" ADD COLUMN \"extra\" text;\n",
    )
    .expect("edit");
    let (ok, out) = check(&schema(), dir);
    assert!(!ok, "{out}");
    assert!(
        out.contains("after `0001_backfill_bio.sql` the database differs from its snapshot"),
        "{out}"
    );
    assert!(
        out.contains("- drop column `users.extra` (text): the code does not have it"),
        "{out}"
    );

    // The next generated migration follows the custom one.
    let mut more = schema();
    table_mut(&mut more, "users")
        .columns
        .to_mut()
        .push(null(col("age", SqlType::Integer)));
    std::fs::write(dir.join("0001_backfill_bio.sql"), &sql).expect("restore");
    generate(&more, dir, GenerateOptions::default());
    assert_eq!(
        journal_tags(dir),
        ["0000_initial", "0001_backfill_bio", "0002_update"]
    );
    let (ok, out) = check(&more, dir);
    assert!(ok, "{out}");
}

#[test]
fn an_edit_that_keeps_the_outcome_passes_and_without_a_server_is_not_proved() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    generate(&schema(), dir, GenerateOptions::default());
    let path = dir.join("0000_initial.sql");
    let edited = read(&path).replace("varchar(320)", "character varying(320)");
    std::fs::write(&path, format!("-- reviewed by hand\n{edited}")).expect("edit");
    let (ok, out) = check(&schema(), dir);
    assert!(ok, "{out}");
    assert!(out.contains("proved on a shadow database"), "{out}");

    // Nothing listens on port 1: nothing was found out of step, but nothing was proved
    // either, so the check fails, naming the edited file and the way to skip the proof.
    let mut a = args(dir, true, GenerateOptions::default());
    a.shadow_database_url = Some("postgres://postgres@127.0.0.1:1/postgres".into());
    let (result, out) = run_in(&schema(), &a);
    let err = result.expect_err("not proved");
    assert!(matches!(err, GenerateError::NotProved { .. }), "{err:?}");
    let text = schema_core::error_chain(&err);
    assert!(
        text.contains("was NOT proved on a shadow database"),
        "{text}"
    );
    assert!(text.contains("`0000_initial.sql`"), "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(err.help().unwrap().contains("--no-prove"));
    assert!(!out.contains("in step"), "{out}");
    // Skipped on purpose, the check passes and says what was not proved.
    a.no_prove = true;
    let (result, out) = run_in(&schema(), &a);
    assert!(result.expect("check runs"), "{out}");
    assert!(
        out.contains("the SQL of the migrations was NOT proved: `--no-prove` was given"),
        "{out}"
    );
    assert!(
        out.contains("not proved: `0000_initial.sql` is not what generation writes"),
        "{out}"
    );
    a.no_prove = false;

    // A broken snapshot chain is found without a server too.
    let mut ahead = schema();
    table_mut(&mut ahead, "users")
        .columns
        .to_mut()
        .push(null(col("age", SqlType::Integer)));
    let (result, out) = run_in(&ahead, &a);
    assert!(!result.expect("check runs"), "{out}");
    assert!(
        out.contains("differs from the last committed migration"),
        "{out}"
    );
}

#[test]
fn a_file_missing_from_the_journal_stops_generate_until_it_is_taken_in() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    generate(&schema(), dir, GenerateOptions::default());
    // Hand-written under the very name generate would use next.
    let by_hand = "UPDATE \"users\" SET \"bio\" = 'hand' WHERE \"bio\" IS NULL;\n";
    std::fs::write(dir.join("0001_update.sql"), by_hand).expect("write");
    let mut more = schema();
    table_mut(&mut more, "users")
        .columns
        .to_mut()
        .push(null(col("age", SqlType::Integer)));

    let (result, out) = run_in(&more, &args(dir, false, GenerateOptions::default()));
    let err = result.expect_err("stopped").to_string();
    assert!(
        err.contains("0001_update.sql` is not listed in"),
        "{err} {out}"
    );
    assert!(err.contains("pass `--adopt` to `generate`"), "{err}");
    assert!(
        err.contains("GenerateOptions { adopt_unlisted: true, .. }"),
        "{err}"
    );
    assert_eq!(
        read(dir.join("0001_update.sql")),
        by_hand,
        "not overwritten"
    );
    assert_eq!(journal_tags(dir), ["0000_initial"]);

    let adopt = GenerateOptions {
        adopt_unlisted: true,
        ..GenerateOptions::default()
    };
    generate(&more, dir, adopt.clone());
    assert_eq!(
        journal_tags(dir),
        ["0000_initial", "0001_update", "0002_update"]
    );
    assert_eq!(read(dir.join("0001_update.sql")), by_hand);
    assert!(read(dir.join("0002_update.sql")).contains("ADD COLUMN \"age\" integer"));
    let (ok, out) = check(&more, dir);
    assert!(ok, "{out}");

    // A file whose number does not come next is named, with the name it should have.
    std::fs::write(dir.join("0007_fix.sql"), "SELECT 1;\n").expect("write");
    let (result, _) = run_in(&more, &args(dir, false, adopt));
    let err = result.expect_err("misnumbered").to_string();
    assert!(
        err.contains("0007_fix.sql` into the journal: it would be migration 0003; rename it to `0003_fix.sql`"),
        "{err}"
    );
}

#[test]
fn a_custom_migration_may_come_first() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let custom = GenerateOptions {
        custom: true,
        name: Some("extensions".into()),
        ..GenerateOptions::default()
    };
    generate(&schema(), dir, custom);
    assert_eq!(
        read(dir.join("meta/0000_snapshot.json")),
        "{\n  \"enums\": [],\n  \"tables\": []\n}\n"
    );
    generate(&schema(), dir, GenerateOptions::default());
    assert_eq!(journal_tags(dir), ["0000_extensions", "0001_initial"]);
    // Generated after an empty snapshot, the first real migration creates everything.
    assert!(read(dir.join("0001_initial.sql")).starts_with("CREATE EXTENSION IF NOT EXISTS"));
    let (ok, out) = check(&schema(), dir);
    assert!(ok, "{out}");
    assert!(out.contains("2 migrations applied"), "{out}");
    assert!(
        out.contains("not tried: `0000_extensions.down.sql`, missing or holding no statement yet"),
        "{out}"
    );
}

#[test]
fn generate_options_confirm_one_change_by_its_key() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    generate(&schema(), dir, GenerateOptions::default());
    let mut fewer = schema();
    let users = table_mut(&mut fewer, "users");
    users.columns.to_mut().retain(|c| c.name != "bio");
    users
        .columns
        .to_mut()
        .push(null(col("about", SqlType::Text)));

    let (result, _) = run_in(&fewer, &args(dir, false, GenerateOptions::default()));
    let err = result.expect_err("refused").to_string();
    assert!(
        err.contains("  - drop-column:users.bio: drops the column `users.bio`"),
        "{err}"
    );
    assert!(err.contains("`--allow drop-column:users.bio`"), "{err}");
    assert!(
        err.contains(
            "hint: `users.bio` is dropped and `users.about` of the same type (text) added"
        ),
        "{err}"
    );
    assert_eq!(journal_tags(dir), ["0000_initial"], "nothing written");

    let confirmed = GenerateOptions {
        allow: vec!["drop-column:users.bio".into()],
        ..GenerateOptions::default()
    };
    generate(&fewer, dir, confirmed);
    let sql = read(dir.join("0001_update.sql"));
    assert!(sql.contains("DROP COLUMN \"bio\""), "{sql}");
    let down = read(dir.join("0001_update.down.sql"));
    assert!(down.contains("-- schema:destructive"), "{down}");
    assert!(
        down.contains("Cannot restore what the up lost: drops the column `users.bio`"),
        "{down}"
    );
    assert!(down.contains("ADD COLUMN \"bio\" text"), "{down}");
}
