//! Carried migrations: a migration written by hand whose header says `-- schema:carried`
//! makes objects the schema language does not declare (a function, a trigger, a view).
//! `generate --carry` writes them, as the server prints them, into the snapshots; `generate`
//! then writes nothing for them, `--check` proves them, and `verify` expects them and reports
//! one missing, changed or added beside them.

use crate::support;

use schema_core::catalog;
use schema_core::diff::{ObjectKind, SchemaChange};
use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{run, with_carried, CommandArgs, GenerateError, GenerateOptions};
use schema_core::migrate::Migrator;
use schema_core::model::*;
use schema_core::testing::TestDatabase;
use std::path::Path;
use support::build::*;

/// What the carried migration of these tests makes: a trigger function, its trigger on
/// `accounts`, and a view.
const CARRIED: &str = "
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
--> statement-breakpoint
CREATE VIEW recent_accounts AS SELECT id, updated_at FROM accounts;
";

fn accounts() -> Schema {
    Schema {
        tables: vec![table(
            "accounts",
            vec![uuid_pk(), col("name", SqlType::Text), now("updated_at")],
        )]
        .into(),
        ..Default::default()
    }
}

fn accounts_with_email() -> Schema {
    let mut s = accounts();
    table_mut(&mut s, "accounts")
        .columns
        .to_mut()
        .push(null(col("email", SqlType::Text)));
    s
}

fn args(dir: &Path) -> CommandArgs {
    CommandArgs {
        dir: dir.to_path_buf(),
        shadow_database_url: Some(schema_core::testing::admin_url()),
        ..Default::default()
    }
}

fn run_with(schema: &Schema, a: &CommandArgs) -> (Result<bool, GenerateError>, String) {
    let mut out = Vec::new();
    let result = run(schema, a, &mut out);
    (result, String::from_utf8(out).expect("utf-8 output"))
}

fn generate(schema: &Schema, dir: &Path) -> String {
    let (result, out) = run_with(schema, &args(dir));
    assert!(result.expect("generate"), "{out}");
    out
}

/// `generate --custom [--carried] --name NAME`; the path of the file written.
fn custom(schema: &Schema, dir: &Path, name: &str, carried: bool) -> std::path::PathBuf {
    let a = CommandArgs {
        options: GenerateOptions {
            custom: true,
            carried,
            name: Some(name.into()),
            ..Default::default()
        },
        ..args(dir)
    };
    let (result, out) = run_with(schema, &a);
    assert!(result.expect("generate --custom"), "{out}");
    let journal = MigrationsDir::new(dir).journal().unwrap();
    let tag = &journal.entries.last().unwrap().tag;
    assert!(tag.ends_with(name), "{tag}");
    MigrationsDir::new(dir).sql_path(tag)
}

fn append(path: &Path, sql: &str) {
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str(sql);
    std::fs::write(path, text).unwrap();
}

fn carry(schema: &Schema, dir: &Path) -> (bool, String) {
    let (result, out) = run_with(
        schema,
        &CommandArgs {
            carry: true,
            ..args(dir)
        },
    );
    (result.expect("generate --carry runs"), out)
}

fn check(schema: &Schema, dir: &Path) -> (bool, String) {
    let (result, out) = run_with(
        schema,
        &CommandArgs {
            check: true,
            ..args(dir)
        },
    );
    (result.expect("generate --check runs"), out)
}

fn snapshot(dir: &Path, idx: u32) -> Schema {
    MigrationsDir::new(dir).snapshot(idx).unwrap()
}

fn function<'a>(s: &'a Schema, name: &str) -> &'a TableObjectDef {
    s.functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function `{name}` in {:#?}", s.functions))
}

/// Asserts that `s` carries the function, trigger and view of [`CARRIED`], as PostgreSQL
/// prints them.
fn assert_carries_all(s: &Schema) {
    let touch = function(s, "touch()");
    assert!(
        touch
            .definition
            .contains("CREATE OR REPLACE FUNCTION public.touch()"),
        "{}",
        touch.definition
    );
    assert!(
        touch.definition.contains("NEW.updated_at := now();"),
        "{}",
        touch.definition
    );
    let accounts = s.table("accounts").expect("accounts");
    let trigger = (accounts.triggers.iter())
        .find(|t| t.name == "accounts_touch")
        .unwrap_or_else(|| panic!("no trigger in {:#?}", accounts.triggers));
    assert!(
        trigger
            .definition
            .contains("BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION touch()"),
        "{}",
        trigger.definition
    );
    let view = (s.views.iter())
        .find(|v| v.name == "recent_accounts")
        .unwrap_or_else(|| panic!("no view in {:#?}", s.views));
    assert!(!view.materialized);
    assert!(
        view.definition.contains("FROM accounts"),
        "{}",
        view.definition
    );
}

