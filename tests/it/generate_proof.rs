//! `generate --check` proves what `generate` writes: an online change in several parts is
//! applied as the runner applies it, every down is tried (past those with nothing to undo),
//! a check that cannot prove fails with a status of its own, a down that drops data is known
//! by its statements, and shadow databases of killed runs are dropped by the next run.

use crate::support;

use schema_core::generate::{run, CommandArgs, GenerateError, GenerateOptions};
use schema_core::model::*;
use std::path::Path;
use support::build::*;

fn base() -> Schema {
    let users = table(
        "users",
        vec![
            uuid_pk(),
            varchar("email", 320),
            null(col("bio", SqlType::Text)),
        ],
    );
    let choices = table("choices", vec![uuid_pk(), col("label", SqlType::Text)]);
    let attempts = fk(
        table(
            "attempts",
            vec![
                uuid_pk(),
                col("user_id", SqlType::Uuid),
                null(col("selected_choice_id", SqlType::Uuid)),
            ],
        ),
        "user_id",
        "users",
        OnDelete::Cascade,
    );
    let attempts = fk(attempts, "selected_choice_id", "choices", OnDelete::SetNull);
    Schema {
        enums: Vec::new().into(),
        tables: vec![users, choices, attempts].into(),
        ..Default::default()
    }
}

/// The change of the issue: `attempts.selected_choice_id` made NOT NULL, its foreign key
/// changed to ON DELETE restrict, and an index on it; `generate` writes it in three parts.
fn online() -> Schema {
    let mut s = base();
    let attempts = table_mut(&mut s, "attempts");
    col_mut(attempts, "selected_choice_id").nullable = false;
    for key in attempts.foreign_keys.to_mut() {
        if key.column == "selected_choice_id" {
            key.on_delete = OnDelete::Restrict;
        }
    }
    let attempts = index(
        attempts.clone(),
        "attempts_selected_choice_idx",
        false,
        &["selected_choice_id"],
    );
    *table_mut(&mut s, "attempts") = attempts;
    s
}

fn args(dir: &Path, check: bool) -> CommandArgs {
    CommandArgs {
        dir: dir.to_path_buf(),
        check,
        shadow_database_url: Some(schema_core::testing::admin_url()),
        options: GenerateOptions {
            allow_destructive: true,
            ..GenerateOptions::default()
        },
        ..Default::default()
    }
}

fn run_in(schema: &Schema, a: &CommandArgs) -> (Result<bool, GenerateError>, String) {
    let mut out = Vec::new();
    let result = run(schema, a, &mut out);
    (result, String::from_utf8(out).expect("utf-8 output"))
}

fn generate(schema: &Schema, dir: &Path) {
    let (result, out) = run_in(schema, &args(dir, false));
    assert!(result.expect("generate"), "{out}");
}

fn check(schema: &Schema, dir: &Path) -> (bool, String) {
    let (result, out) = run_in(schema, &args(dir, true));
    (result.expect("check runs"), out)
}

#[test]
fn a_generated_online_change_in_parts_is_proved_up_and_down() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    generate(&base(), dir);
    generate(&online(), dir);
    for part in ["0001_update.sql", "0002_update.sql", "0003_update.sql"] {
        assert!(dir.join(part).exists(), "{part} written");
    }
    assert!(std::fs::read_to_string(dir.join("0001_update.sql"))
        .unwrap()
        .contains("NOT VALID"));

    let (ok, out) = check(&online(), dir);
    assert!(ok, "{out}");
    // Every migration is applied and every down tried, the parts' downs with nothing of their
    // own to undo included, down to the empty database.
    assert!(
        out.contains("4 migrations applied, each leading to its snapshot"),
        "{out}"
    );
    assert!(out.contains("then 4 down(s)"), "{out}");
    assert!(!out.contains("not tried"), "{out}");
}

