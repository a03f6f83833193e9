mod common;
use common::*;

// `Session` references `User`, listed after it: tables are created before any foreign key.
const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [Mode], tables: [Session, User] };

fn main() {
    let _ = SCHEMA;
}
