use schema_core::table;
use uuid::Uuid;

#[table(name = "prices")]
pub struct Price {
    #[primary_key]
    pub id: Uuid,
    #[column(sql_type = "numeric(10,2")]
    pub amount: String,
    #[column(sql_type = "")]
    pub currency: String,
}

fn main() {}