#[test]
fn downs_older_than_a_custom_migration_with_nothing_to_undo_are_proved() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    generate(&base(), dir);
    let mut custom = args(dir, false);
    custom.options.custom = true;
    custom.options.name = Some("backfill".into());
    let (result, out) = run_in(&base(), &custom);
    assert!(result.expect("custom"), "{out}");
    std::fs::write(
        dir.join("0001_backfill.sql"),
        "UPDATE \"users\" SET \"bio\" = '' WHERE \"bio\" IS NULL;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("0001_backfill.down.sql"),
        "-- The backfill is kept.\n-- schema:nothing-to-undo\n",
    )
    .unwrap();
    // The initial down, tried after the empty one, is broken: the proof must reach it.
    let initial = dir.join("0000_initial.down.sql");
    let text = std::fs::read_to_string(&initial).unwrap();
    std::fs::write(
        &initial,
        text.replace("DROP TABLE \"choices\";", "SELECT 1;"),
    )
    .unwrap();
    assert_ne!(std::fs::read_to_string(&initial).unwrap(), text);

    let (ok, out) = check(&base(), dir);
    assert!(!ok, "{out}");
    assert!(
        out.contains("after `0000_initial.down.sql` the database differs"),
        "{out}"
    );
    assert!(out.contains("choices"), "{out}");
}

#[test]
fn a_check_that_cannot_prove_exits_3_unless_told_to_skip_the_proof() {
    use crate::migrate_support::cli::{migrate, text};
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let committed = committed.to_str().unwrap();
    let cwd = tempfile::tempdir().expect("temp dir");
    // Nothing listens on port 1.
    let unreachable = "postgres://postgres@127.0.0.1:1/postgres";
    let output = migrate(
        cwd.path(),
        &[
            "--dir",
            committed,
            "generate",
            "--check",
            "--shadow-database-url",
            unreachable,
        ],
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stderr.contains("error: the SQL of the migrations was NOT proved on a shadow database"),
        "{stderr}"
    );
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    assert!(stderr.contains("--no-prove"), "{stderr}");
    assert!(!stdout.contains("in step"), "{stdout}");

    let output = migrate(
        cwd.path(),
        &[
            "--dir",
            committed,
            "generate",
            "--check",
            "--no-prove",
            "--shadow-database-url",
            unreachable,
        ],
    );
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("the SQL of the migrations was NOT proved: `--no-prove` was given"),
        "{stdout}"
    );
    assert!(
        stdout.contains("is in step with the schema in code"),
        "{stdout}"
    );
}

async fn admin() -> tokio_postgres::Client {
    let (client, connection) =
        tokio_postgres::connect(&schema_core::testing::admin_url(), tokio_postgres::NoTls)
            .await
            .expect("connect to the tests' server");
    tokio::spawn(connection);
    client
}

async fn exists(client: &tokio_postgres::Client, name: &str) -> bool {
    client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .expect("pg_database")
        .is_some()
}

#[test]
fn a_check_drops_the_shadows_of_killed_runs_and_keeps_those_of_live_ones() {
    use schema_core::generate::SHADOW_PREFIX;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // Keys of this test process, so two test runs on one server do not share them.
    let base_key = 2_000_000_000 + (std::process::id() % 50_000) as i32 * 2;
    let stale = format!("{SHADOW_PREFIX}4000000_{base_key}");
    let live = format!("{SHADOW_PREFIX}4000001_{}", base_key + 1);
    let (admin, holder) = runtime.block_on(async {
        let admin = admin().await;
        // A live run holds the lock of its shadow's key for as long as it runs; a killed
        // one's session is gone, and its lock with it.
        let holder = admin_holding(base_key + 1).await;
        for name in [&stale, &live] {
            admin
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create a shadow as a run would");
        }
        (admin, holder)
    });

    let tmp = tempfile::tempdir().expect("temp dir");
    generate(&base(), tmp.path());
    let (ok, out) = check(&base(), tmp.path());
    assert!(ok, "{out}");
    assert!(
        out.contains("shadow database(s) that killed runs left"),
        "{out}"
    );
    assert!(out.contains(&stale), "{out}");

    runtime.block_on(async {
        let stale_left = exists(&admin, &stale).await;
        let live_left = exists(&admin, &live).await;
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{live}\""))
            .await
            .expect("drop the live shadow");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{stale}\""))
            .await
            .expect("drop the stale shadow");
        drop(holder);
        assert!(!stale_left, "the dead run's shadow is dropped");
        assert!(live_left, "the live run's shadow is kept");
    });
}

async fn admin_holding(key: i32) -> tokio_postgres::Client {
    let client = admin().await;
    client
        .execute(
            "SELECT pg_advisory_lock($1, $2)",
            &[&schema_core::generate::SHADOW_LOCK_CLASS, &key],
        )
        .await
        .expect("lock");
    client
}

