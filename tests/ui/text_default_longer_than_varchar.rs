use schema_core::table;
use uuid::Uuid;

#[table(name = "codes")]
pub struct Code {
    #[primary_key]
    pub id: Uuid,
    #[column(varchar = 2, default = "too long")]
    pub short: String,
}

fn main() {}
