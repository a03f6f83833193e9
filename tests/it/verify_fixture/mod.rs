//! A small schema written twice by hand, as descriptors and as the SQL that creates it, so
//! the catalog tests need neither the macros nor the renderer.
//!
//! It covers every type and default spelling `verify` maps (uuid, text, varchar, boolean,
//! smallint, integer, bigint, real, double precision, timestamptz, jsonb, enums; defaults
//! `gen_random_uuid()`, `now()`, `false`, `0`, a negative integer, text on text and on
//! varchar, an enum label), three enums, a natural key, a composite key, foreign keys with
//! three ON DELETE actions, and unique and DESC indexes.

#![allow(dead_code)] // each test file uses part of this

use schema_core::catalog::{self, Catalog, Drift, DriftReport};
use schema_core::model::*;
use schema_core::testing::TestDatabase;
use std::borrow::Cow;

pub const SQL: &str = r#"
CREATE EXTENSION IF NOT EXISTS "pgcrypto";
CREATE TYPE "public"."mood" AS ENUM('happy', 'calm', 'sad');
CREATE TYPE "public"."level" AS ENUM('low', 'mid', 'high');
CREATE TYPE "public"."channel" AS ENUM('email', 'sms');
CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"handle" varchar(64) NOT NULL,
	"email" text NOT NULL,
	"mood" "mood" DEFAULT 'calm' NOT NULL,
	"is_admin" boolean DEFAULT false NOT NULL,
	"score" integer DEFAULT 0 NOT NULL,
	"bio" text DEFAULT 'hello',
	"notes" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE TABLE "labels" (
	"code" varchar(32) PRIMARY KEY NOT NULL,
	"color" varchar(16) DEFAULT 'grey' NOT NULL,
	"rank" double precision NOT NULL,
	"weight" real
);
CREATE TABLE "posts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"level" "level" NOT NULL,
	"title" varchar(255) NOT NULL,
	"views" bigint DEFAULT 0 NOT NULL,
	"priority" smallint DEFAULT -1 NOT NULL,
	"published_at" timestamp with time zone
);
CREATE TABLE "post_labels" (
	"post_id" uuid NOT NULL,
	"label_code" varchar(32) NOT NULL,
	"reviewer_id" uuid,
	"channel" "channel" NOT NULL,
	CONSTRAINT "post_labels_post_id_label_code_pk" PRIMARY KEY("post_id","label_code")
);
ALTER TABLE "posts" ADD CONSTRAINT "posts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "post_labels" ADD CONSTRAINT "post_labels_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "post_labels" ADD CONSTRAINT "post_labels_label_code_labels_code_fk" FOREIGN KEY ("label_code") REFERENCES "public"."labels"("code") ON DELETE restrict ON UPDATE no action;
ALTER TABLE "post_labels" ADD CONSTRAINT "post_labels_reviewer_id_accounts_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;
CREATE UNIQUE INDEX "accounts_handle_uq" ON "accounts" USING btree ("handle");
CREATE INDEX "posts_account_published_at_idx" ON "posts" USING btree ("account_id","published_at" DESC);
CREATE UNIQUE INDEX "posts_account_title_uq" ON "posts" USING btree ("account_id","title");
CREATE INDEX "post_labels_label_code_idx" ON "post_labels" USING btree ("label_code");
"#;

fn name(s: &'static str) -> Name {
    Cow::Borrowed(s)
}

fn col(
    n: &'static str,
    sql_type: SqlType,
    nullable: bool,
    default: Option<ColumnDefault>,
) -> ColumnDef {
    ColumnDef {
        nullable,
        default,
        ..ColumnDef::new(name(n), sql_type)
    }
}

fn enum_def(n: &'static str, labels: &[&'static str]) -> EnumDef {
    EnumDef {
        name: name(n),
        labels: labels.iter().map(|&l| name(l)).collect::<Vec<_>>().into(),
        renamed_from: None,
        renamed_labels: Cow::Borrowed(&[]),
    }
}

fn fk(
    column: &'static str,
    table: &'static str,
    ref_col: &'static str,
    on_delete: OnDelete,
) -> ForeignKeyDef {
    ForeignKeyDef {
        column: name(column),
        references_table: name(table),
        references_column: name(ref_col),
        on_delete,
    }
}

fn index(n: &'static str, unique: bool, columns: &[(&'static str, bool)]) -> IndexDef {
    IndexDef {
        name: name(n),
        unique,
        columns: columns
            .iter()
            .map(|&(c, desc)| IndexColumn {
                name: name(c),
                desc,
                nulls: None,
            })
            .collect::<Vec<_>>()
            .into(),
    }
}

fn table(
    n: &'static str,
    columns: Vec<ColumnDef>,
    primary_key: PrimaryKey,
    foreign_keys: Vec<ForeignKeyDef>,
    indexes: Vec<IndexDef>,
) -> TableDef {
    TableDef {
        name: name(n),
        columns: columns.into(),
        primary_key,
        foreign_keys: foreign_keys.into(),
        indexes: indexes.into(),
        renamed_from: None,
    }
}

