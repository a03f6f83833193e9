use schema_core::table;
use uuid::Uuid;

#[table(name = "prices")]
pub struct Price {
    #[primary_key]
    pub id: Uuid,
    // Not a type PostgreSQL could parse.
    #[column(sql_type = "numeric(10,2")]
    pub amount: String,
    #[column(sql_type = "")]
    pub currency: String,
    // Only an integer is numbered by a sequence.
    #[column(serial, sql_type = "numeric")]
    pub position: i64,
}

fn main() {}
