//! `schema!` checks the ordered registry at compile time: each broken rule is a build error
//! naming the table, the column and what to write instead.

#[test]
fn registry_rules_are_compile_errors() {
    let t = trybuild::TestCases::new();
    t.pass("tests/registry_ui/pass_ordered.rs");
    // Every table is created before any foreign key: the list's order is free.
    t.pass("tests/registry_ui/pass_foreign_key_to_later_table.rs");
    t.pass("tests/registry_ui/pass_partition_after_parent.rs");
    for case in [
        "foreign_key_to_unregistered_table",
        "column_of_unregistered_enum",
        "table_registered_twice",
        "enum_registered_twice",
        "foreign_key_to_a_column_that_is_not_unique",
        "index_named_like_another_relation",
        "index_named_like_another_table",
        "reserved_pg_schema",
        "partition_before_parent",
        "grant_on_unregistered_table",
        "grant_of_unknown_privilege",
    ] {
        t.compile_fail(format!("tests/registry_ui/{case}.rs"));
    }
}
