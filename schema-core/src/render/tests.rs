use super::*;
use crate::model::*;
use crate::plan::{LabelPosition, Statement};
use crate::sql::{default, quote_ident as ident, quote_literal as literal, sql_type};
use std::borrow::Cow;

fn table(name: &'static str, columns: Vec<ColumnDef>, primary_key: PrimaryKey) -> TableDef {
    TableDef {
        name: name.into(),
        columns: columns.into(),
        primary_key,
        foreign_keys: Cow::Borrowed(&[]),
        indexes: Cow::Borrowed(&[]),
        renamed_from: None,
        ..crate::model::TableDef::BLANK
    }
}

#[test]
fn types_are_spelled_as_postgres_prints_them() {
    let cases = [
        (SqlType::Uuid, "uuid"),
        (SqlType::Text, "text"),
        (SqlType::Varchar(320), "varchar(320)"),
        (SqlType::Boolean, "boolean"),
        (SqlType::SmallInt, "smallint"),
        (SqlType::Integer, "integer"),
        (SqlType::BigInt, "bigint"),
        (SqlType::Real, "real"),
        (SqlType::DoublePrecision, "double precision"),
        (SqlType::TimestampTz, "timestamp with time zone"),
        (SqlType::Jsonb, "jsonb"),
        (SqlType::Enum("tag_kind".into()), "\"tag_kind\""),
    ];
    for (ty, text) in cases {
        assert_eq!(sql_type(&ty), text);
    }
}

