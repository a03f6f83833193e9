//! What the schema language cannot express yet, found in a schema read from a database: each
//! object named, with what it holds, so that a team sees what stands between its database and
//! code before anything is written.

use crate::model::{
    ColumnDef, ColumnDefault, ForeignKeyDef, IndexDef, PrimaryKey, Schema, SqlType, TableDef,
};

/// The extension the migrations install themselves (for `gen_random_uuid()` before
/// PostgreSQL 13); any other is the database's own.
const OWN_EXTENSION: &str = "pgcrypto";

/// One line per object the code cannot express, empty when the whole schema can be written.
pub(super) fn inexpressible(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for e in schema.extensions.iter().filter(|e| *e != OWN_EXTENSION) {
        out.push(format!("extension `{e}`"));
    }
    for v in schema.views.iter() {
        let kind = if v.materialized {
            "materialized view"
        } else {
            "view"
        };
        out.push(format!("{kind} `{}`", v.name));
    }
    for s in schema.sequences.iter() {
        out.push(format!("sequence `{}` (owned by no column)", s.name));
    }
    for t in schema.tables.iter() {
        table(t, &mut out);
    }
    out
}

/// The lines for one table (`count` groups them by table).
pub(super) fn table(t: &TableDef, out: &mut Vec<String>) {
    let name = &t.name;
    if matches!(&t.primary_key, PrimaryKey::Composite(c) if c.is_empty()) {
        out.push(format!("table `{name}` has no primary key"));
    }
    if let Some(pk) = &t.primary_key_name {
        out.push(format!("table `{name}`: primary key named `{pk}`"));
    }
    if t.primary_key_index.is_some() || t.primary_key_deferrable.is_some() {
        out.push(format!(
            "table `{name}`: primary key with INCLUDE, an operator class or DEFERRABLE"
        ));
    }
    for c in t.constraints.iter() {
        out.push(format!(
            "table `{name}`: constraint `{}` ({})",
            c.name, c.definition
        ));
    }
    for (what, set) in [
        ("UNLOGGED", t.unlogged),
        ("row-level security", t.row_security || t.force_row_security),
    ] {
        if set {
            out.push(format!("table `{name}`: {what}"));
        }
    }
    for (kind, objects) in [
        ("policy", &t.policies),
        ("trigger", &t.triggers),
        ("rule", &t.rules),
    ] {
        for o in objects.iter() {
            out.push(format!("table `{name}`: {kind} `{}`", o.name));
        }
    }
    for c in t.columns.iter() {
        column(t, c, out);
    }
    for fk in t.foreign_keys.iter() {
        foreign_key(t, fk, out);
    }
    for index in t.indexes.iter() {
        self::index(t, index, out);
    }
}

fn column(t: &TableDef, c: &ColumnDef, out: &mut Vec<String>) {
    let at = format!("`{}.{}`", t.name, c.name);
    if let SqlType::Other(ty) = &c.sql_type {
        out.push(format!("{at}: type {ty}"));
    }
    match &c.default {
        Some(ColumnDefault::Expr(e)) => out.push(format!("{at}: default {e}")),
        Some(ColumnDefault::GenRandomUuid) if !matches!(&t.primary_key, PrimaryKey::Column(k) if *k == c.name) => {
            out.push(format!(
                "{at}: default gen_random_uuid() on a column that is not the key"
            ))
        }
        _ => {}
    }
    if let Some(collation) = &c.collation {
        out.push(format!("{at}: collation {collation}"));
    }
    if let Some(expression) = &c.generated {
        out.push(format!("{at}: generated as {expression}"));
    }
    if let PrimaryKey::Column(key) = &t.primary_key {
        let uuid_key =
            c.sql_type == SqlType::Uuid && matches!(c.default, Some(ColumnDefault::GenRandomUuid));
        if *key == c.name && !uuid_key && c.default.is_some() {
            out.push(format!(
                "{at}: a key with a default that is not gen_random_uuid()"
            ));
        }
    }
}

fn foreign_key(t: &TableDef, fk: &ForeignKeyDef, out: &mut Vec<String>) {
    let at = format!(
        "table `{}`: foreign key `{}`",
        t.name,
        fk.constraint_name(&t.name)
    );
    if fk.name.is_some() {
        out.push(format!("{at}: a name other than the derived one"));
    }
    if !fk.more_columns.is_empty() {
        out.push(format!("{at}: several columns"));
    }
    if fk.on_update != crate::model::OnDelete::NoAction {
        out.push(format!("{at}: ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.not_valid || fk.deferrable.is_some() {
        out.push(format!("{at}: NOT VALID or DEFERRABLE"));
    }
}

fn index(t: &TableDef, index: &IndexDef, out: &mut Vec<String>) {
    let at = format!("table `{}`: index `{}`", t.name, index.name);
    if let Some(method) = &index.method {
        out.push(format!("{at}: USING {method}"));
    }
    if let Some(predicate) = &index.predicate {
        out.push(format!("{at}: WHERE {predicate}"));
    }
    if !index.include.is_empty() {
        out.push(format!("{at}: INCLUDE columns"));
    }
    if index.invalid {
        out.push(format!("{at}: INVALID (a failed concurrent build)"));
    }
    for key in index.columns.iter() {
        if key.expression {
            out.push(format!("{at}: expression key {}", key.name));
        }
        if let Some(opclass) = &key.opclass {
            out.push(format!("{at}: operator class {opclass}"));
        }
    }
}
