mod common;
use common::*;

// EXECUTE is a privilege of functions, not of tables.
const SCHEMA: schema_core::Schema = schema_core::schema! {
    enums: [],
    tables: [User],
    grants: ["app_read" => [SELECT, EXECUTE] on [all]],
};

fn main() {
    let _ = SCHEMA;
}
