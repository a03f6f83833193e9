//! Reading one schema's catalog from `pg_catalog`.
//!
//! One query per kind of object, all sent at once: tokio-postgres pipelines queries issued
//! concurrently on one connection, so the whole read costs about one round trip.

use super::types::{
    Catalog, Column, Constraint, ConstraintKind, EnumType, FkAction, ForeignKey, Index, IndexKey,
    Table,
};
use super::CatalogError;
use std::collections::BTreeMap;
use tokio_postgres::{Client, Row};

const SCHEMA_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)";

const EXTENSIONS: &str = "SELECT extname::text FROM pg_extension ORDER BY extname";

// An enum may have no labels at all, hence the LEFT JOIN and the FILTER.
const ENUMS: &str = "
SELECT t.typname::text,
       coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
                FILTER (WHERE e.enumlabel IS NOT NULL), '{}')
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = $1 AND t.typtype = 'e'
GROUP BY t.typname";

// LEFT JOIN so that a table without columns still appears (with one all-NULL row). A
// collation is named only when it is not the type's own; the table's flags repeat per row.
// pg_attrdef holds a generated column's expression too: it is told apart (`attgenerated`)
// so that it is never read as a default.
const COLUMNS: &str = "
SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       CASE WHEN a.attcollation <> ty.typcollation THEN co.collname::text END,
       c.relpersistence = 'u', c.relrowsecurity, c.relforcerowsecurity,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum";

// NOT NULL is read from pg_attribute; servers from 18 on also list it as contype 'n', which
// is left out so that catalogs from different server versions stay comparable.
const CONSTRAINTS: &str = "
SELECT cl.relname::text, k.conname::text, k.contype, pg_get_constraintdef(k.oid),
       ARRAY(SELECT a.attname::text
             FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
             ORDER BY u.ord),
       CASE WHEN rc.oid IS NULL THEN NULL
            WHEN rn.nspname = n.nspname THEN rc.relname::text
            ELSE rn.nspname || '.' || rc.relname END,
       ARRAY(SELECT a.attname::text
             FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
             ORDER BY u.ord),
       k.confdeltype, k.confupdtype, k.convalidated, k.condeferrable, k.condeferred
FROM pg_constraint k
JOIN pg_class cl ON cl.oid = k.conrelid
JOIN pg_namespace n ON n.oid = cl.relnamespace
LEFT JOIN pg_class rc ON rc.oid = k.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname = $1 AND cl.relkind IN ('r', 'p') AND k.contype <> 'n'";

// Key columns by name when they are plain columns (so names need no unquoting), by
// expression text otherwise. A key's operator class is named only when it is not the
// default one for its type (''), then the INCLUDE columns, which are no part of the key. A foreign key's conindid points at the referenced table's index,
// so only constraints of the indexed table itself count as the index's owner.
const INDEXES: &str = "
SELECT t.relname::text, ic.relname::text, pg_get_indexdef(i.indexrelid), i.indisunique,
       i.indisprimary,
       EXISTS (SELECT 1 FROM pg_constraint k
               WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                 AND k.contype IN ('p', 'u', 'x')),
       am.amname::text,
       ARRAY(SELECT CASE WHEN i.indkey[k - 1] <> 0
                         THEN (SELECT a.attname::text FROM pg_attribute a
                               WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1])
                         ELSE pg_get_indexdef(i.indexrelid, k, true) END
             FROM generate_series(1, i.indnkeyatts::int) AS k ORDER BY k),
       ARRAY(SELECT i.indoption[k - 1]
             FROM generate_series(1, i.indnkeyatts::int) AS k ORDER BY k),
       pg_get_expr(i.indpred, i.indrelid), i.indisvalid,
       ARRAY(SELECT CASE WHEN oc.opcdefault THEN '' ELSE oc.opcname::text END
             FROM generate_series(1, i.indnkeyatts::int) AS k
             JOIN pg_opclass oc ON oc.oid = i.indclass[k - 1] ORDER BY k),
       ARRAY(SELECT a.attname::text
             FROM generate_series(i.indnkeyatts + 1, i.indnatts::int) AS k
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
             ORDER BY k)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')";

/// `indoption` bits (see `pg_index.h`).
const INDOPTION_DESC: i16 = 0x0001;
const INDOPTION_NULLS_FIRST: i16 = 0x0002;

/// Reads the catalog of `schema_name` (usually `public`) from a live database.
///
/// Extensions are listed database-wide; everything else is limited to the one schema, so the
/// migration runner's ledger (a schema of its own) never shows up in `public`.
pub async fn read(client: &Client, schema_name: &str) -> Result<Catalog, CatalogError> {
    let param: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&schema_name];
    let (exists, extensions, enums, columns, constraints, indexes, objects) = tokio::try_join!(
        query(client, "the schema", SCHEMA_EXISTS, &param),
        query(client, "extensions", EXTENSIONS, &[]),
        query(client, "enum types", ENUMS, &param),
        query(client, "columns", COLUMNS, &param),
        query(client, "constraints", CONSTRAINTS, &param),
        query(client, "indexes", INDEXES, &param),
        super::read_objects::query_all(client, &param),
    )?;
    let schema_exists: bool = match exists.first() {
        Some(row) => get(row, 0, "the schema")?,
        None => false,
    };
    if !schema_exists {
        return Err(CatalogError::SchemaNotFound {
            schema: schema_name.to_string(),
        });
    }

    let mut tables = tables_from_columns(&columns)?;
    add_constraints(&mut tables, &constraints)?;
    add_indexes(&mut tables, &indexes)?;
    let (views, sequences) = objects.add_to(&mut tables)?;

    let mut catalog = Catalog {
        schema: schema_name.to_string(),
        extensions: extensions
            .iter()
            .map(|r| get(r, 0, "extensions"))
            .collect::<Result<_, _>>()?,
        enums: enums
            .iter()
            .map(|r| {
                Ok(EnumType {
                    name: get(r, 0, "enum types")?,
                    labels: get(r, 1, "enum types")?,
                })
            })
            .collect::<Result<_, CatalogError>>()?,
        tables: tables.into_values().collect(),
        views,
        sequences,
    };
    // Sorted here rather than by ORDER BY, so the order never depends on a collation.
    catalog.extensions.sort();
    catalog.enums.sort_by(|a, b| a.name.cmp(&b.name));
    for table in &mut catalog.tables {
        table.constraints.sort_by(|a, b| a.name.cmp(&b.name));
        table.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        for objects in [&mut table.policies, &mut table.triggers, &mut table.rules] {
            objects.sort_by(|a, b| a.name.cmp(&b.name));
        }
    }
    Ok(catalog)
}

