//! Who owns the tables and who else may use them: the owner role and the privileges granted
//! on each table to other roles. A schema in code declares them in `schema!` (or opts out with
//! `privileges: ignore`); the catalog reader reads them from `relowner` and `relacl`.

use super::{List, Name};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The table of a grant declared `on [all]`: every table of the schema.
pub const ALL_TABLES: &str = "*";

/// The grantee that stands for every role.
pub const PUBLIC_GRANTEE: &str = "PUBLIC";

/// The privileges a table has, in the order `GRANT` lists them. `ALL` is every one the server
/// knows (PostgreSQL 17 adds `MAINTAIN`).
pub const TABLE_PRIVILEGES: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];

/// Owners and grants of a schema's tables.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Privileges {
    /// `privileges: ignore`: owners and grants are left out of `verify`, `adopt` and
    /// `generate`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignored: bool,
    /// The role that owns every table. In code, the declared `owner: ".."` (`None`: whichever
    /// role runs the migrations); read from a database, the owner of the migration ledger, or
    /// of most tables when there is no ledger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Name>,
    /// Tables owned by another role than `owner` (read from a database).
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub table_owners: List<TableOwner>,
    /// The privileges granted to roles other than a table's owner, one entry per table and
    /// grantee, sorted by both; the owner's own privileges are no grant.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub grants: List<GrantDef>,
}

/// A table whose owner is not the schema's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableOwner {
    /// The table.
    pub table: Name,
    /// The role that owns it.
    pub owner: Name,
}

/// The privileges one role (or `PUBLIC`) has on one table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantDef {
    /// The table, or [`ALL_TABLES`] for every table of the schema.
    pub table: Name,
    /// The role, or `PUBLIC`.
    pub grantee: Name,
    /// `SELECT`, `INSERT`, .. (read from a database: in [`TABLE_PRIVILEGES`] order), or `ALL`.
    pub privileges: List<Name>,
}

impl Privileges {
    /// No owner declared, no grants: what a schema in code says by default.
    pub const NONE: Privileges = Privileges {
        ignored: false,
        owner: None,
        table_owners: Cow::Borrowed(&[]),
        grants: Cow::Borrowed(&[]),
    };

    /// Whether there is nothing to say (left out of a snapshot).
    pub fn is_none(&self) -> bool {
        *self == Privileges::NONE
    }

    /// The owner of `table` here: its own, or the schema's.
    pub fn owner_of(&self, table: &str) -> Option<&Name> {
        self.table_owners
            .iter()
            .find(|o| o.table == table)
            .map(|o| &o.owner)
            .or(self.owner.as_ref())
    }

    /// The grantees of `table`, each once.
    pub fn grantees(&self, table: &str) -> Vec<&Name> {
        let mut out: Vec<&Name> = self
            .grants
            .iter()
            .filter(|g| g.table == table || g.table == ALL_TABLES)
            .map(|g| &g.grantee)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The privileges `grantee` has on `table`, in order; empty for none.
    pub fn granted(&self, table: &str, grantee: &str) -> Vec<Name> {
        let mut out: Vec<Name> = self
            .grants
            .iter()
            .filter(|g| (g.table == table || g.table == ALL_TABLES) && g.grantee == grantee)
            .flat_map(|g| g.privileges.iter().cloned())
            .collect();
        normalize(&mut out);
        out
    }
}

/// Puts privileges in [`TABLE_PRIVILEGES`] order (others after, by name), once each; `ALL`
/// absorbs the rest.
pub fn normalize(privileges: &mut Vec<Name>) {
    for p in privileges.iter_mut() {
        if p.bytes().any(|b| b.is_ascii_lowercase()) {
            *p = Cow::Owned(p.to_ascii_uppercase());
        }
    }
    if privileges
        .iter()
        .any(|p| p == "ALL" || p == "ALL PRIVILEGES")
    {
        *privileges = vec![Cow::Borrowed("ALL")];
        return;
    }
    let rank = |p: &Name| {
        TABLE_PRIVILEGES
            .iter()
            .position(|known| p == known)
            .unwrap_or(TABLE_PRIVILEGES.len())
    };
    privileges.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    privileges.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileges_are_ordered_once_and_all_absorbs_the_rest() {
        let mut p: Vec<Name> = ["delete", "SELECT", "DELETE", "MAINTAIN"]
            .map(Cow::Borrowed)
            .to_vec();
        normalize(&mut p);
        assert_eq!(p, ["SELECT", "DELETE", "MAINTAIN"]);
        let mut p: Vec<Name> = vec!["SELECT".into(), "ALL".into()];
        normalize(&mut p);
        assert_eq!(p, ["ALL"]);
    }
}