/// `0000_initial` from [`accounts`], then `0001_touch`, a carried migration holding
/// [`CARRIED`], carried into its snapshot.
fn carried_project(dir: &Path) {
    generate(&accounts(), dir);
    let path = custom(&accounts(), dir, "touch", true);
    append(&path, CARRIED);
    let (ok, out) = carry(&accounts(), dir);
    assert!(ok, "{out}");
}

#[test]
fn a_carried_migration_is_carried_into_the_snapshots_checked_and_kept_by_later_migrations() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generate(&accounts(), dir);
    assert!(dir.join("0000_initial.sql").exists());

    let path = custom(&accounts(), dir, "touch", true);
    assert_eq!(path, dir.join("0001_touch.sql"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("-- schema:carried\n"), "{text}");
    // Until `--carry` runs, the snapshot is the previous one.
    assert!(!snapshot(dir, 1).carries_anything());

    append(&path, CARRIED);
    let (ok, out) = carry(&accounts(), dir);
    assert!(ok, "{out}");
    assert!(out.contains("`0001_touch.sql` carries"), "{out}");
    assert!(out.contains("0001_snapshot.json"), "{out}");
    assert_carries_all(&snapshot(dir, 1));
    // The initial migration is not carried and keeps its snapshot.
    assert!(!snapshot(dir, 0).carries_anything());

    // Carrying again finds the snapshots as they should be.
    let (ok, out) = carry(&accounts(), dir);
    assert!(ok, "{out}");
    assert!(out.contains("nothing rewritten"), "{out}");

    let (ok, out) = check(&accounts(), dir);
    assert!(ok, "{out}");

    // The code never declares the carried objects, and `generate` writes nothing to drop them.
    let out = generate(&accounts(), dir);
    assert!(out.contains("nothing written"), "{out}");
    assert_eq!(MigrationsDir::new(dir).journal().unwrap().entries.len(), 2);

    // A later change in code is written alone, and its snapshot keeps the carried objects.
    generate(&accounts_with_email(), dir);
    let sql = std::fs::read_to_string(dir.join("0002_update.sql")).unwrap();
    assert!(sql.contains("ADD COLUMN \"email\""), "{sql}");
    for object in ["touch", "recent_accounts", "TRIGGER", "VIEW", "FUNCTION"] {
        assert!(!sql.contains(object), "`{object}` in {sql}");
    }
    assert_carries_all(&snapshot(dir, 2));

    let (ok, out) = check(&accounts_with_email(), dir);
    assert!(ok, "{out}");
    let out = generate(&accounts_with_email(), dir);
    assert!(out.contains("nothing written"), "{out}");
}

/// The drifts `verify` finds on a database migrated with `dir` after `sql`, against the code
/// with the carried objects of the last snapshot.
fn drifts_after(dir: &Path, schema: &Schema, sql: &str) -> Vec<SchemaChange> {
    let journal = MigrationsDir::new(dir).journal().unwrap();
    let last = snapshot(dir, journal.entries.last().unwrap().idx);
    let expected = with_carried(schema, Some(&last)).into_owned();
    let sql = sql.to_string();
    let dir = dir.to_path_buf();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            let db = TestDatabase::create().await.unwrap();
            let client = db.connect().await.unwrap();
            Migrator::from_dir(&dir)
                .unwrap()
                .run_on_client(&client)
                .await
                .unwrap_or_else(|e| panic!("{e}\n{}", e.help()));
            if !sql.is_empty() {
                client.batch_execute(&sql).await.unwrap();
            }
            catalog::verify(&client, &expected).await.unwrap().drifts
        })
}