pub(super) async fn query(
    client: &Client,
    what: &'static str,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<Row>, CatalogError> {
    client
        .query(sql, params)
        .await
        .map_err(|source| CatalogError::Query { what, source })
}

pub(super) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    idx: usize,
    what: &'static str,
) -> Result<T, CatalogError> {
    row.try_get(idx)
        .map_err(|source| CatalogError::Query { what, source })
}

fn tables_from_columns(rows: &[Row]) -> Result<BTreeMap<String, Table>, CatalogError> {
    let mut tables = BTreeMap::new();
    for row in rows {
        let table_name: String = get(row, 0, "columns")?;
        let table = tables.entry(table_name.clone()).or_insert_with(|| Table {
            name: table_name,
            columns: Vec::new(),
            constraints: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
            unlogged: false,
            row_security: false,
            force_row_security: false,
            policies: Vec::new(),
            triggers: Vec::new(),
            rules: Vec::new(),
        });
        table.unlogged = get(row, 6, "columns")?;
        table.row_security = get(row, 7, "columns")?;
        table.force_row_security = get(row, 8, "columns")?;
        // Rows arrive in attnum order (ORDER BY), which is the column order we keep.
        if let Some(name) = get::<Option<String>>(row, 1, "columns")? {
            table.columns.push(Column {
                name,
                data_type: get(row, 2, "columns")?,
                not_null: get(row, 3, "columns")?,
                default: get(row, 4, "columns")?,
                collation: get(row, 5, "columns")?,
                generated: get(row, 9, "columns")?,
            });
        }
    }
    Ok(tables)
}

fn add_constraints(tables: &mut BTreeMap<String, Table>, rows: &[Row]) -> Result<(), CatalogError> {
    const WHAT: &str = "constraints";
    for row in rows {
        let table_name: String = get(row, 0, WHAT)?;
        let Some(table) = tables.get_mut(&table_name) else {
            continue; // created between the queries
        };
        let name: String = get(row, 1, WHAT)?;
        let kind = ConstraintKind::from_code(get(row, 2, WHAT)?);
        let columns: Vec<String> = get(row, 4, WHAT)?;
        if kind == ConstraintKind::ForeignKey {
            let action = |idx: usize| -> Result<FkAction, CatalogError> {
                let code: i8 = get(row, idx, WHAT)?;
                FkAction::from_code(code).ok_or_else(|| CatalogError::Unexpected {
                    what: format!(
                        "referential action code `{}` on foreign key `{name}`",
                        code as u8 as char
                    ),
                })
            };
            table.foreign_keys.push(ForeignKey {
                name: name.clone(),
                columns: columns.clone(),
                referenced_table: get::<Option<String>>(row, 5, WHAT)?.unwrap_or_default(),
                referenced_columns: get(row, 6, WHAT)?,
                on_delete: action(7)?,
                on_update: action(8)?,
            });
        }
        table.constraints.push(Constraint {
            name,
            kind,
            definition: get(row, 3, WHAT)?,
            columns,
            validated: get(row, 9, WHAT)?,
            deferrable: get(row, 10, WHAT)?,
            initially_deferred: get(row, 11, WHAT)?,
        });
    }
    Ok(())
}

fn add_indexes(tables: &mut BTreeMap<String, Table>, rows: &[Row]) -> Result<(), CatalogError> {
    const WHAT: &str = "indexes";
    for row in rows {
        let table_name: String = get(row, 0, WHAT)?;
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        let exprs: Vec<String> = get(row, 7, WHAT)?;
        let options: Vec<i16> = get(row, 8, WHAT)?;
        let opclasses: Vec<String> = get(row, 11, WHAT)?;
        let columns = exprs
            .into_iter()
            .zip(options.into_iter().chain(std::iter::repeat(0)))
            .zip(
                opclasses
                    .into_iter()
                    .chain(std::iter::repeat(String::new())),
            )
            .map(|((expr, option), opclass)| IndexKey {
                expr,
                desc: option & INDOPTION_DESC != 0,
                nulls_first: option & INDOPTION_NULLS_FIRST != 0,
                opclass: (!opclass.is_empty()).then_some(opclass),
            })
            .collect();
        table.indexes.push(Index {
            name: get(row, 1, WHAT)?,
            definition: get(row, 2, WHAT)?,
            unique: get(row, 3, WHAT)?,
            primary: get(row, 4, WHAT)?,
            backs_constraint: get(row, 5, WHAT)?,
            method: get(row, 6, WHAT)?,
            columns,
            predicate: get(row, 9, WHAT)?,
            valid: get(row, 10, WHAT)?,
            include: get(row, 12, WHAT)?,
        });
    }
    Ok(())
}
