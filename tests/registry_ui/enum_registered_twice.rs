mod common;
use common::*;

const SCHEMA: schema::Schema = schema::schema! { enums: [Mode, Mode], tables: [User] };

fn main() {
    let _ = SCHEMA;
}
