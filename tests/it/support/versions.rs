//! A sequence of schema versions, each one step of evolution from the one before, together
//! covering every kind of change `generate` handles. Built through the descriptors.

use super::build::*;
use schema_core::model::*;

/// Whether generating the step needs the destructive-change confirmation.
pub struct Version {
    pub name: &'static str,
    pub schema: Schema,
    pub destructive: bool,
}

fn labels(names: &[&str]) -> List<Name> {
    names
        .iter()
        .map(|l| Name::from(l.to_string()))
        .collect::<Vec<_>>()
        .into()
}

fn v0() -> Schema {
    let users = table(
        "users",
        vec![
            uuid_pk(),
            varchar("email", 100),
            null(col("nickname", SqlType::Text)),
            now("created_at"),
        ],
    );
    let users = index(users, "users_email_uq", true, &["email"]);
    let posts = table(
        "posts",
        vec![
            uuid_pk(),
            col("author_id", SqlType::Uuid),
            col("title", SqlType::Text),
            def(
                enum_col("status", "status"),
                ColumnDefault::EnumLabel("draft".into()),
            ),
            def(col("score", SqlType::Integer), ColumnDefault::Int(0)),
            enum_col("mode", "mode"),
        ],
    );
    let posts = fk(posts, "author_id", "users", OnDelete::Cascade);
    let posts = index(posts, "posts_author_idx", false, &["author_id"]);
    let posts = index(
        posts,
        "posts_status_score_idx",
        false,
        &["status", "score desc"],
    );
    let tags = table("tags", vec![uuid_pk(), varchar("slug", 50)]);
    let tags = index(tags, "tags_slug_uq", true, &["slug"]);
    let post_tags = composite(
        table(
            "post_tags",
            vec![col("post_id", SqlType::Uuid), col("tag_id", SqlType::Uuid)],
        ),
        &["post_id", "tag_id"],
    );
    let post_tags = fk(post_tags, "post_id", "posts", OnDelete::Cascade);
    let post_tags = fk(post_tags, "tag_id", "tags", OnDelete::Cascade);
    Schema {
        enums: vec![
            enum_def("status", &["draft", "published", "archived"]),
            enum_def("mode", &["tutor", "exam"]),
        ]
        .into(),
        tables: vec![users, posts, tags, post_tags].into(),
        ..Default::default()
    }
}

/// Columns added (nullable, with a default, NOT NULL with a default) and a table created.
fn v1(mut s: Schema) -> Schema {
    let users = table_mut(&mut s, "users");
    users.columns.to_mut().push(def(
        col("active", SqlType::Boolean),
        ColumnDefault::Bool(true),
    ));
    users.columns.to_mut().push(null(col("bio", SqlType::Text)));
    let posts = table_mut(&mut s, "posts");
    posts
        .columns
        .to_mut()
        .push(def(col("views", SqlType::BigInt), ColumnDefault::Int(0)));
    let comments = table(
        "comments",
        vec![
            uuid_pk(),
            col("post_id", SqlType::Uuid),
            varchar("body", 200),
            now("created_at"),
        ],
    );
    let comments = fk(comments, "post_id", "posts", OnDelete::Cascade);
    let comments = index(
        comments,
        "comments_post_created_idx",
        false,
        &["post_id", "created_at desc"],
    );
    s.tables.to_mut().push(comments);
    s
}

/// A table, a column and an enum renamed in code; derived constraint names follow.
fn v2(mut s: Schema) -> Schema {
    let posts = table_mut(&mut s, "posts");
    posts.name = "articles".into();
    posts.renamed_from = Some("posts".into());
    let title = col_mut(posts, "title");
    *title = renamed(col("headline", SqlType::Text), "title");
    let status = enum_mut(&mut s, "status");
    status.name = "article_status".into();
    status.renamed_from = Some("status".into());
    for t in s.tables.to_mut() {
        for c in t.columns.to_mut() {
            if c.sql_type == SqlType::Enum("status".into()) {
                c.sql_type = SqlType::Enum("article_status".into());
            }
        }
        for f in t.foreign_keys.to_mut() {
            if f.references_table == "posts" {
                f.references_table = "articles".into();
            }
        }
    }
    let post_tags = table_mut(&mut s, "post_tags");
    *col_mut(post_tags, "post_id") = renamed(col("article_id", SqlType::Uuid), "post_id");
    post_tags.primary_key =
        PrimaryKey::Composite(vec![Name::from("article_id"), Name::from("tag_id")].into());
    post_tags.foreign_keys.to_mut()[0].column = "article_id".into();
    s
}

/// Types widened, NOT NULL set on a column with a default (NULLs filled), a default set.
fn v3(mut s: Schema) -> Schema {
    let users = table_mut(&mut s, "users");
    col_mut(users, "email").sql_type = SqlType::Varchar(320);
    *col_mut(users, "nickname") = def(
        col("nickname", SqlType::Text),
        ColumnDefault::Text("".into()),
    );
    let articles = table_mut(&mut s, "articles");
    col_mut(articles, "score").sql_type = SqlType::BigInt;
    let comments = table_mut(&mut s, "comments");
    col_mut(comments, "body").sql_type = SqlType::Text;
    s
}

/// NOT NULL and a default dropped, a foreign key's ON DELETE changed, a type changed to text.
fn v4(mut s: Schema) -> Schema {
    let comments = table_mut(&mut s, "comments");
    col_mut(comments, "body").nullable = true;
    comments.foreign_keys.to_mut()[0].on_delete = OnDelete::Restrict;
    let users = table_mut(&mut s, "users");
    col_mut(users, "active").default = None;
    let articles = table_mut(&mut s, "articles");
    col_mut(articles, "mode").sql_type = SqlType::Text;
    s
}