#[test]
fn identifiers_and_literals_are_escaped() {
    assert_eq!(ident("a\"b"), "\"a\"\"b\"");
    assert_eq!(literal("it's"), "'it''s'");
    assert_eq!(ident("users"), "\"users\"");
    assert_eq!(ident(""), "\"\"");
    assert_eq!(ident(r#""a"""#), r#""""a""""""#);
    assert_eq!(literal("''"), "''''''");
    assert_eq!(default(&ColumnDefault::Text("o'k".into())), "'o''k'");
    assert_eq!(default(&ColumnDefault::Int(-3)), "-3");
}

#[test]
fn uuid_key_is_inline_with_its_default() {
    let t = table(
        "users",
        vec![
            ColumnDef::new("id".into(), SqlType::Uuid).with_default(ColumnDefault::GenRandomUuid),
            ColumnDef::new("email".into(), SqlType::Varchar(320)),
            ColumnDef::new("created_at".into(), SqlType::TimestampTz)
                .with_default(ColumnDefault::Now),
            ColumnDef::new("note".into(), SqlType::Text).nullable(),
        ],
        PrimaryKey::Column("id".into()),
    );
    assert_eq!(
        statement(&Statement::CreateTable(Box::new(t))),
        "CREATE TABLE \"users\" (\n\
         \t\"id\" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,\n\
         \t\"email\" varchar(320) NOT NULL,\n\
         \t\"created_at\" timestamp with time zone DEFAULT now() NOT NULL,\n\
         \t\"note\" text\n\
         );"
    );
}

#[test]
fn composite_key_is_a_named_table_constraint() {
    let t = table(
        "bookmarks",
        vec![
            ColumnDef::new("user_id".into(), SqlType::Uuid),
            ColumnDef::new("question_id".into(), SqlType::Uuid),
        ],
        PrimaryKey::Composite(Cow::Owned(vec!["user_id".into(), "question_id".into()])),
    );
    assert_eq!(
        statement(&Statement::CreateTable(Box::new(t))),
        "CREATE TABLE \"bookmarks\" (\n\
         \t\"user_id\" uuid NOT NULL,\n\
         \t\"question_id\" uuid NOT NULL,\n\
         \tCONSTRAINT \"bookmarks_user_id_question_id_pk\" PRIMARY KEY(\"user_id\",\"question_id\")\n\
         );"
    );
}

#[test]
fn foreign_key_names_follow_the_convention() {
    let s = Statement::AddForeignKey {
        table: "attempts".into(),
        foreign_key: ForeignKeyDef {
            column: "selected_choice_id".into(),
            references_table: "choices".into(),
            references_column: "id".into(),
            on_delete: OnDelete::SetNull,
            on_update: crate::model::OnDelete::NoAction,
            name: None,
            more_columns: std::borrow::Cow::Borrowed(&[]),
            more_references: std::borrow::Cow::Borrowed(&[]),
            not_valid: false,
            deferrable: None,
        },
    };
    assert_eq!(
        statement(&s),
        "ALTER TABLE \"attempts\" ADD CONSTRAINT \"attempts_selected_choice_id_choices_id_fk\" \
         FOREIGN KEY (\"selected_choice_id\") REFERENCES \"public\".\"choices\"(\"id\") \
         ON DELETE set null ON UPDATE no action;"
    );
}

#[test]
fn indexes_carry_uniqueness_and_direction() {
    let index = IndexDef {
        name: "attempts_user_answered_at_idx".into(),
        unique: false,
        columns: Cow::Owned(vec![
            IndexColumn::asc("user_id".into()),
            IndexColumn::desc("answered_at".into()),
        ]),
        method: None,
        predicate: None,
        include: std::borrow::Cow::Borrowed(&[]),
        invalid: false,
    };
    assert_eq!(
        statement(&Statement::CreateIndex { table: "attempts".into(), index: index.clone() }),
        "CREATE INDEX \"attempts_user_answered_at_idx\" ON \"attempts\" USING btree (\"user_id\",\"answered_at\" DESC);"
    );
    let unique = IndexDef {
        unique: true,
        name: "x_uq".into(),
        ..index
    };
    assert!(statement(&Statement::CreateIndex {
        table: "t".into(),
        index: unique
    })
    .starts_with("CREATE UNIQUE INDEX \"x_uq\" ON \"t\" USING btree ("));
}

/// A NULLS clause is written only where it differs from the direction's default, as
/// `pg_get_indexdef` prints it; an explicit default one is left out.
#[test]
fn index_keys_spell_nulls_only_against_the_default() {
    let index = |columns: Vec<IndexColumn>| {
        statement(&Statement::CreateIndex {
            table: "t".into(),
            index: IndexDef {
                name: "i".into(),
                unique: false,
                columns: Cow::Owned(columns),
                method: None,
                predicate: None,
                include: std::borrow::Cow::Borrowed(&[]),
                invalid: false,
            },
        })
    };
    let keys = vec![
        IndexColumn::desc("a".into()).with_nulls(NullsOrder::Last),
        IndexColumn::asc("b".into()).with_nulls(NullsOrder::First),
        IndexColumn::desc("c".into()).with_nulls(NullsOrder::First),
        IndexColumn::asc("d".into()).with_nulls(NullsOrder::Last),
    ];
    assert_eq!(
        index(keys),
        "CREATE INDEX \"i\" ON \"t\" USING btree (\"a\" DESC NULLS LAST,\"b\" NULLS FIRST,\"c\" DESC,\"d\");"
    );
}

#[test]
fn enums_and_their_changes() {
    let e = EnumDef {
        name: "practice_mode".into(),
        labels: Cow::Owned(vec!["tutor".into(), "exam".into()]),
        renamed_from: None,
        renamed_labels: Cow::Borrowed(&[]),
    };
    assert_eq!(
        statement(&Statement::CreateEnum(e)),
        "CREATE TYPE \"public\".\"practice_mode\" AS ENUM('tutor', 'exam');"
    );
    let add = Statement::AddEnumLabel {
        enum_name: "practice_mode".into(),
        label: "review".into(),
        position: Some(LabelPosition::Before("exam".into())),
    };
    assert_eq!(
        statement(&add),
        "ALTER TYPE \"public\".\"practice_mode\" ADD VALUE 'review' BEFORE 'exam';"
    );
    let rename = Statement::RenameEnumLabel {
        enum_name: "practice_mode".into(),
        from: "exam".into(),
        to: "test".into(),
    };
    assert_eq!(
        statement(&rename),
        "ALTER TYPE \"public\".\"practice_mode\" RENAME VALUE 'exam' TO 'test';"
    );
}

#[test]
fn column_changes() {
    let t = || Name::from("t");
    let c = || Name::from("c");
    let cases = [
        (
            Statement::AlterColumnType {
                table: t(),
                column: c(),
                sql_type: SqlType::BigInt,
                using: None,
            },
            "ALTER TABLE \"t\" ALTER COLUMN \"c\" SET DATA TYPE bigint;",
        ),
        (
            Statement::AlterColumnType {
                table: t(),
                column: c(),
                sql_type: SqlType::Integer,
                using: Some(crate::plan::Using::Cast),
            },
            "ALTER TABLE \"t\" ALTER COLUMN \"c\" SET DATA TYPE integer USING \"c\"::integer;",
        ),
        (
            Statement::SetNotNull {
                table: t(),
                column: c(),
            },
            "ALTER TABLE \"t\" ALTER COLUMN \"c\" SET NOT NULL;",
        ),
        (
            Statement::DropDefault {
                table: t(),
                column: c(),
            },
            "ALTER TABLE \"t\" ALTER COLUMN \"c\" DROP DEFAULT;",
        ),
        (
            Statement::AddColumn {
                table: t(),
                column: ColumnDef::new("c".into(), SqlType::Boolean)
                    .with_default(ColumnDefault::Bool(false)),
            },
            "ALTER TABLE \"t\" ADD COLUMN \"c\" boolean DEFAULT false NOT NULL;",
        ),
        (Statement::DropIndex("i".into()), "DROP INDEX \"i\";"),
    ];
    for (s, sql) in cases {
        assert_eq!(statement(&s), sql);
    }
}

#[test]
fn migration_text_separates_statements_with_breakpoint_lines() {
    let plan = [
        Statement::CreateExtension("pgcrypto".into()),
        Statement::DropIndex("i".into()),
    ];
    assert_eq!(
        migration(&plan, false),
        "CREATE EXTENSION IF NOT EXISTS \"pgcrypto\";\n--> statement-breakpoint\nDROP INDEX \"i\";\n"
    );
    assert!(migration(&plan, true).starts_with("-- schema:no-transaction\nCREATE EXTENSION"));
}
