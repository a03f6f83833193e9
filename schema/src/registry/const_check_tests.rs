//! The const checks run at run time here, where a failure is a panic whose message can be read.

use super::*;
use crate::model::{EnumDef, Schema, TableDef};
use std::borrow::Cow;

/// The question bank in a `static`, so its lists can be borrowed for `'static`.
static QUESTION_BANK: Schema = crate::question_bank::SCHEMA;

fn enums() -> &'static [EnumDef] {
    &QUESTION_BANK.enums
}

fn tables() -> &'static [TableDef] {
    &QUESTION_BANK.tables
}

fn failure<const T: usize>(tables: &[TableDef]) -> String {
    let caught = std::panic::catch_unwind(|| check_schema::<T>(enums(), tables));
    let payload = caught.expect_err("the check should have failed");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

fn named(table: &TableDef, name: &'static str) -> TableDef {
    TableDef {
        name: Cow::Borrowed(name),
        ..table.clone()
    }
}

#[test]
fn the_question_bank_passes() {
    check_schema::<11>(enums(), tables());
}

#[test]
fn names_sort_in_byte_order_with_ties_by_position() {
    let names = ["m", "b", "zz", "a", "b", "z", "ab", "", "m", "a"];
    let tables: Vec<TableDef> = names.iter().map(|n| named(&tables()[0], n)).collect();
    let sorted = sorted_by_name::<10>(&tables);
    let mut expected: Vec<usize> = (0..names.len()).collect();
    expected.sort_by_key(|&i| (names[i], i));
    assert_eq!(sorted.to_vec(), expected);
}

#[test]
fn a_table_registered_twice_is_named() {
    let tables = [
        tables()[0].clone(),
        tables()[4].clone(),
        tables()[0].clone(),
    ];
    let message = failure::<3>(&tables);
    assert!(
        message.contains("the table `users` is registered twice"),
        "{message}"
    );
}

#[test]
fn a_foreign_key_to_a_later_table_says_to_move_it() {
    // stripe_customers references users.
    let tables = [tables()[1].clone(), tables()[0].clone()];
    let message = failure::<2>(&tables);
    assert!(
        message.contains(
            "`stripe_customers.user_id` references the table `users`, which is registered after it"
        ),
        "{message}"
    );
}

#[test]
fn a_foreign_key_to_a_missing_table_says_to_add_it() {
    let tables = [
        tables()[4].clone(),
        named(&tables()[0], "people"),
        tables()[1].clone(),
    ];
    let message = failure::<3>(&tables);
    assert!(
        message.contains(
            "`stripe_customers.user_id` references the table `users`, which is not registered"
        ),
        "{message}"
    );
}

#[test]
fn a_count_that_does_not_match_the_list_is_refused() {
    let message = failure::<2>(&tables()[..1]);
    assert!(message.contains("table count"), "{message}");
}
