//! What the schema language cannot express yet, found in a schema read from a database: each
//! object named, with what it holds, so that a team sees what stands between its database and
//! code before anything is written.

use crate::model::{ColumnDef, ConstraintKind, ForeignKeyDef, IndexDef, Schema, SqlType, TableDef};

/// The extension the migrations install themselves (for `gen_random_uuid()` before
/// PostgreSQL 13); any other is the database's own.
const OWN_EXTENSION: &str = "pgcrypto";

/// One line per object the code cannot express, empty when the whole schema can be written.
pub(super) fn inexpressible(schema: &Schema) -> Vec<String> {
    // Extensions, views, free sequences, functions, domains and event triggers are carried
    // (see `super::carried`), not refused.
    let mut out = Vec::new();
    for t in schema.tables.iter() {
        table(schema, t, &mut out);
    }
    out
}

/// The lines for one table (`count` groups them by table).
pub(super) fn table(schema: &Schema, t: &TableDef, out: &mut Vec<String>) {
    let name = &t.name;
    if t.primary_key_index.is_some() || t.primary_key_deferrable.is_some() {
        out.push(format!(
            "table `{name}`: primary key with INCLUDE, an operator class or DEFERRABLE"
        ));
    }
    for c in t.constraints.iter() {
        // Only a check can be written `not_valid` (PostgreSQL validates a unique
        // constraint as it builds its index).
        let expressible = c.deferrable.is_none()
            && match c.kind {
                ConstraintKind::Unique => {
                    !c.not_valid && crate::sql::unique_key(&c.definition).is_some()
                }
                ConstraintKind::Check => super::code::check_expression(&c.definition).is_some(),
                _ => false,
            };
        if !expressible {
            out.push(format!(
                "table `{name}`: constraint `{}` ({}{}{})",
                c.name,
                c.definition,
                if c.deferrable.is_some() {
                    " DEFERRABLE"
                } else {
                    ""
                },
                if c.not_valid { " NOT VALID" } else { "" }
            ));
        }
    }
    if let Some((parent, _)) = t.partition_of() {
        if schema
            .table(&parent)
            .is_none_or(|p| p.partition_key().is_none())
        {
            out.push(format!(
                "table `{name}`: partition of `{parent}`, not a partitioned table of the schema"
            ));
        }
    }
    // Triggers, rules, policies, row-level security, a replica identity and UNLOGGED are
    // carried, not refused.
    for c in t.columns.iter() {
        column(schema, t, c, out);
    }
    for fk in t.foreign_keys.iter() {
        foreign_key(schema, t, fk, out);
    }
    for index in t.indexes.iter() {
        self::index(t, index, out);
    }
}

fn column(schema: &Schema, t: &TableDef, c: &ColumnDef, out: &mut Vec<String>) {
    let at = format!("`{}.{}`", t.name, c.name);
    let integer = matches!(
        c.sql_type,
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt
    );
    if let SqlType::Other(ty) = &c.sql_type {
        // A domain of the schema, or a type of an extension, is made by the carried migration
        // before the tables.
        let base = ty.trim_end_matches("[]");
        let carried = schema.domains.iter().any(|d| d.name == base)
            || schema.extensions.iter().any(|e| e != OWN_EXTENSION);
        if !schema_rules::types::is_built_in(ty) && !carried {
            out.push(format!(
                "{at}: type {ty} (a composite type, or one of another schema: the migrations do \
                 not make it)"
            ));
        }
    }
    if c.identity.is_some() && !integer {
        out.push(format!("{at}: identity on a column that is not an integer"));
    }
}

fn foreign_key(schema: &Schema, t: &TableDef, fk: &ForeignKeyDef, out: &mut Vec<String>) {
    let at = format!(
        "table `{}`: foreign key `{}`",
        t.name,
        fk.constraint_name(&t.name)
    );
    if schema.table(&fk.references_table).is_none() {
        out.push(format!(
            "{at}: references `{}`, outside the schema",
            fk.references_table
        ));
    }
    if fk.deferrable.is_some() {
        out.push(format!("{at}: DEFERRABLE"));
    }
}

fn index(t: &TableDef, index: &IndexDef, out: &mut Vec<String>) {
    if index.invalid {
        out.push(format!(
            "table `{}`: index `{}`: INVALID (a failed concurrent build)",
            t.name, index.name
        ));
    }
}
