//! The first stage of reading a catalog: the queries, one per kind of object, and their rows.
//!
//! All are sent at once: tokio-postgres pipelines queries issued concurrently on one
//! connection, so the whole read costs about one round trip.

use super::CatalogError;
use tokio_postgres::types::ToSql;
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
// An enum type of the schema itself is named unquoted, so no spelling needs parsing.
// pg_attrdef holds a generated column's expression too: it is told apart (`attgenerated`)
// so that it is never read as a default.
const COLUMNS: &str = "
SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       CASE WHEN a.attcollation <> ty.typcollation THEN co.collname::text END,
       c.relpersistence = 'u', c.relrowsecurity, c.relforcerowsecurity,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
       CASE WHEN ty.typtype = 'e' AND tn.nspname = n.nspname THEN ty.typname::text END,
       a.attidentity::text,
       CASE WHEN c.relkind = 'p' THEN 'PARTITION BY ' || pg_get_partkeydef(c.oid)
            WHEN c.relispartition THEN
                'PARTITION OF ' || (SELECT quote_ident(p.relname) FROM pg_inherits i
                                    JOIN pg_class p ON p.oid = i.inhparent
                                    WHERE i.inhrelid = c.oid LIMIT 1)
                || ' ' || pg_get_expr(c.relpartbound, c.oid) END,
       CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING'
            WHEN 'i' THEN 'USING INDEX ' || (SELECT quote_ident(ic.relname) FROM pg_index i
                                             JOIN pg_class ic ON ic.oid = i.indexrelid
                                             WHERE i.indrelid = c.oid AND i.indisreplident
                                             LIMIT 1) END,
       array_to_string(c.reloptions, ', '), obj_description(c.oid, 'pg_class'),
       col_description(c.oid, a.attnum)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_namespace tn ON tn.oid = ty.typnamespace
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
// default one for its type (''), then the INCLUDE columns, which are no part of the key,
// and which keys are expressions. A foreign key's conindid points at the referenced table's
// index, so only constraints of the indexed table itself count as the index's owner. The
// key positions come from `unnest .. WITH ORDINALITY`, which the planner expects to give a
// few rows: `generate_series` over a column is costed at a thousand, which on a large schema
// priced the query over the JIT threshold and spent more time compiling it than running it.
const INDEXES: &str = "
SELECT t.relname::text, ic.relname::text, pg_get_indexdef(i.indexrelid), i.indisunique,
       i.indisprimary,
       EXISTS (SELECT 1 FROM pg_constraint k
               WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                 AND k.contype IN ('p', 'u', 'x')),
       am.amname::text,
       ARRAY(SELECT CASE WHEN u.attnum <> 0
                         THEN (SELECT a.attname::text FROM pg_attribute a
                               WHERE a.attrelid = i.indrelid AND a.attnum = u.attnum)
                         ELSE pg_get_indexdef(i.indexrelid, u.k::int, true) END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u(attnum, k)
             WHERE u.k <= i.indnkeyatts ORDER BY u.k),
       ARRAY(SELECT u.option FROM unnest(i.indoption::int2[]) WITH ORDINALITY AS u(option, k)
             WHERE u.k <= i.indnkeyatts ORDER BY u.k),
       pg_get_expr(i.indpred, i.indrelid), i.indisvalid,
       ARRAY(SELECT CASE WHEN oc.opcdefault THEN '' ELSE oc.opcname::text END
             FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS u(class, k)
             JOIN pg_opclass oc ON oc.oid = u.class
             WHERE u.k <= i.indnkeyatts ORDER BY u.k),
       ARRAY(SELECT a.attname::text
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u(attnum, k)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.attnum
             WHERE u.k > i.indnkeyatts ORDER BY u.k),
       ARRAY(SELECT u.attnum = 0 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u(attnum, k)
             WHERE u.k <= i.indnkeyatts ORDER BY u.k)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = $1 AND t.relkind IN ('r', 'p')";

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
                 'USING (' || qual || ')', 'WITH CHECK (' || with_check || ')')
FROM pg_policies
WHERE schemaname = $1";

const VIEWS: &str = "
SELECT c.relname::text, c.relkind = 'm', pg_get_viewdef(c.oid),
       ARRAY(SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x WHERE x.indrelid = c.oid
             ORDER BY 1)
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
        LIMIT 1),
       'AS ' || format_type(s.seqtypid, NULL) || ' START WITH ' || s.seqstart
       || ' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin
       || ' MAXVALUE ' || s.seqmax || ' CACHE ' || s.seqcache
       || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
WHERE n.nspname = $1 AND c.relkind = 'S'";

// An extension's own functions and types (pgcrypto's) belong to the extension. An aggregate
// has no `pg_get_functiondef`: its `CREATE AGGREGATE` is built from `pg_aggregate`.
const FUNCTIONS: &str = "
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       CASE WHEN p.prokind = 'a' THEN
           'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
           || '(' || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = '
           || a.aggtransfn::regproc::text || ', STYPE = ' || format_type(a.aggtranstype, NULL)
           || coalesce(', FINALFUNC = ' || nullif(a.aggfinalfn, 0)::regproc::text, '')
           || coalesce(', INITCOND = ' || quote_literal(a.agginitval), '') || ')'
       ELSE pg_get_functiondef(p.oid) END
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
WHERE n.nspname = $1
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')";

