//! The owners and grants `pull` read, as `schema!`'s `grants: [..]` (and `owner: ".."` when the
//! tables have more than one owner), so the pulled crate verifies its database clean.

use super::code::Names;
use crate::model::Schema;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The lines of `schema!` after `tables: [..]`; none when nobody but the owner has a grant
/// and every table has one owner (whichever role runs the migrations then owns them).
pub(super) fn lines(schema: &Schema, names: &Names) -> String {
    let privileges = &schema.privileges;
    let mut out = String::new();
    if !privileges.table_owners.is_empty() {
        if let Some(owner) = &privileges.owner {
            let others: Vec<String> = privileges
                .table_owners
                .iter()
                .map(|o| format!("{} ({})", o.table, o.owner))
                .collect();
            let _ = writeln!(
                out,
                "    // Owned by other roles in the database `pull` read, which `verify` reports: \
                 {}.",
                others.join(", ")
            );
            let _ = writeln!(out, "    owner: {owner:?},");
        }
    }
    // One line per grantee and privilege list, with every table it is granted on.
    let mut grouped: BTreeMap<(&str, String), Vec<&str>> = BTreeMap::new();
    // Only the tables pulled (not other tools' bookkeeping).
    for g in privileges
        .grants
        .iter()
        .filter(|g| schema.table(&g.table).is_some())
    {
        let list: Vec<&str> = g.privileges.iter().map(|p| p.as_ref()).collect();
        let list = if list.len() == 1 {
            list[0].to_string()
        } else {
            format!("[{}]", list.join(", "))
        };
        grouped
            .entry((g.grantee.as_ref(), list))
            .or_default()
            .push(names.table(&g.table));
    }
    if !grouped.is_empty() {
        out.push_str("    grants: [\n");
        for ((grantee, list), tables) in grouped {
            let _ = writeln!(
                out,
                "        {grantee:?} => {list} on [{}],",
                tables.join(", ")
            );
        }
        out.push_str("    ],\n");
    }
    out
}
