//! Reading one schema of a live database into the model: the queries (`read_query`), then
//! the rows normalized into a [`Schema`] (`read_tables` for the tables, `spelling` for the
//! types and defaults), so that a database and the code compare as two values of one type.

use super::read_query::{get, query_all, Rows};
use super::read_tables::tables;
use super::CatalogError;
use crate::model::{EnumDef, Name, Schema, SequenceDef, TableObjectDef, ViewDef};
use std::borrow::Cow;
use tokio_postgres::Client;

/// Installed in every database by `CREATE DATABASE` (from template1): never part of a schema.
const BUILT_IN_EXTENSIONS: [&str; 1] = ["plpgsql"];

/// Tables other migration tools keep their history in: never part of the application's schema,
/// so `verify`, `adopt` and `pull` leave them out (`pull` lists them).
pub const BOOKKEEPING_TABLES: &[&str] = &[
    "_prisma_migrations",
    "flyway_schema_history",
    "schema_migrations",
    "ar_internal_metadata",
    "knex_migrations",
    "knex_migrations_lock",
    "__drizzle_migrations",
    "__diesel_schema_migrations",
    "_sqlx_migrations",
    "refinery_schema_history",
    "seaql_migrations",
];

/// Reads the schema `schema_name` (usually `public`) of a live database into the model,
/// without other tools' [`BOOKKEEPING_TABLES`].
///
/// Every list is sorted by name (columns excepted: they keep the table's column order), so
/// two databases built the same way read `==` however their objects' oids differ.
/// Extensions are listed database-wide; everything else is limited to the one schema, so the
/// migration runner's ledger (a schema of its own) never shows up in `public`.
pub async fn read(client: &Client, schema_name: &str) -> Result<Schema, CatalogError> {
    let mut schema = read_with_bookkeeping(client, schema_name).await?;
    schema.tables = schema
        .tables
        .iter()
        .filter(|t| !is_bookkeeping(&t.name))
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let privileges = &mut schema.privileges;
    privileges.grants = privileges
        .grants
        .iter()
        .filter(|g| !is_bookkeeping(&g.table))
        .cloned()
        .collect::<Vec<_>>()
        .into();
    privileges.table_owners = privileges
        .table_owners
        .iter()
        .filter(|o| !is_bookkeeping(&o.table))
        .cloned()
        .collect::<Vec<_>>()
        .into();
    Ok(schema)
}

/// Whether `table` is one of other tools' [`BOOKKEEPING_TABLES`].
pub fn is_bookkeeping(table: &str) -> bool {
    BOOKKEEPING_TABLES.contains(&table)
}

/// [`read`], other tools' bookkeeping tables included.
pub async fn read_with_bookkeeping(
    client: &Client,
    schema_name: &str,
) -> Result<Schema, CatalogError> {
    let rows = query_all(client, schema_name).await?;
    normalize(schema_name, &rows)
}

fn normalize(schema_name: &str, rows: &Rows) -> Result<Schema, CatalogError> {
    let mut enums = rows
        .enums
        .iter()
        .map(|r| {
            let labels: Vec<String> = get(r, 1, "enum types")?;
            Ok(EnumDef {
                name: get::<String>(r, 0, "enum types")?.into(),
                labels: labels
                    .into_iter()
                    .map(Name::from)
                    .collect::<Vec<_>>()
                    .into(),
                renamed_from: None,
                renamed_labels: Cow::Borrowed(&[]),
            })
        })
        .collect::<Result<Vec<_>, CatalogError>>()?;
    // Sorted here rather than by ORDER BY, so the order never depends on a collation.
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    let mut extensions = rows
        .extensions
        .iter()
        .map(|r| get::<String>(r, 0, "extensions"))
        .filter(|e| {
            !e.as_ref()
                .is_ok_and(|e| BUILT_IN_EXTENSIONS.contains(&e.as_str()))
        })
        .map(|e| e.map(Name::from))
        .collect::<Result<Vec<_>, _>>()?;
    extensions.sort();
    let mut views = rows
        .views
        .iter()
        .map(|r| {
            Ok(ViewDef {
                name: get::<String>(r, 0, "views")?.into(),
                materialized: get(r, 1, "views")?,
                definition: get::<String>(r, 2, "views")?.trim().to_string().into(),
                indexes: (get::<Vec<String>>(r, 3, "views")?.into_iter())
                    .map(Name::from)
                    .collect::<Vec<_>>()
                    .into(),
            })
        })
        .collect::<Result<Vec<_>, CatalogError>>()?;
    views.sort_by(|a, b| a.name.cmp(&b.name));
    // A sequence owned by a column goes with that column.
    let mut sequences = Vec::new();
    for r in &rows.sequences {
        if get::<Option<String>>(r, 1, "sequences")?.is_none() {
            sequences.push(SequenceDef {
                name: get::<String>(r, 0, "sequences")?.into(),
                definition: get::<Option<String>>(r, 2, "sequences")?.map(Into::into),
            });
        }
    }
    sequences.sort_by(|a, b| a.name.cmp(&b.name));
    let objects = |rows: &[tokio_postgres::Row], what: &'static str| {
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(TableObjectDef {
                    name: get::<String>(r, 0, what)?.into(),
                    definition: get::<String>(r, 1, what)?.trim().to_string().into(),
                })
            })
            .collect::<Result<Vec<_>, CatalogError>>()?;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok::<_, CatalogError>(out)
    };
    Ok(Schema {
        pg_schema: schema_name.to_string().into(),
        enums: enums.into(),
        tables: tables(schema_name, rows)?.into(),
        extensions: extensions.into(),
        views: views.into(),
        sequences: sequences.into(),
        functions: objects(&rows.functions, "functions")?.into(),
        domains: objects(&rows.domains, "domains")?.into(),
        event_triggers: objects(&rows.event_triggers, "event triggers")?.into(),
        privileges: super::read_privileges::privileges(rows)?,
    })
}
