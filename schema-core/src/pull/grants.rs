//! The owners and grants `pull` read, as `schema!`'s `grants: [..]` (and `owner: ".."` when the
//! tables have more than one owner), so the pulled crate verifies its database clean.

use crate::model::Schema;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The lines of `schema!` after `tables: [..]`; none when nobody but the owner has a grant
/// and every table has one owner (whichever role runs the migrations then owns them).
/// `rust_name` gives a table's Rust type name.
pub(super) fn lines<'a>(schema: &Schema, rust_name: impl Fn(&str) -> &'a str) -> String {
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
            .push(rust_name(&g.table));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ColumnDef, GrantDef, Name, PrimaryKey, Privileges, SqlType, TableDef, TableOwner,
    };
    use std::borrow::Cow;

    fn table(name: &'static str) -> TableDef {
        TableDef {
            name: Cow::Borrowed(name),
            columns: vec![ColumnDef::new("id".into(), SqlType::Uuid)].into(),
            primary_key: PrimaryKey::Column("id".into()),
            ..TableDef::BLANK
        }
    }

    fn grant(table: &'static str, grantee: &'static str, privileges: &[&'static str]) -> GrantDef {
        GrantDef {
            table: table.into(),
            grantee: grantee.into(),
            privileges: privileges
                .iter()
                .map(|p| Name::Borrowed(p))
                .collect::<Vec<_>>()
                .into(),
        }
    }

    #[test]
    fn grants_are_grouped_by_role_and_privileges_and_a_second_owner_declares_the_first() {
        let mut schema = Schema::new(
            Cow::Borrowed(&[]),
            vec![table("notes"), table("tags"), table("logs")].into(),
        );
        schema.privileges = Privileges {
            owner: Some("app".into()),
            table_owners: vec![TableOwner {
                table: "logs".into(),
                owner: "ops".into(),
            }]
            .into(),
            grants: vec![
                grant("notes", "reader", &["SELECT"]),
                grant("tags", "reader", &["SELECT"]),
                grant("tags", "PUBLIC", &["SELECT", "INSERT"]),
            ]
            .into(),
            ..Privileges::NONE
        };
        let names = super::super::code::Names::of(&schema);
        let rust_name = |t: &str| names.table(t);
        assert_eq!(
            lines(&schema, rust_name),
            "    // Owned by other roles in the database `pull` read, which `verify` reports: \
             logs (ops).\n    owner: \"app\",\n    grants: [\n        \"PUBLIC\" => [SELECT, \
             INSERT] on [Tags],\n        \"reader\" => SELECT on [Notes, Tags],\n    ],\n"
        );
        // One owner and no grant: nothing to declare.
        schema.privileges = Privileges {
            owner: Some("app".into()),
            ..Privileges::NONE
        };
        assert_eq!(lines(&schema, rust_name), "");
    }
}
