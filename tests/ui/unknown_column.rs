use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
}

#[table(name = "posts")]
#[index(name = "posts_author_idx", on(author_id))]
pub struct Post {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id, on_delete = cascade)]
    pub user_id: Uuid,
}

#[table(name = "post_tags")]
#[primary_key(post_id, tag)]
pub struct PostTag {
    pub post_id: Uuid,
    pub tag_id: Uuid,
}

fn main() {}
