//! What `generate` refuses, and why: destructive changes without confirmation, type changes
//! no cast can be trusted with; and rename hints that must not misfire.

use crate::support;

use schema_core::diff::{diff, steps, DiffOptions, Refusal};
use schema_core::model::*;
use schema_core::plan::Statement;
use support::build::*;

fn base() -> Schema {
    let users = table(
        "users",
        vec![
            uuid_pk(),
            varchar("email", 320),
            null(col("bio", SqlType::Text)),
            col("code", SqlType::Text),
        ],
    );
    let notes = fk(
        table("notes", vec![uuid_pk(), col("user_id", SqlType::Uuid)]),
        "user_id",
        "users",
        OnDelete::Cascade,
    );
    Schema {
        enums: vec![enum_def("mood", &["happy", "sad", "angry"])].into(),
        tables: vec![users, notes].into(),
        ..Default::default()
    }
}

fn refusal(old: &Schema, new: &Schema) -> Refusal {
    steps(Some(old), new, &DiffOptions::default()).expect_err("refused")
}

#[test]
fn each_destructive_change_is_listed_with_what_it_loses() {
    let old = base();
    let mut new = base();
    new.tables.to_mut().retain(|t| t.name != "notes");
    let users = table_mut(&mut new, "users");
    users.columns.to_mut().retain(|c| c.name != "code");
    col_mut(users, "email").sql_type = SqlType::Varchar(64);
    col_mut(users, "bio").nullable = false;
    users.columns.to_mut().push(col("age", SqlType::Integer));
    enum_mut(&mut new, "mood").labels = vec![Name::from("happy"), Name::from("sad")].into();

    let r = refusal(&old, &new);
    let text = r.to_string();
    for expected in [
        "drops the table `notes`: every row of it is lost",
        "drops the column `users.code`: its value in every row is lost",
        "changes `users.email` from varchar(320) to varchar(64): values longer than 64 characters are cut to 64",
        "sets NOT NULL on `users.bio`, which has no default: fails if a row holds NULL",
        "adds the NOT NULL column `users.age` without a default",
        "removes 'angry' from enum `mood`",
        "--allow-destructive",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert_eq!(r.destructive.len(), 6, "{text}");
    let keys: Vec<&str> = r.destructive.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "remove-labels:mood",
            "add-not-null-column:users.age",
            "change-type:users.email",
            "set-not-null:users.bio",
            "drop-column:users.code",
            "drop-table:notes"
        ],
        "{text}"
    );

    let confirmed = steps(
        Some(&old),
        &new,
        &DiffOptions {
            allow_destructive: true,
            ..DiffOptions::default()
        },
    )
    .expect("confirmed");
    // The NOT NULL on the existing `users.bio` is validated in a second transaction.
    assert_eq!(confirmed.len(), 2);
    assert!(confirmed[0]
        .statements
        .contains(&Statement::DropTable("notes".into())));
    assert!(confirmed[1].statements.contains(&Statement::SetNotNull {
        table: "users".into(),
        column: "bio".into()
    }));
}

#[test]
fn a_cast_that_could_fail_is_refused_even_when_confirmed() {
    let old = base();
    let mut new = base();
    col_mut(table_mut(&mut new, "users"), "code").sql_type = SqlType::Integer;
    let err = steps(
        Some(&old),
        &new,
        &DiffOptions {
            allow_destructive: true,
            ..DiffOptions::default()
        },
    )
    .expect_err("refused");
    assert!(err.destructive.is_empty());
    let text = err.to_string();
    assert!(
        text.contains("cannot change `users.code` from text to integer"),
        "{text}"
    );
    assert!(text.contains("add a new column"), "{text}");
}

