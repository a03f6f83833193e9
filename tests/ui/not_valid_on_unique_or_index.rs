use schema_core::table;
use uuid::Uuid;

// PostgreSQL validates a unique constraint or an index as it builds it: only a check or a
// foreign key can be NOT VALID.
#[table(name = "products")]
#[unique(on(sku), not_valid)]
#[index(name = "products_sku_idx", on(sku), not_valid)]
#[check(name = "products_sku_set", sql = "(sku <> '')", not_valid, not_valid)]
pub struct Product {
    #[primary_key]
    pub id: Uuid,
    pub sku: String,
}

fn main() {}
