//! `schema!` checks the ordered registry at compile time: each broken rule is a build error
//! naming the table, the column and what to write instead.

#[test]
fn registry_rules_are_compile_errors() {
    let t = trybuild::TestCases::new();
    t.pass("tests/registry_ui/pass_ordered.rs");
    for case in [
        "foreign_key_to_unregistered_table",
        "foreign_key_to_later_table",
        "column_of_unregistered_enum",
        "table_registered_twice",
        "enum_registered_twice",
    ] {
        t.compile_fail(format!("tests/registry_ui/{case}.rs"));
    }
}
