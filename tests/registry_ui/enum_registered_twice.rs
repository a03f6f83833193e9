mod common;
use common::*;

const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [Mode, Mode], tables: [User] };

fn main() {
    let _ = SCHEMA;
}