/// Labels added in place, one of them used as a default at once (two migrations).
fn v5(mut s: Schema) -> Schema {
    enum_mut(&mut s, "article_status").labels =
        labels(&["draft", "review", "published", "archived"]);
    enum_mut(&mut s, "mode").labels = labels(&["intro", "tutor", "exam", "timed"]);
    let articles = table_mut(&mut s, "articles");
    col_mut(articles, "status").default = Some(ColumnDefault::EnumLabel("review".into()));
    s
}

/// A label renamed in code; a label removed (the type is rebuilt); an enum dropped and created.
fn v6(mut s: Schema) -> Schema {
    let status = enum_mut(&mut s, "article_status");
    status.labels = labels(&["draft", "in_review", "published"]);
    status.renamed_labels = vec![LabelRename {
        from: "review".into(),
        to: "in_review".into(),
    }]
    .into();
    let articles = table_mut(&mut s, "articles");
    col_mut(articles, "status").default = Some(ColumnDefault::EnumLabel("in_review".into()));
    s.enums.to_mut().retain(|e| e.name != "mode");
    s.enums
        .to_mut()
        .push(enum_def("visibility", &["public", "private"]));
    let articles = table_mut(&mut s, "articles");
    articles.columns.to_mut().push(def(
        enum_col("visibility", "visibility"),
        ColumnDefault::EnumLabel("public".into()),
    ));
    s
}

/// Indexes added, dropped, changed and renamed.
fn v7(mut s: Schema) -> Schema {
    let articles = table_mut(&mut s, "articles");
    articles
        .indexes
        .to_mut()
        .retain(|i| i.name != "posts_author_idx");
    let i = articles
        .indexes
        .to_mut()
        .iter_mut()
        .find(|i| i.name == "posts_status_score_idx")
        .expect("index");
    i.columns.to_mut()[1].desc = false;
    let articles = index(
        articles.clone(),
        "articles_views_idx",
        false,
        &["views desc"],
    );
    *table_mut(&mut s, "articles") = articles;
    let comments = table_mut(&mut s, "comments");
    comments.indexes.to_mut()[0].name = "comments_article_created_idx".into();
    let tags = table_mut(&mut s, "tags");
    tags.indexes.to_mut()[0].unique = false;
    let tags = index(tags.clone(), "tags_slug_name_uq", true, &["slug"]);
    *table_mut(&mut s, "tags") = tags;
    s
}

/// A composite primary key changed, with a column added for it.
fn v8(mut s: Schema) -> Schema {
    let post_tags = table_mut(&mut s, "post_tags");
    post_tags.columns.to_mut().push(def(
        col("position", SqlType::Integer),
        ColumnDefault::Int(0),
    ));
    post_tags.primary_key = PrimaryKey::Composite(
        vec![
            Name::from("article_id"),
            Name::from("tag_id"),
            Name::from("position"),
        ]
        .into(),
    );
    s
}

/// A column and a table dropped (destructive).
fn v9(mut s: Schema) -> Schema {
    let users = table_mut(&mut s, "users");
    users.columns.to_mut().retain(|c| c.name != "bio");
    s.tables.to_mut().retain(|t| t.name != "post_tags");
    s
}

/// A type narrowed (destructive), NOT NULL set without a default, a foreign key added.
fn v10(mut s: Schema) -> Schema {
    let users = table_mut(&mut s, "users");
    col_mut(users, "email").sql_type = SqlType::Varchar(200);
    let comments = table_mut(&mut s, "comments");
    col_mut(comments, "body").nullable = false;
    comments
        .columns
        .to_mut()
        .push(null(col("author_id", SqlType::Uuid)));
    let comments = fk(comments.clone(), "author_id", "users", OnDelete::SetNull);
    *table_mut(&mut s, "comments") = comments;
    s
}

/// A table renamed again, one of its foreign keys dropped, a table with a natural key created.
fn v11(mut s: Schema) -> Schema {
    let comments = table_mut(&mut s, "comments");
    comments
        .foreign_keys
        .to_mut()
        .retain(|f| f.column != "author_id");
    comments.name = "replies".into();
    comments.renamed_from = Some("comments".into());
    let events = table("events", vec![varchar("id", 255), null(tz("processed_at"))]);
    let events = index(events, "events_processed_at_idx", false, &["processed_at"]);
    s.tables.to_mut().push(events);
    s
}

/// A step: its migration's name, the change, and whether it needs confirmation.
type Step = (&'static str, fn(Schema) -> Schema, bool);

pub fn versions() -> Vec<Version> {
    let steps: [Step; 11] = [
        ("add_columns_and_table", v1, false),
        ("renames", v2, false),
        ("widen_and_not_null", v3, false),
        ("relax_and_retarget", v4, false),
        ("enum_labels_added", v5, false),
        ("enum_labels_renamed_removed", v6, true),
        ("indexes", v7, false),
        ("composite_key", v8, false),
        ("drops", v9, true),
        ("narrow_and_require", v10, true),
        ("rename_and_natural_key", v11, false),
    ];
    let mut out = vec![Version {
        name: "initial",
        schema: v0(),
        destructive: false,
    }];
    for (name, step, destructive) in steps {
        let schema = step(out.last().expect("a version").schema.clone());
        out.push(Version {
            name,
            schema,
            destructive,
        });
    }
    out
}