/// The schema in code that [`SQL`] creates.
pub fn schema() -> Schema {
    use ColumnDefault as D;
    use SqlType as T;
    let e = |n: &'static str| T::Enum(name(n));
    Schema {
        enums: vec![
            enum_def("mood", &["happy", "calm", "sad"]),
            enum_def("level", &["low", "mid", "high"]),
            enum_def("channel", &["email", "sms"]),
        ]
        .into(),
        tables: vec![
            table(
                "accounts",
                vec![
                    col("id", T::Uuid, false, Some(D::GenRandomUuid)),
                    col("handle", T::Varchar(64), false, None),
                    col("email", T::Text, false, None),
                    col("mood", e("mood"), false, Some(D::EnumLabel(name("calm")))),
                    col("is_admin", T::Boolean, false, Some(D::Bool(false))),
                    col("score", T::Integer, false, Some(D::Int(0))),
                    col("bio", T::Text, true, Some(D::Text(name("hello")))),
                    col("notes", T::Jsonb, true, None),
                    col("created_at", T::TimestampTz, false, Some(D::Now)),
                ],
                PrimaryKey::Column(name("id")),
                vec![],
                vec![index("accounts_handle_uq", true, &[("handle", false)])],
            ),
            table(
                "labels",
                vec![
                    col("code", T::Varchar(32), false, None),
                    col("color", T::Varchar(16), false, Some(D::Text(name("grey")))),
                    col("rank", T::DoublePrecision, false, None),
                    col("weight", T::Real, true, None),
                ],
                PrimaryKey::Column(name("code")),
                vec![],
                vec![],
            ),
            table(
                "posts",
                vec![
                    col("id", T::Uuid, false, Some(D::GenRandomUuid)),
                    col("account_id", T::Uuid, false, None),
                    col("level", e("level"), false, None),
                    col("title", T::Varchar(255), false, None),
                    col("views", T::BigInt, false, Some(D::Int(0))),
                    col("priority", T::SmallInt, false, Some(D::Int(-1))),
                    col("published_at", T::TimestampTz, true, None),
                ],
                PrimaryKey::Column(name("id")),
                vec![fk("account_id", "accounts", "id", OnDelete::Cascade)],
                vec![
                    index(
                        "posts_account_published_at_idx",
                        false,
                        &[("account_id", false), ("published_at", true)],
                    ),
                    index(
                        "posts_account_title_uq",
                        true,
                        &[("account_id", false), ("title", false)],
                    ),
                ],
            ),
            table(
                "post_labels",
                vec![
                    col("post_id", T::Uuid, false, None),
                    col("label_code", T::Varchar(32), false, None),
                    col("reviewer_id", T::Uuid, true, None),
                    col("channel", e("channel"), false, None),
                ],
                PrimaryKey::Composite(vec![name("post_id"), name("label_code")].into()),
                vec![
                    fk("post_id", "posts", "id", OnDelete::Cascade),
                    fk("label_code", "labels", "code", OnDelete::Restrict),
                    fk("reviewer_id", "accounts", "id", OnDelete::SetNull),
                ],
                vec![index(
                    "post_labels_label_code_idx",
                    false,
                    &[("label_code", false)],
                )],
            ),
        ]
        .into(),
        ..Default::default()
    }
}

/// [`SQL`] with `from` replaced by `to`, for a database built differently from the start
/// (PostgreSQL cannot remove or reorder enum labels afterwards).
pub fn sql_with(from: &str, to: &str) -> String {
    assert!(SQL.contains(from), "the fixture SQL has no `{from}`");
    SQL.replacen(from, to, 1)
}

/// A fresh database built by `sql` and then changed by `alter`.
pub async fn database(sql: &str, alter: &str) -> (TestDatabase, tokio_postgres::Client) {
    let db = TestDatabase::create().await.expect("test database");
    let client = db.connect().await.expect("connect to the test database");
    client
        .batch_execute(sql)
        .await
        .expect("fixture SQL applies");
    client
        .batch_execute(alter)
        .await
        .expect("alteration applies");
    (db, client)
}

/// The drift `verify` reports for a database built by `sql` and then changed by `alter`.
pub async fn verify(sql: &str, alter: &str) -> DriftReport {
    let (_db, client) = database(sql, alter).await;
    catalog::verify(&client, &schema()).await.expect("verify")
}

/// The drifts found after `alter` on the fixture database.
pub async fn drifts_after(alter: &str) -> Vec<Drift> {
    verify(SQL, alter).await.drifts
}

/// The catalog of `public` of a database built by `sql` and changed by `alter`.
pub async fn catalog(sql: &str, alter: &str) -> Catalog {
    let (_db, client) = database(sql, alter).await;
    catalog::read(&client, "public")
        .await
        .expect("read catalog")
}

/// An owned string, for building expected drifts.
pub fn s(v: &str) -> String {
    v.to_string()
}

/// Owned labels or column names, for building expected drifts.
pub fn labels(v: &[&str]) -> Vec<String> {
    v.iter().map(|l| l.to_string()).collect()
}
