//! A small schema written twice by hand, as descriptors (with the shared constructors of
//! `support::build`) and as the SQL that creates it, so the catalog tests need neither the
//! macros nor the renderer.
//!
//! It covers every type and default spelling `verify` maps (uuid, text, varchar, boolean,
//! smallint, integer, bigint, real, double precision, timestamptz, jsonb, enums; defaults
//! `gen_random_uuid()`, `now()`, `false`, `0`, a negative integer, text on text and on
//! varchar, an enum label), three enums, a natural key, a composite key, foreign keys with
//! three ON DELETE actions, and unique and DESC indexes.

#![allow(dead_code)] // each test file uses part of this

use crate::support::build::*;
use schema_core::catalog::{self, DriftReport};
use schema_core::diff::SchemaChange;
use schema_core::model::*;
use schema_core::testing::TestDatabase;
use schema_core::Schema;

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

/// The schema in code that [`SQL`] creates.
pub fn schema() -> Schema {
    use ColumnDefault as D;
    use OnDelete::*;
    use SqlType as T;

    let accounts = table(
        "accounts",
        vec![
            uuid_pk(),
            varchar("handle", 64),
            col("email", T::Text),
            def(enum_col("mood", "mood"), D::EnumLabel("calm".into())),
            def(col("is_admin", T::Boolean), D::Bool(false)),
            def(col("score", T::Integer), D::Int(0)),
            def(null(col("bio", T::Text)), D::Text("hello".into())),
            null(col("notes", T::Jsonb)),
            now("created_at"),
        ],
    );
    let accounts = index(accounts, "accounts_handle_uq", true, &["handle"]);

    let mut labels = table(
        "labels",
        vec![
            varchar("code", 32),
            def(varchar("color", 16), D::Text("grey".into())),
            col("rank", T::DoublePrecision),
            null(col("weight", T::Real)),
        ],
    );
    labels.primary_key = PrimaryKey::Column("code".into());

    let posts = table(
        "posts",
        vec![
            uuid_pk(),
            col("account_id", T::Uuid),
            enum_col("level", "level"),
            varchar("title", 255),
            def(col("views", T::BigInt), D::Int(0)),
            def(col("priority", T::SmallInt), D::Int(-1)),
            null(tz("published_at")),
        ],
    );
    let posts = fk(posts, "account_id", "accounts", Cascade);
    let posts = index(
        posts,
        "posts_account_published_at_idx",
        false,
        &["account_id", "published_at desc"],
    );
    let posts = index(
        posts,
        "posts_account_title_uq",
        true,
        &["account_id", "title"],
    );

    let post_labels = table(
        "post_labels",
        vec![
            col("post_id", T::Uuid),
            varchar("label_code", 32),
            null(col("reviewer_id", T::Uuid)),
            enum_col("channel", "channel"),
        ],
    );
    let post_labels = composite(post_labels, &["post_id", "label_code"]);
    let post_labels = fk(post_labels, "post_id", "posts", Cascade);
    let post_labels = fk_to(post_labels, "label_code", "labels", "code", Restrict);
    let post_labels = fk(post_labels, "reviewer_id", "accounts", SetNull);
    let post_labels = index(
        post_labels,
        "post_labels_label_code_idx",
        false,
        &["label_code"],
    );

    Schema {
        enums: vec![
            enum_def("mood", &["happy", "calm", "sad"]),
            enum_def("level", &["low", "mid", "high"]),
            enum_def("channel", &["email", "sms"]),
        ]
        .into(),
        tables: vec![accounts, labels, posts, post_labels].into(),
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
pub async fn drifts_after(alter: &str) -> Vec<SchemaChange> {
    verify(SQL, alter).await.drifts
}

/// The schema `public` of a database built by `sql` and changed by `alter`, read into the
/// model.
pub async fn catalog(sql: &str, alter: &str) -> Schema {
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
