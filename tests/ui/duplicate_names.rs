use schema_core::{pg_enum, table};
use uuid::Uuid;

#[pg_enum]
pub enum Status {
    Open,
    #[pg_enum(rename = "open")]
    Reopened,
}

#[table(name = "tickets")]
#[index(name = "tickets_title_idx", on(title))]
#[index(name = "tickets_title_idx", on(body))]
pub struct Ticket {
    #[primary_key]
    pub id: Uuid,
    pub title: String,
    #[column(name = "title")]
    pub body: String,
}

fn main() {}
