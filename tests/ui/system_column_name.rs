use schema_core::table;
use uuid::Uuid;

#[table(name = "rows")]
pub struct Row {
    #[primary_key]
    pub id: Uuid,
    pub xmin: i64,
    #[column(name = "ctid")]
    pub position: String,
}

fn main() {}