#[test]
fn enum_to_enum_needs_every_old_label() {
    let mut old = base();
    old.enums
        .to_mut()
        .push(enum_def("feeling", &["happy", "sad", "angry", "calm"]));
    table_mut(&mut old, "users")
        .columns
        .to_mut()
        .push(enum_col("mood", "mood"));
    let mut wider = old.clone();
    col_mut(table_mut(&mut wider, "users"), "mood").sql_type = SqlType::Enum("feeling".into());
    let change = diff(&old, &wider);
    assert!(change.refused.is_empty(), "{:?}", change.refused);
    assert!(change.statements.contains(&Statement::AlterColumnType {
        table: "users".into(),
        column: "mood".into(),
        sql_type: SqlType::Enum("feeling".into()),
        using: Some("\"mood\"::text::\"feeling\"".into()),
    }));
    let back = diff(&wider, &{
        let mut s = wider.clone();
        col_mut(table_mut(&mut s, "users"), "mood").sql_type = SqlType::Enum("mood".into());
        s
    });
    assert!(
        back.refused[0].contains("the labels 'calm' of `feeling` do not exist in `mood`"),
        "{:?}",
        back.refused
    );
}

#[test]
fn without_a_hint_a_rename_is_a_drop_and_a_create() {
    let old = base();
    let mut new = base();
    table_mut(&mut new, "notes").name = "memos".into();
    let r = refusal(&old, &new);
    assert!(r.to_string().contains("drops the table `notes`"), "{r}");

    table_mut(&mut new, "memos").renamed_from = Some("notes".into());
    let s = steps(Some(&old), &new, &DiffOptions::default())
        .expect("a declared rename is not destructive");
    assert_eq!(
        s[0].statements,
        [
            Statement::RenameTable {
                from: "notes".into(),
                to: "memos".into()
            },
            Statement::RenameConstraint {
                table: "memos".into(),
                from: "notes_pkey".into(),
                to: "memos_pkey".into()
            },
            Statement::RenameConstraint {
                table: "memos".into(),
                from: "notes_user_id_users_id_fk".into(),
                to: "memos_user_id_users_id_fk".into(),
            },
        ]
    );
}

#[test]
fn a_stale_or_colliding_hint_does_nothing() {
    let old = base();
    let mut new = base();
    // The hint names a table that no longer exists: it was applied by an earlier migration.
    table_mut(&mut new, "notes").renamed_from = Some("old_notes".into());
    assert_eq!(steps(Some(&old), &new, &DiffOptions::default()), Ok(vec![]));
    // The hint names a table that still exists in the code: not a rename.
    let mut both = base();
    let mut copy = table("notes_copy", vec![uuid_pk()]);
    copy.renamed_from = Some("notes".into());
    both.tables.to_mut().push(copy);
    let s = steps(Some(&old), &both, &DiffOptions::default()).expect("a plain create");
    assert!(matches!(&s[0].statements[..], [Statement::CreateTable(t)] if t.name == "notes_copy"));
}

#[test]
fn a_new_label_used_at_once_goes_in_a_migration_of_its_own() {
    let mut old = base();
    table_mut(&mut old, "users")
        .columns
        .to_mut()
        .push(enum_col("mood", "mood"));
    let mut new = old.clone();
    enum_mut(&mut new, "mood").labels = vec![
        Name::from("calm"),
        Name::from("happy"),
        Name::from("sad"),
        Name::from("angry"),
    ]
    .into();
    col_mut(table_mut(&mut new, "users"), "mood").default =
        Some(ColumnDefault::EnumLabel("calm".into()));
    let s = steps(Some(&old), &new, &DiffOptions::default()).expect("split");
    assert_eq!(s.len(), 2);
    assert!(matches!(
        &s[0].statements[..],
        [Statement::AddEnumLabel { .. }]
    ));
    assert!(matches!(
        &s[1].statements[..],
        [Statement::SetDefault { .. }]
    ));
    assert_eq!(s[1].snapshot, new);
    // Each half regenerates from its pair of snapshots, which is what `--check` relies on.
    assert_eq!(
        steps(Some(&old), &s[0].snapshot, &DiffOptions::default()).expect("first")[0].statements,
        s[0].statements
    );
    assert_eq!(
        steps(Some(&s[0].snapshot), &new, &DiffOptions::default()).expect("second")[0].statements,
        s[1].statements
    );
}

