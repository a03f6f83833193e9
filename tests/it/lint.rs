//! The lint over hand-written migration files: each lock hazard is flagged with the file, the
//! statement, the lock and the safe form; each safe form passes; and what `generate` writes
//! for the question-bank schema passes.

use schema_core::lint::{lint_dir, lint_file, lint_sql, LintReport};
use std::path::Path;

/// Each hazard once, in a hand-written file without breakpoints, as a person writes it.
const HAZARDS: &str = "\
CREATE INDEX attempts_is_correct_idx ON attempts (is_correct);
ALTER TABLE attempts ADD CONSTRAINT attempts_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE attempts ALTER COLUMN practice_session_id SET NOT NULL;
ALTER TABLE attempts ALTER COLUMN time_spent_seconds TYPE bigint;
ALTER TABLE attempts ADD COLUMN token uuid DEFAULT gen_random_uuid();
DROP INDEX attempts_question_id_idx;
";

/// A transaction that takes ACCESS EXCLUSIVE, then scans.
const MIXED: &str = "\
ALTER TABLE attempts RENAME COLUMN is_correct TO correct;
UPDATE attempts SET time_spent_seconds = 0 WHERE time_spent_seconds IS NULL;
";

fn codes(report: &[schema_core::lint::Finding]) -> Vec<(usize, &'static str)> {
    report.iter().map(|f| (f.statement, f.kind.code)).collect()
}

#[test]
fn each_hazard_in_a_hand_written_file_is_flagged_with_its_lock_and_safe_form() {
    let findings = lint_sql(Path::new("0007_hand.sql"), HAZARDS);
    assert_eq!(
        codes(&findings),
        [
            (1, "index-without-concurrently"),
            (2, "constraint-without-not-valid"),
            (3, "set-not-null-without-validated-check"),
            (4, "rewriting-type-change"),
            (5, "volatile-default"),
            (6, "drop-index-without-concurrently"),
        ],
        "{findings:#?}"
    );
    let text = LintReport {
        files: 1,
        findings: findings.clone(),
    }
    .to_string();
    for expected in [
        "0007_hand.sql: statement 1 (line 1) `CREATE INDEX attempts_is_correct_idx ON attempts (is_correct);`",
        "lock: SHARE on the table for the whole build (blocks writes)",
        "safe form: CREATE INDEX CONCURRENTLY IF NOT EXISTS",
        "statement 3 (line 3)",
        "CHECK (col IS NOT NULL) NOT VALID",
        "lock: SHARE ROW EXCLUSIVE on both tables",
        "6 lock hazard(s)",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }

    let keys = lint_sql(
        Path::new("0009_keys.sql"),
        "ALTER TABLE bookmarks ADD CONSTRAINT bookmarks_pk PRIMARY KEY (user_id, question_id);\n\
         ALTER TABLE tags ADD CONSTRAINT tags_slug_unique UNIQUE (slug);\n",
    );
    assert_eq!(
        codes(&keys),
        [
            (1, "primary-key-builds-index"),
            (2, "unique-constraint-builds-index")
        ],
        "{keys:#?}"
    );

    let in_transaction = lint_sql(
        Path::new("0010_concurrently.sql"),
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS attempts_is_correct_idx ON attempts (is_correct);\n",
    );
    assert_eq!(
        codes(&in_transaction),
        [(1, "concurrently-in-transaction")],
        "a file without `-- schema:no-transaction` runs in a transaction"
    );

    let mixed = lint_sql(Path::new("0008_mixed.sql"), MIXED);
    assert_eq!(
        codes(&mixed),
        [(2, "scan-under-access-exclusive")],
        "{mixed:#?}"
    );
    assert!(mixed[0].message.contains("ACCESS EXCLUSIVE on `attempts`"));
}

#[test]
fn each_safe_form_passes() {
    let safe = [
        // Concurrent builds and drops, outside a transaction.
        "-- schema:no-transaction\n\
         CREATE INDEX CONCURRENTLY IF NOT EXISTS attempts_is_correct_idx ON attempts (is_correct);\n\
         DROP INDEX CONCURRENTLY IF EXISTS attempts_question_id_idx;\n",
        // A foreign key and a NOT NULL check added NOT VALID ...
        "ALTER TABLE attempts ADD CONSTRAINT attempts_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n\
         ALTER TABLE attempts ADD CONSTRAINT attempts_sid_not_null CHECK (practice_session_id IS NOT NULL) NOT VALID;\n",
        // ... validated in the next migration, then SET NOT NULL proven by the check.
        "ALTER TABLE attempts VALIDATE CONSTRAINT attempts_user_fk;\n\
         ALTER TABLE attempts VALIDATE CONSTRAINT attempts_sid_not_null;\n\
         ALTER TABLE attempts ALTER COLUMN practice_session_id SET NOT NULL;\n\
         ALTER TABLE attempts DROP CONSTRAINT attempts_sid_not_null;\n",
        // A volatile default without the rewrite; a scan before the exclusive lock.
        "UPDATE attempts SET time_spent_seconds = 0 WHERE time_spent_seconds IS NULL;\n\
         ALTER TABLE attempts ADD COLUMN token uuid;\n\
         ALTER TABLE attempts ALTER COLUMN token SET DEFAULT gen_random_uuid();\n",
        // A table created in the same transaction has no rows to protect.
        "CREATE TABLE notes (id uuid PRIMARY KEY, user_id uuid NOT NULL);\n\
         CREATE INDEX notes_user_idx ON notes (user_id);\n\
         ALTER TABLE notes ADD CONSTRAINT notes_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n",
    ];
    for sql in safe {
        let findings = lint_sql(Path::new("safe.sql"), sql);
        assert!(findings.is_empty(), "{sql}\n{findings:#?}");
    }
}

#[test]
fn a_folder_and_a_file_are_read_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("0000_hand.sql"), HAZARDS).unwrap();
    std::fs::write(dir.path().join("0001_mixed.sql"), MIXED).unwrap();
    let report = lint_dir(dir.path()).unwrap();
    assert_eq!(report.files, 2);
    assert_eq!(report.findings.len(), 7, "{report}");
    assert!(report.findings[6].file.ends_with("0001_mixed.sql"));

    let file = lint_file(dir.path().join("0001_mixed.sql")).unwrap();
    assert_eq!(file.findings.len(), 1);
    let missing = lint_file(dir.path().join("nope.sql")).unwrap_err();
    assert!(missing.to_string().contains("nope.sql"), "{missing}");
}

#[test]
fn the_committed_question_bank_migrations_pass() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let report = lint_dir(dir).unwrap();
    assert!(report.files >= 1);
    assert!(report.is_clean(), "{report}");
}

#[test]
fn the_lint_command_checks_the_downs_unless_told_not_to() {
    use crate::migrate_support::cli::{migrate, text};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("0000_index.sql"),
        "-- schema:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS \"a_idx\" ON \"a\" (\"id\");\n",
    )
    .unwrap();
    // Its down drops the index under an ACCESS EXCLUSIVE lock on the table.
    std::fs::write(
        dir.path().join("0000_index.down.sql"),
        "DROP INDEX \"a_idx\";\n",
    )
    .unwrap();
    let output = migrate(dir.path(), &["--dir", ".", "lint"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("0000_index.down.sql: statement 1 (line 1) `DROP INDEX \"a_idx\";`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[drop-index-without-concurrently]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 file(s) checked: 1 lock hazard(s)"),
        "{stderr}"
    );

    let output = migrate(dir.path(), &["--dir", ".", "lint", "--no-downs"]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("1 file(s) checked: no lock hazard found"),
        "{stdout}"
    );
}
