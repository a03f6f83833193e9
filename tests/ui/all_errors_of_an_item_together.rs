// Several mistakes in one table: each is reported, at its own token, in one compilation.
use chrono::NaiveDateTime;
use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
}

#[table(name = "posts")]
#[index(name = "posts_author_idx", on(author))]
pub struct Post {
    pub id: Uuid,
    #[foreign_key(references = User::id)]
    pub user_id: Uuid,
    pub written_at: NaiveDateTime,
    #[column(colour = "red")]
    pub title: String,
}

// `Post` has errors, yet it is still emitted with its column consts, so this table, which
// uses it, reports nothing more.
#[table(name = "comments")]
pub struct Comment {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = Post::id, on_delete = cascade)]
    pub post_id: Uuid,
}

fn main() {}