/// Spelling out a key's default NULLs order is no change; asking for the other order rebuilds
/// the index.
#[test]
fn an_index_changes_only_when_its_sort_order_does() {
    let with_index = |columns: &[&str]| {
        let mut s = base();
        let users = table_mut(&mut s, "users").clone();
        *table_mut(&mut s, "users") = index(users, "users_code_idx", false, columns);
        s
    };
    let old = with_index(&["email", "code desc"]);
    let mut same = old.clone();
    table_mut(&mut same, "users").indexes.to_mut()[0]
        .columns
        .to_mut()[1]
        .nulls = Some(NullsOrder::First);
    let no_change = diff(&old, &same).statements;
    assert!(no_change.is_empty(), "{no_change:?}");

    let other = with_index(&["email", "code desc nulls last"]);
    let rebuilt = diff(&old, &other).statements;
    assert!(
        matches!(
            &rebuilt[..],
            [Statement::DropIndex(_), Statement::CreateIndex { .. }]
        ),
        "{rebuilt:?}"
    );
}

#[test]
fn each_change_is_confirmed_by_its_own_key() {
    let old = base();
    let mut new = base();
    let users = table_mut(&mut new, "users");
    users.columns.to_mut().retain(|c| c.name != "code");
    col_mut(users, "bio").nullable = false;
    let allow = |keys: &[&str]| DiffOptions {
        allow: keys.iter().map(|k| k.to_string()).collect(),
        ..DiffOptions::default()
    };

    // Confirming one leaves the other refused, listed with its key.
    let r = steps(Some(&old), &new, &allow(&["drop-column:users.code"])).expect_err("one left");
    let text = r.to_string();
    assert_eq!(r.destructive.len(), 1, "{text}");
    assert!(!text.contains("drop-column:users.code"), "{text}");
    // NOT NULL loses nothing: it is listed apart, as a change that can fail, with the
    // backfill to write before it.
    assert!(!text.contains("these changes lose data"), "{text}");
    assert!(
        text.contains(
            "these changes lose nothing but fail if a row does not fit:\n  - set-not-null:users.bio: \
             sets NOT NULL on `users.bio`, which has no default: fails if a row holds NULL"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "a custom migration before this one (`generate --custom --name backfill_users_bio`"
        ),
        "{text}"
    );
    assert!(text.contains("`--allow set-not-null:users.bio`"), "{text}");
    assert!(
        text.contains("GenerateOptions { allow: vec![\"set-not-null:users.bio\".into()], .. }"),
        "{text}"
    );

    let s = steps(
        Some(&old),
        &new,
        &allow(&["drop-column:users.code", "set-not-null:users.bio"]),
    )
    .expect("both confirmed");
    assert!(s[0].statements.contains(&Statement::DropColumn {
        table: "users".into(),
        column: "code".into()
    }));

    // A key that confirms nothing is refused rather than ignored.
    let r = steps(
        Some(&old),
        &new,
        &allow(&[
            "drop-column:users.cod",
            "drop-column:users.code",
            "set-not-null:users.bio",
        ]),
    )
    .expect_err("typo");
    assert!(r.destructive.is_empty());
    assert!(
        r.to_string()
            .contains("`drop-column:users.cod` was given to confirm a change, but no change of this migration has that key"),
        "{r}"
    );
}

#[test]
fn a_drop_and_an_add_of_the_same_type_suggest_renamed_from() {
    let old = base();
    let mut new = base();
    let users = table_mut(&mut new, "users");
    users.columns.to_mut().retain(|c| c.name != "code");
    users.columns.to_mut().push(col("pin", SqlType::Text));
    users
        .columns
        .to_mut()
        .push(null(col("age", SqlType::Integer)));
    let text = refusal(&old, &new).to_string();
    assert!(
        text.contains(
            "hint: `users.code` is dropped and `users.pin` of the same type (text) added: if it is \
             a rename, declare it on the field, `#[column(renamed_from = \"code\")]`"
        ),
        "{text}"
    );
    assert!(!text.contains("`users.age` of the same type"), "{text}");
}