#[test]
fn verify_expects_the_carried_objects_and_reports_them_missing_changed_or_added_beside() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    carried_project(dir);

    let clean = drifts_after(dir, &accounts(), "");
    assert!(clean.is_empty(), "{clean:#?}");

    // A function added by hand is still reported.
    let drifts = drifts_after(
        dir,
        &accounts(),
        "CREATE FUNCTION by_hand() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    );
    assert!(
        matches!(&drifts[..], [SchemaChange::DropObject { kind: ObjectKind::Function, name, .. }]
            if name == "by_hand()"),
        "{drifts:#?}"
    );

    // The carried trigger dropped by hand is missing.
    let drifts = drifts_after(dir, &accounts(), "DROP TRIGGER accounts_touch ON accounts");
    assert!(
        matches!(&drifts[..], [SchemaChange::RestoreCarried {
            kind: ObjectKind::Trigger, table: Some(t), name, differs: false, ..
        }] if t == "accounts" && name == "accounts_touch"),
        "{drifts:#?}"
    );
    let message = drifts[0].to_string();
    assert!(
        message.contains("a carried migration makes it"),
        "{message}"
    );

    // The carried function with another body differs.
    let drifts = drifts_after(
        dir,
        &accounts(),
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RETURN NEW; END $$",
    );
    assert!(
        matches!(&drifts[..], [SchemaChange::RestoreCarried {
            kind: ObjectKind::Function, name, differs: true, definition, ..
        }] if name == "touch()" && definition.contains("NEW.updated_at := now();")),
        "{drifts:#?}"
    );
}

#[test]
fn a_custom_migration_without_the_marker_that_makes_a_function_fails_the_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generate(&accounts(), dir);
    let path = custom(&accounts(), dir, "touch", false);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("-- schema:carried"), "{text}");
    append(
        &path,
        "CREATE FUNCTION by_hand() RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
    );

    let (ok, out) = check(&accounts(), dir);
    assert!(!ok, "{out}");
    assert!(out.contains("0001_touch.sql"), "{out}");
    assert!(out.contains("by_hand()"), "{out}");
    assert!(out.contains("`-- schema:carried`"), "{out}");
    assert!(out.contains("generate --carry"), "{out}");

    // `--carry` has nothing to carry from it.
    let (ok, out) = carry(&accounts(), dir);
    assert!(ok, "{out}");
    assert!(out.contains("nothing to carry"), "{out}");
}

#[test]
fn a_carried_migration_that_fails_rewrites_no_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    generate(&accounts(), dir);
    let path = custom(&accounts(), dir, "touch", true);
    append(
        &path,
        "CREATE VIEW good AS SELECT 1 AS one;\n--> statement-breakpoint\n\
         CREATE VIEW broken AS SELECT missing_column FROM accounts;\n",
    );
    let meta = dir.join("meta");
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = (std::fs::read_dir(&meta).unwrap())
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();

    let (ok, out) = carry(&accounts(), dir);
    assert!(!ok, "{out}");
    assert!(out.contains("nothing was rewritten"), "{out}");
    assert!(out.contains("0001_touch.sql"), "{out}");
    assert!(out.contains("missing_column"), "{out}");

    for (path, bytes) in before {
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{} rewritten",
            path.display()
        );
    }
}

#[test]
fn a_carried_migration_before_the_tables_makes_the_domain_and_sequence_they_use() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let invoices = || Schema {
        tables: vec![table(
            "invoices",
            vec![
                uuid_pk(),
                col("email", SqlType::Other("email_address".into())),
                def(
                    col("number", SqlType::BigInt),
                    ColumnDefault::Expr("nextval('invoice_numbers'::regclass)".into()),
                ),
            ],
        )]
        .into(),
        ..Default::default()
    };
    let path = custom(&Schema::default(), dir, "before_tables", true);
    assert_eq!(path, dir.join("0000_before_tables.sql"));
    append(
        &path,
        "CREATE DOMAIN email_address AS text CHECK (VALUE LIKE '%@%');\n\
         --> statement-breakpoint\n\
         CREATE SEQUENCE invoice_numbers START 1000;\n",
    );
    let (ok, out) = carry(&Schema::default(), dir);
    assert!(ok, "{out}");
    let first = snapshot(dir, 0);
    assert!(
        (first.domains.iter()).any(|d| d.name == "email_address"),
        "{:#?}",
        first.domains
    );
    assert!(
        (first.sequences.iter()).any(|s| s.name == "invoice_numbers"),
        "{:#?}",
        first.sequences
    );

    generate(&invoices(), dir);
    let journal = MigrationsDir::new(dir).journal().unwrap();
    assert_eq!(journal.entries.len(), 2);
    let sql = MigrationsDir::new(dir)
        .sql(&journal.entries[1].tag)
        .unwrap();
    assert!(sql.contains("CREATE TABLE \"invoices\""), "{sql}");
    assert!(!sql.contains("CREATE DOMAIN"), "{sql}");
    assert!(!sql.contains("CREATE SEQUENCE"), "{sql}");

    let (ok, out) = check(&invoices(), dir);
    assert!(ok, "{out}");
    let out = generate(&invoices(), dir);
    assert!(out.contains("nothing written"), "{out}");
}