#[tokio::test(flavor = "multi_thread")]
async fn a_down_that_drops_data_is_destructive_without_its_marker() {
    use schema_core::migrate::{MigrateError, Migrator, RevertOptions, RevertProblem};
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let mut without_bio = base();
    table_mut(&mut without_bio, "users")
        .columns
        .to_mut()
        .retain(|c| c.name != "bio");
    generate(&without_bio, dir);
    generate(&base(), dir);
    // The down of the migration that added `users.bio` drops it; its marker line is deleted.
    let down = dir.join("0001_update.down.sql");
    let text = std::fs::read_to_string(&down).unwrap();
    assert!(text.contains("-- schema:destructive\n"), "{text}");
    assert!(text.contains("DROP COLUMN \"bio\""), "{text}");
    std::fs::write(&down, text.replace("-- schema:destructive\n", "")).unwrap();

    let (ok, out) = check(&base(), dir);
    assert!(!ok, "{out}");
    assert!(
        out.contains(
            "0001_update.down.sql` loses data but its header lacks `-- schema:destructive`"
        ),
        "{out}"
    );
    assert!(out.contains("drops a column with its values"), "{out}");

    let db = schema_core::testing::TestDatabase::create().await.unwrap();
    let config = schema_core::connection::DatabaseConfig::from_url(&db.url()).unwrap();
    let migrator = Migrator::from_dir(dir).unwrap();
    migrator.run(&config).await.unwrap();
    let client = db.connect().await.unwrap();
    client
        .batch_execute("INSERT INTO users (email, bio) VALUES ('a@b.c', 'kept')")
        .await
        .unwrap();
    let err = migrator
        .revert(&config, &RevertOptions::default())
        .await
        .unwrap_err();
    let MigrateError::Revert(problems) = &err else {
        panic!("expected a refusal, got {err}");
    };
    assert!(
        matches!(&problems[..], [RevertProblem::Destructive { down, lines }]
            if down == "0001_update.down.sql"
                && lines.iter().any(|l| l.contains("DROP COLUMN \"bio\""))),
        "{err}"
    );
    let bio: String = client
        .query_one("SELECT bio FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(bio, "kept");
    // Confirmed, it runs.
    let confirmed = RevertOptions {
        allow_destructive: true,
        ..RevertOptions::default()
    };
    migrator.revert(&config, &confirmed).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_down_of_a_concurrent_index_build_drops_it_concurrently_and_revert_runs_it() {
    use schema_core::migrate::{Migrator, RevertOptions};
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    generate(&base(), dir);
    generate(&online(), dir);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let down = read("0003_update.down.sql");
    assert!(
        down.starts_with("-- schema:no-transaction\n"),
        "a no-transaction down: {down}"
    );
    assert!(
        down.contains("DROP INDEX CONCURRENTLY IF EXISTS \"attempts_selected_choice_idx\";"),
        "{down}"
    );
    assert!(!read("0001_update.down.sql").contains("DROP INDEX"));
    // `lint` checks the downs: no index is dropped under an ACCESS EXCLUSIVE lock.
    let lint = schema_core::lint::lint_dir(dir).unwrap();
    assert!(
        !lint
            .findings
            .iter()
            .any(|f| f.kind.code == "drop-index-without-concurrently"),
        "{lint}"
    );

    let db = schema_core::testing::TestDatabase::create().await.unwrap();
    let config = schema_core::connection::DatabaseConfig::from_url(&db.url()).unwrap();
    let migrator = Migrator::from_dir(dir).unwrap();
    migrator.run(&config).await.unwrap();
    let client = db.connect().await.unwrap();
    let index_exists = || async {
        client
            .query_opt(
                "SELECT 1 FROM pg_indexes WHERE indexname = 'attempts_selected_choice_idx'",
                &[],
            )
            .await
            .unwrap()
            .is_some()
    };
    assert!(index_exists().await);
    // DROP INDEX CONCURRENTLY fails inside a transaction: the down ran outside one.
    let report = migrator
        .revert(&config, &RevertOptions::default())
        .await
        .unwrap();
    assert_eq!(report.reverted[0].name, "0003_update.down.sql");
    assert!(!index_exists().await);
    // Back over the whole change, then forward again.
    let to_initial = RevertOptions {
        to: Some(0),
        ..RevertOptions::default()
    };
    migrator.revert(&config, &to_initial).await.unwrap();
    let nullable: String = client
        .query_one(
            "SELECT is_nullable FROM information_schema.columns \
             WHERE table_name = 'attempts' AND column_name = 'selected_choice_id'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(nullable, "YES");
    let again = migrator.run(&config).await.unwrap();
    assert_eq!(again.applied.len(), 3);
    assert!(index_exists().await);
}
