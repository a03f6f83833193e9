use schema_core::table;
use uuid::Uuid;

#[table(name = "products")]
#[check(sql = "(price > 0)")]
#[check(name = "products_stock_positive")]
pub struct Product {
    #[primary_key]
    pub id: Uuid,
    pub price: i32,
    pub stock: i32,
}

fn main() {}