const DOMAINS: &str = "
SELECT t.typname::text,
       format_type(t.typbasetype, t.typtypmod)
       || coalesce(' DEFAULT ' || t.typdefault, '')
       || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
       || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(k.conname) || ' '
                                      || pg_get_constraintdef(k.oid), '' ORDER BY k.conname)
                    FROM pg_constraint k WHERE k.contypid = t.oid), '')
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = $1 AND t.typtype = 'd'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')";

// Event triggers belong to the database, not to a schema.
const EVENT_TRIGGERS: &str = "
SELECT e.evtname::text, 'ON ' || e.evtevent || ' EXECUTE FUNCTION ' || e.evtfoid::regproc::text
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
                  AND d.objid = e.oid AND d.deptype = 'e')";

// Each table's owner, and per grantee (0 is PUBLIC) the privileges granted by anyone, the
// owner's own left out: one row per table without grants (grantee NULL). `all` says the
// grantee has every privilege the server knows for a table (acldefault lists the owner's).
const PRIVILEGES: &str = "
SELECT c.relname::text, pg_get_userbyid(c.relowner)::text,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END,
       coalesce(array_agg(DISTINCT a.privilege_type::text)
                FILTER (WHERE a.privilege_type IS NOT NULL), '{}'),
       count(DISTINCT a.privilege_type)
           = (SELECT count(*) FROM aclexplode(acldefault('r', c.relowner)))
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL aclexplode(c.relacl) a ON a.grantee <> c.relowner
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
GROUP BY c.relname, c.relowner, a.grantee";

// The role that runs the migrations owns their ledger: the tables' expected owner.
const LEDGER_OWNER: &str = "
SELECT pg_get_userbyid(c.relowner)::text
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'schema_migrations' AND c.relname = 'ledger'";

/// The rows of every query above, for one schema.
pub(super) struct Rows {
    pub(super) extensions: Vec<Row>,
    pub(super) enums: Vec<Row>,
    pub(super) columns: Vec<Row>,
    pub(super) constraints: Vec<Row>,
    pub(super) indexes: Vec<Row>,
    pub(super) triggers: Vec<Row>,
    pub(super) rules: Vec<Row>,
    pub(super) policies: Vec<Row>,
    pub(super) views: Vec<Row>,
    pub(super) sequences: Vec<Row>,
    pub(super) functions: Vec<Row>,
    pub(super) domains: Vec<Row>,
    pub(super) event_triggers: Vec<Row>,
    pub(super) privileges: Vec<Row>,
    pub(super) ledger_owner: Vec<Row>,
}

/// Runs every query for `schema_name`; fails with [`CatalogError::SchemaNotFound`] when the
/// database has no such schema.
pub(super) async fn query_all(client: &Client, schema_name: &str) -> Result<Rows, CatalogError> {
    let param: [&(dyn ToSql + Sync); 1] = [&schema_name];
    let param = &param[..];
    let (
        exists,
        extensions,
        enums,
        columns,
        constraints,
        indexes,
        triggers,
        rules,
        policies,
        views,
        sequences,
        functions,
        domains,
        event_triggers,
        privileges,
        ledger_owner,
    ) = tokio::try_join!(
        query(client, "the schema", SCHEMA_EXISTS, param),
        query(client, "extensions", EXTENSIONS, &[]),
        query(client, "enum types", ENUMS, param),
        query(client, "columns", COLUMNS, param),
        query(client, "constraints", CONSTRAINTS, param),
        query(client, "indexes", INDEXES, param),
        query(client, "triggers", TRIGGERS, param),
        query(client, "rules", RULES, param),
        query(client, "policies", POLICIES, param),
        query(client, "views", VIEWS, param),
        query(client, "sequences", SEQUENCES, param),
        query(client, "functions", FUNCTIONS, param),
        query(client, "domains", DOMAINS, param),
        query(client, "event triggers", EVENT_TRIGGERS, &[]),
        query(client, "privileges", PRIVILEGES, param),
        query(client, "the ledger's owner", LEDGER_OWNER, &[]),
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
    Ok(Rows {
        extensions,
        enums,
        columns,
        constraints,
        indexes,
        triggers,
        rules,
        policies,
        views,
        sequences,
        functions,
        domains,
        event_triggers,
        privileges,
        ledger_owner,
    })
}

async fn query(
    client: &Client,
    what: &'static str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, CatalogError> {
    client
        .query(sql, params)
        .await
        .map_err(|source| CatalogError::Query { what, source })
}

/// Column `idx` of a row of the `what` query.
pub(super) fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    idx: usize,
    what: &'static str,
) -> Result<T, CatalogError> {
    row.try_get(idx)
        .map_err(|source| CatalogError::Query { what, source })
}
