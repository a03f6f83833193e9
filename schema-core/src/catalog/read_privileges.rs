//! The owners and grants of a schema's tables, read from `relowner` and `relacl`.

use super::read_query::{get, Rows};
use super::CatalogError;
use crate::model::{normalize_privileges, GrantDef, Name, Privileges, TableOwner};
use std::borrow::Cow;
use std::collections::BTreeMap;

const WHAT: &str = "privileges";

/// The schema's owner (the ledger's, or else the one most tables have), the tables another
/// role owns, and every grant to a role other than the table's owner.
pub(super) fn privileges(rows: &Rows) -> Result<Privileges, CatalogError> {
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut grants = Vec::new();
    for r in &rows.privileges {
        let table: String = get(r, 0, WHAT)?;
        owners.insert(table.clone(), get(r, 1, WHAT)?);
        let Some(grantee) = get::<Option<String>>(r, 2, WHAT)? else {
            continue;
        };
        let all: bool = get(r, 4, WHAT)?;
        let mut privileges: Vec<Name> = if all {
            vec![Cow::Borrowed("ALL")]
        } else {
            get::<Vec<String>>(r, 3, WHAT)?
                .into_iter()
                .map(Name::from)
                .collect()
        };
        normalize_privileges(&mut privileges);
        grants.push(GrantDef {
            table: table.into(),
            grantee: grantee.into(),
            privileges: privileges.into(),
        });
    }
    grants.sort_by(|a, b| (&a.table, &a.grantee).cmp(&(&b.table, &b.grantee)));
    // No tables, no owner to speak of: an empty schema reads the same with or without a
    // ledger.
    let owner = match rows.ledger_owner.first() {
        _ if owners.is_empty() => None,
        Some(r) => Some(get::<String>(r, 0, "the ledger's owner")?),
        None => most_common(owners.values()),
    };
    let table_owners = owners
        .into_iter()
        .filter(|(_, o)| Some(o) != owner.as_ref())
        .map(|(table, owner)| TableOwner {
            table: table.into(),
            owner: owner.into(),
        })
        .collect::<Vec<_>>();
    Ok(Privileges {
        ignored: false,
        owner: owner.map(Name::from),
        table_owners: table_owners.into(),
        grants: grants.into(),
    })
}

/// The owner most tables have; of two as common, the first by name.
fn most_common<'a>(owners: impl Iterator<Item = &'a String>) -> Option<String> {
    let mut counts: BTreeMap<&String, usize> = BTreeMap::new();
    for o in owners {
        *counts.entry(o).or_default() += 1;
    }
    let most = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == most)
        .map(|(o, _)| o.clone())
}
