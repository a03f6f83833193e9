//! The changes of owners and grants: each table of the code owned by the owner the code
//! declares (or else the schema's, the role that runs the migrations), and granted to other
//! roles exactly what the code grants (by default nothing). `privileges: ignore` on either
//! side leaves them out.

use super::schema_change::SchemaChange;
use crate::model::{Name, Schema};
use crate::plan::Statement;
use std::collections::BTreeSet;

pub(super) fn compare_privileges(database: &Schema, code: &Schema, drifts: &mut Vec<SchemaChange>) {
    let (found, declared) = (&database.privileges, &code.privileges);
    if found.ignored || declared.ignored {
        return;
    }
    for table in code.tables.iter() {
        let name = table.name.as_ref();
        let exists = database.table(name).is_some();
        // A new table is created by the role that runs the migrations: only a declared owner
        // needs a change.
        let owner = if exists { found.owner_of(name) } else { None };
        if let Some(to) = declared.owner.as_ref().or(found.owner.as_ref()) {
            if owner != Some(to) && (exists || declared.owner.is_some()) {
                drifts.push(SchemaChange::SetOwner {
                    table: name.to_string(),
                    to: to.to_string(),
                    from: owner.map(|o| o.to_string()),
                });
            }
        }
        let grantees: BTreeSet<&Name> = declared
            .grantees(name)
            .into_iter()
            .chain(found.grantees(name))
            .collect();
        for grantee in grantees {
            let want = declared.granted(name, grantee);
            let have = if exists {
                found.granted(name, grantee)
            } else {
                Vec::new()
            };
            if want == have {
                continue;
            }
            let (add, remove) = difference(&want, &have);
            let change = |privileges: Vec<String>, grant: bool| {
                let (table, grantee) = (name.to_string(), grantee.to_string());
                if grant {
                    SchemaChange::Grant {
                        table,
                        grantee,
                        privileges,
                    }
                } else {
                    SchemaChange::Revoke {
                        table,
                        grantee,
                        privileges,
                    }
                }
            };
            if !remove.is_empty() {
                drifts.push(change(remove, false));
            }
            if !add.is_empty() {
                drifts.push(change(add, true));
            }
        }
    }
}

/// The statements that give `new`'s tables their declared owners and grants, from `old`
/// (a table's owner only where `new` declares one); they run last, once every table exists.
pub(super) fn statements(old: &Schema, new: &Schema) -> Vec<Statement> {
    let mut changes = Vec::new();
    compare_privileges(old, new, &mut changes);
    let names = |privileges: Vec<String>| privileges.into_iter().map(Name::from).collect();
    changes
        .into_iter()
        .filter_map(|change| match change {
            SchemaChange::Grant {
                table,
                grantee,
                privileges,
            } => Some(Statement::Grant {
                table: table.into(),
                grantee: grantee.into(),
                privileges: names(privileges),
            }),
            SchemaChange::Revoke {
                table,
                grantee,
                privileges,
            } => Some(Statement::Revoke {
                table: table.into(),
                grantee: grantee.into(),
                privileges: names(privileges),
            }),
            SchemaChange::SetOwner { table, to, .. } if new.privileges.owner.is_some() => {
                Some(Statement::SetOwner {
                    table: table.into(),
                    owner: to.into(),
                })
            }
            _ => None,
        })
        .collect()
}

/// What to grant and what to revoke (first) so that `have` becomes `want`. `ALL` is granted
/// whole, not as the privileges `have` lacks: the server's `ALL` may hold more than
/// [`TABLE_PRIVILEGES`] (PostgreSQL 17's `MAINTAIN`).
fn difference(want: &[Name], have: &[Name]) -> (Vec<String>, Vec<String>) {
    let all = |v: &[Name]| v.iter().any(|p| p == "ALL");
    let names = |v: &[Name]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let minus = |a: &[Name], b: &[Name]| {
        a.iter()
            .filter(|p| !b.contains(p))
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    };
    match (all(want), all(have)) {
        (true, true) => (Vec::new(), Vec::new()),
        (true, false) => (vec!["ALL".to_string()], Vec::new()),
        (false, true) => (names(want), vec!["ALL".to_string()]),
        (false, false) => (minus(want, have), minus(have, want)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn v(p: &[&'static str]) -> Vec<Name> {
        p.iter().map(|p| Cow::Borrowed(*p)).collect()
    }

    #[test]
    fn all_is_granted_and_revoked_whole() {
        let strings = |p: &[&str]| p.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(
            difference(&v(&["ALL"]), &v(&["SELECT"])),
            (strings(&["ALL"]), vec![])
        );
        assert_eq!(
            difference(&v(&["SELECT"]), &v(&["ALL"])),
            (strings(&["SELECT"]), strings(&["ALL"]))
        );
        assert_eq!(
            difference(&v(&["SELECT", "INSERT"]), &v(&["SELECT", "DELETE"])),
            (strings(&["INSERT"]), strings(&["DELETE"]))
        );
    }
}
