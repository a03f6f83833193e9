//! The rules of the grants `schema!` declares: each names a table of the schema's list (or
//! `all`) and privileges a table has. Run by the compiler in `schema!`'s constant and by
//! `validate` at run time.

use super::relations::{items, text};
use crate::model::{GrantDef, Privileges, Schema, TableDef, ALL_TABLES, TABLE_PRIVILEGES};
use schema_rules::rules::{same, Violation};
use std::borrow::Cow;

/// The name of a `#[table]`'s table, for a grant's constant.
pub const fn table_name(table: &'static TableDef) -> &'static str {
    match &table.name {
        Cow::Borrowed(name) => name,
        Cow::Owned(_) => panic!("schema!: a table's name is known when the program is built"),
    }
}

/// The first rule a grant of `schema!` breaks.
pub const fn check_grants<'a>(
    tables: &'a [TableDef],
    privileges: &'a Privileges,
) -> Option<Violation<&'a str>> {
    let Cow::Borrowed(grants) = &privileges.grants else {
        return None;
    };
    let mut g = 0;
    while g < grants.len() {
        let mut p = 0;
        while p <= items(&grants[g].privileges).len() {
            if let Some(violation) = check_grant(tables, &grants[g], p) {
                return Some(violation);
            }
            p += 1;
        }
        g += 1;
    }
    None
}

/// Every rule the grants break, for `validate`.
pub(super) fn violations(schema: &Schema) -> Vec<Violation<String>> {
    let mut found = Vec::new();
    for grant in schema.privileges.grants.iter() {
        for p in 0..=grant.privileges.len() {
            if let Some(violation) = check_grant(&schema.tables, grant, p) {
                found.push(violation.owned());
            }
        }
    }
    found
}

/// Step `step` of a grant's rules: 0 checks its role and table, `1 + i` its privilege `i`.
const fn check_grant<'a>(
    tables: &'a [TableDef],
    grant: &'a GrantDef,
    step: usize,
) -> Option<Violation<&'a str>> {
    let (table, grantee) = (text(&grant.table), text(&grant.grantee));
    if step == 0 {
        if grantee.is_empty() {
            return Some(Violation::EmptyName {
                kind: "role of a grant",
            });
        }
        if !same(table, ALL_TABLES) && !is_registered(tables, table) {
            return Some(Violation::GrantOnUnknownTable { grantee, table });
        }
        return None;
    }
    let privilege = text(&items(&grant.privileges)[step - 1]);
    if same(privilege, "ALL") || is_privilege(privilege) {
        return None;
    }
    let table = if same(table, ALL_TABLES) {
        "all"
    } else {
        table
    };
    Some(Violation::UnknownPrivilege {
        grantee,
        table,
        privilege,
    })
}

const fn is_registered(tables: &[TableDef], name: &str) -> bool {
    let mut t = 0;
    while t < tables.len() {
        if same(text(&tables[t].name), name) {
            return true;
        }
        t += 1;
    }
    false
}

const fn is_privilege(name: &str) -> bool {
    let mut p = 0;
    while p < TABLE_PRIVILEGES.len() {
        if same(TABLE_PRIVILEGES[p], name) {
            return true;
        }
        p += 1;
    }
    false
}
