//! `revert`: downs applied newest first under the lock, each with the removal of its ledger
//! row; refused, before anything runs, when a down is missing, empty, edited after its
//! migration was applied, or destructive without confirmation.

use crate::migrate_support as support;

use schema_core::migrate::{MigrateError, RevertOptions, RevertProblem};
use schema_core::testing::TestDatabase;
use support::cli::{assert_user_error, migrate, text};
use support::{catalog, config, ledger, table_exists, Fixture};

fn fixture() -> Fixture {
    Fixture::new(&[
        ("0000_a.sql", "CREATE TABLE \"a\" (\"id\" int);\n"),
        ("0000_a.down.sql", "DROP TABLE \"a\";\n"),
        ("0001_b.sql", "CREATE TABLE \"b\" (\"id\" int);\n"),
        ("0001_b.down.sql", "DROP TABLE \"b\";\n"),
        ("0002_c.sql", "ALTER TABLE \"b\" ADD COLUMN \"c\" text;\n"),
        ("0002_c.down.sql", "ALTER TABLE \"b\" DROP COLUMN \"c\";\n"),
    ])
}

fn versions(rows: &[(i64, String, String, String)]) -> Vec<i64> {
    rows.iter().map(|r| r.0).collect()
}

/// The fixture's downs drop tables and columns, so each revert confirms that.
fn one_step() -> RevertOptions {
    RevertOptions {
        allow_destructive: true,
        ..RevertOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reverts_the_newest_then_back_to_a_version_and_up_again() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    fixture.migrator().run(&config(&db)).await.unwrap();
    let client = db.connect().await.unwrap();
    let full = catalog(&client).await;

    let report = fixture
        .migrator()
        .revert(&config(&db), &one_step())
        .await
        .unwrap();
    assert_eq!(report.reverted.len(), 1);
    assert_eq!(report.reverted[0].name, "0002_c.down.sql");
    assert_eq!(report.newest_applied.as_deref(), Some("0001_b.sql"));
    assert!(
        report.to_string().contains("reverted 0002_c.down.sql in "),
        "{report}"
    );
    assert_eq!(versions(&ledger(&client).await), [0, 1]);

    let to_zero = RevertOptions {
        to: Some(0),
        ..one_step()
    };
    let report = fixture
        .migrator()
        .revert(&config(&db), &to_zero)
        .await
        .unwrap();
    assert_eq!(report.reverted.len(), 1, "{report}");
    assert!(!table_exists(&client, "public.b").await);
    assert_eq!(versions(&ledger(&client).await), [0]);

    let again = fixture.migrator().run(&config(&db)).await.unwrap();
    assert_eq!(again.applied.len(), 2);
    assert_eq!(catalog(&client).await, full);

    // Everything, newest first, down to an empty ledger.
    for _ in 0..3 {
        fixture
            .migrator()
            .revert(&config(&db), &one_step())
            .await
            .unwrap();
    }
    assert!(ledger(&client).await.is_empty());
    assert!(!table_exists(&client, "public.a").await);
    let report = fixture
        .migrator()
        .revert(&config(&db), &one_step())
        .await
        .unwrap();
    assert!(
        report.to_string().starts_with("nothing to revert"),
        "{report}"
    );
}

fn problems(err: MigrateError) -> Vec<RevertProblem> {
    match err {
        MigrateError::Revert(problems) => problems,
        other => panic!("expected a refused revert, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_empty_edited_and_destructive_downs_are_refused_before_anything_runs() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    // The placeholder `generate --custom` writes: comments only.
    fixture.write("0001_b.down.sql", "-- Down of 0001_b: write it\n");
    let destructive =
        "-- Down of 0000_a\n-- schema:destructive\n-- Loses data: drops the table `a`\nDROP TABLE \"a\";\n";
    fixture.write("0000_a.down.sql", destructive);
    fixture.migrator().run(&config(&db)).await.unwrap();
    let client = db.connect().await.unwrap();
    let before = (ledger(&client).await, catalog(&client).await);

    // 0002's down edited after 0002 was applied; 0001's empty.
    fixture.write(
        "0002_c.down.sql",
        "ALTER TABLE \"b\" DROP COLUMN \"c\" CASCADE;\n",
    );
    let to_zero = RevertOptions {
        to: Some(0),
        ..one_step()
    };
    let err = fixture
        .migrator()
        .revert(&config(&db), &to_zero)
        .await
        .unwrap_err();
    let text = err.to_string();
    let found = problems(err);
    assert_eq!(found.len(), 2, "{text}");
    assert!(
        matches!(&found[0], RevertProblem::DownEdited { down, .. } if down == "0002_c.down.sql"),
        "{text}"
    );
    assert!(
        text.contains("was changed after its migration was applied"),
        "{text}"
    );
    assert!(
        text.contains("`0001_b.down.sql` holds no statement yet"),
        "{text}"
    );
    assert_eq!((ledger(&client).await, catalog(&client).await), before);

    // A down written for a migration applied while its down was only a placeholder is
    // accepted: the ledger knew no down for it.
    fixture.write("0002_c.down.sql", "ALTER TABLE \"b\" DROP COLUMN \"c\";\n");
    fixture.write("0001_b.down.sql", "DROP TABLE \"b\";\n");
    fixture.remove("0000_a.down.sql");
    let everything = RevertOptions {
        to: None,
        ..one_step()
    };
    fixture
        .migrator()
        .revert(&config(&db), &everything)
        .await
        .unwrap();
    fixture
        .migrator()
        .revert(&config(&db), &everything)
        .await
        .unwrap();
    let err = fixture
        .migrator()
        .revert(&config(&db), &everything)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`0000_a.sql` has no down: write `0000_a.down.sql`"),
        "{err}"
    );
    assert_eq!(versions(&ledger(&client).await), [0]);

    // A destructive down needs confirmation, and says what it loses.
    fixture.write("0000_a.down.sql", destructive);
    let unconfirmed = RevertOptions {
        allow_destructive: false,
        ..everything.clone()
    };
    let err = fixture
        .migrator()
        .revert(&config(&db), &unconfirmed)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`0000_a.down.sql` is destructive:\n      Loses data: drops the table `a`"),
        "{err}"
    );
    assert!(err.help().contains("--allow-destructive"), "{}", err.help());
    assert!(table_exists(&client, "public.a").await);
    let confirmed = RevertOptions {
        allow_destructive: true,
        ..one_step()
    };
    fixture
        .migrator()
        .revert(&config(&db), &confirmed)
        .await
        .unwrap();
    assert!(!table_exists(&client, "public.a").await);

    // --to a migration that is not applied.
    fixture.migrator().run(&config(&db)).await.unwrap();
    let err = fixture
        .migrator()
        .revert(
            &config(&db),
            &RevertOptions {
                to: Some(7),
                ..one_step()
            },
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("migration 0007 is not applied"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_down_leaves_its_migration_applied() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    fixture.write(
        "0001_b.down.sql",
        "DROP TABLE \"b\";\n--> statement-breakpoint\nDROP TABLE \"nope\";\n",
    );
    fixture.migrator().run(&config(&db)).await.unwrap();
    let to_zero = RevertOptions {
        to: Some(0),
        ..one_step()
    };
    let err = fixture
        .migrator()
        .revert(&config(&db), &to_zero)
        .await
        .unwrap_err();
    let MigrateError::Statement(failure) = &err else {
        panic!("expected a statement failure, got {err}");
    };
    assert_eq!(
        (failure.file.as_str(), failure.statement),
        ("0001_b.down.sql", 2)
    );
    let client = db.connect().await.unwrap();
    // 0002 was reverted and stays so; 0001's down rolled back with its ledger row kept.
    assert_eq!(versions(&ledger(&client).await), [0, 1]);
    assert!(table_exists(&client, "public.b").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ledger_from_before_downs_is_read_and_upgraded() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    client
        .batch_execute(
            "CREATE SCHEMA schema_migrations;
             CREATE TABLE schema_migrations.ledger (
               version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now(), duration_ms double precision NOT NULL);",
        )
        .await
        .unwrap();
    let fixture = fixture();
    let status = fixture.migrator().status(&config(&db)).await.unwrap();
    assert_eq!(status.entries.len(), 3, "status reads the old ledger");
    fixture.migrator().run(&config(&db)).await.unwrap();
    let checksums: Vec<Option<String>> = client
        .query(
            "SELECT down_checksum FROM schema_migrations.ledger ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        checksums[2].as_deref(),
        Some(support::sha256_of(&fixture.path().join("0002_c.down.sql")).as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_revert_subcommand_reports_and_refuses_like_the_library() {
    let db = TestDatabase::create().await.unwrap();
    let fixture = fixture();
    fixture.migrator().run(&config(&db)).await.unwrap();
    let url = db.url();
    let dir = fixture.path().to_str().unwrap();
    let out = migrate(
        fixture.path(),
        &[
            "--database-url",
            &url,
            "--dir",
            dir,
            "revert",
            "--allow-destructive",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("reverted 0002_c.down.sql"), "{stdout}");
    assert!(
        stdout.contains("newest applied migration now: 0001_b.sql"),
        "{stdout}"
    );

    fixture.remove("0001_b.down.sql");
    let out = migrate(
        fixture.path(),
        &["--database-url", &url, "--dir", dir, "revert", "--to", "0"],
    );
    assert_user_error(&out, &["nothing was reverted", "`0001_b.sql` has no down"]);
}
