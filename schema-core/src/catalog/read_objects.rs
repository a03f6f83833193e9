//! Reading what a migration never makes but a hand can: triggers, rules, row-level security
//! policies, views and materialized views, and sequences. Each is drift when it appears, so
//! `verify` has to see it.

use super::read::{get, query};
use super::types::{Sequence, Table, TableObject, View};
use super::CatalogError;
use std::collections::BTreeMap;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

// Internal triggers are the ones PostgreSQL makes for foreign keys; they belong to the key.
const TRIGGERS: &str = "
SELECT c.relname::text, t.tgname::text, pg_get_triggerdef(t.oid)
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT t.tgisinternal";

// A view's own `_RETURN` rule hangs on the view, not on a table, so it is not listed here.
const RULES: &str = "
SELECT c.relname::text, r.rulename::text, pg_get_ruledef(r.oid)
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')";

const POLICIES: &str = "
SELECT tablename::text, policyname::text,
       concat_ws(' ', permissive, 'FOR ' || cmd, 'TO ' || array_to_string(roles, ', '),
                 'USING ' || qual, 'WITH CHECK ' || with_check)
FROM pg_policies
WHERE schemaname = $1";

const VIEWS: &str = "
SELECT c.relname::text, c.relkind = 'm', pg_get_viewdef(c.oid)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')";

// A serial column owns its sequence with an 'a' (auto) dependency, an identity column with
// an 'i' (internal) one.
const SEQUENCES: &str = "
SELECT c.relname::text,
       (SELECT (tc.relname || '.' || a.attname)::text
        FROM pg_depend d
        JOIN pg_class tc ON tc.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        LIMIT 1)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind = 'S'";

/// The rows of the queries above, read together with the rest of the catalog.
pub(super) struct Objects {
    triggers: Vec<Row>,
    rules: Vec<Row>,
    policies: Vec<Row>,
    views: Vec<Row>,
    sequences: Vec<Row>,
}

pub(super) async fn query_all(
    client: &Client,
    param: &[&(dyn ToSql + Sync)],
) -> Result<Objects, CatalogError> {
    let (triggers, rules, policies, views, sequences) = tokio::try_join!(
        query(client, "triggers", TRIGGERS, param),
        query(client, "rules", RULES, param),
        query(client, "policies", POLICIES, param),
        query(client, "views", VIEWS, param),
        query(client, "sequences", SEQUENCES, param),
    )?;
    Ok(Objects {
        triggers,
        rules,
        policies,
        views,
        sequences,
    })
}

impl Objects {
    /// Hangs triggers, rules and policies on their tables; returns the views and sequences,
    /// sorted by name.
    pub(super) fn add_to(
        self,
        tables: &mut BTreeMap<String, Table>,
    ) -> Result<(Vec<View>, Vec<Sequence>), CatalogError> {
        for (rows, what) in [
            (&self.triggers, "triggers"),
            (&self.rules, "rules"),
            (&self.policies, "policies"),
        ] {
            for row in rows {
                let table_name: String = get(row, 0, what)?;
                let Some(table) = tables.get_mut(&table_name) else {
                    continue; // created between the queries
                };
                let object = TableObject {
                    name: get(row, 1, what)?,
                    definition: get(row, 2, what)?,
                };
                match what {
                    "triggers" => table.triggers.push(object),
                    "rules" => table.rules.push(object),
                    _ => table.policies.push(object),
                }
            }
        }
        let mut views = self
            .views
            .iter()
            .map(|r| {
                Ok(View {
                    name: get(r, 0, "views")?,
                    materialized: get(r, 1, "views")?,
                    definition: get(r, 2, "views")?,
                })
            })
            .collect::<Result<Vec<_>, CatalogError>>()?;
        views.sort_by(|a, b| a.name.cmp(&b.name));
        let mut sequences = self
            .sequences
            .iter()
            .map(|r| {
                Ok(Sequence {
                    name: get(r, 0, "sequences")?,
                    owned_by: get(r, 1, "sequences")?,
                })
            })
            .collect::<Result<Vec<_>, CatalogError>>()?;
        sequences.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((views, sequences))
    }
}
