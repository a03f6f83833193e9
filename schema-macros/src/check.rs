//! The rules a table or enum must follow that the macro can see by itself. Rules that need
//! the types of other items (a UUID key, a foreign key's type, a nullable SET NULL column,
//! a default that fits its column) are left to trait bounds in the generated code.

use crate::ast::{Enum, Name, OnDelete, Table};
use crate::ctxt::Ctxt;
use std::collections::HashMap;
use syn::ext::IdentExt;
use syn::Type;

/// PostgreSQL's identifier limit (NAMEDATALEN - 1).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

pub fn check_table(cx: &Ctxt, table: &Table) {
    check_primary_key(cx, table);
    check_timestamps_have_time_zone(cx, table);
    check_foreign_keys_state_on_delete(cx, table);
    check_index_columns_exist(cx, table);
    check_duplicate_names(cx, table);
    check_table_identifier_lengths(cx, table);
    check_no_system_column_names(cx, table);
}

pub fn check_enum(cx: &Ctxt, item: &Enum) {
    check_enum_labels(cx, item);
    check_enum_name_is_not_a_builtin_type(cx, item);
}

/// Every table already has these columns; CREATE TABLE with one of them fails (42701).
pub const SYSTEM_COLUMNS: &[&str] = &["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"];

fn check_no_system_column_names(cx: &Ctxt, table: &Table) {
    for field in &table.fields {
        if SYSTEM_COLUMNS.contains(&field.column.value.as_str()) {
            cx.error_at(
                field.column.span,
                format!(
                    "`{}` is a system column PostgreSQL gives every table, so CREATE TABLE \
                     would fail; name the column otherwise, e.g. \
                     #[column(name = \"{}_value\")]",
                    field.column.value, field.column.value
                ),
            );
        }
    }
}

/// Type names of `pg_catalog` (and their SQL spellings) that an unqualified column type would
/// resolve to before an enum of the same name in `public`: the column would silently get the
/// built-in type.
pub const BUILTIN_TYPES: &[&str] = &[
    "bigint",
    "bigserial",
    "bit",
    "bool",
    "boolean",
    "box",
    "bpchar",
    "bytea",
    "char",
    "character",
    "cidr",
    "circle",
    "date",
    "decimal",
    "float4",
    "float8",
    "inet",
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "oid",
    "path",
    "pg_lsn",
    "point",
    "polygon",
    "real",
    "record",
    "regclass",
    "regtype",
    "serial",
    "smallint",
    "smallserial",
    "text",
    "tid",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "tsquery",
    "tsvector",
    "txid_snapshot",
    "uuid",
    "varbit",
    "varchar",
    "void",
    "xid",
    "xml",
];

fn check_enum_name_is_not_a_builtin_type(cx: &Ctxt, item: &Enum) {
    let name = item.name.value.as_str();
    if BUILTIN_TYPES.contains(&name) || name.starts_with("pg_") {
        cx.error_at(
            item.name.span,
            format!(
                "the enum type `{name}` would be shadowed by PostgreSQL's built-in type of that \
                 name: a column declared with it would get the built-in type; name it \
                 otherwise, e.g. #[pg_enum(name = \"{name}_kind\")]"
            ),
        );
    }
}

/// A table without a key cannot be referenced or updated safely, and a second way of
/// declaring the key would leave it ambiguous which one is meant.
fn check_primary_key(cx: &Ctxt, table: &Table) {
    let marked: Vec<_> = table
        .fields
        .iter()
        .filter_map(|f| f.primary_key.map(|m| (f, m)))
        .collect();
    if let Some(composite) = &table.composite_key {
        if let Some((_, marker)) = marked.first() {
            cx.error_at(
                marker.span,
                "this table already has #[primary_key(..)] on the struct; \
                 remove one of the two (one key per table)",
            );
        }
        if composite.columns.len() < 2 {
            cx.error_at(
                composite.span,
                "a composite primary key lists two or more columns; \
                 for a one-column key put #[primary_key] on the field",
            );
        }
        let mut seen = Vec::new();
        for column in &composite.columns {
            if table.field_by_rust_name(column).is_none() {
                cx.error_spanned_by(column, unknown_column(table, column));
            } else if seen.contains(&column) {
                cx.error_spanned_by(column, format!("`{column}` is listed twice in the key"));
            }
            seen.push(column);
        }
        return;
    }
    match marked.as_slice() {
        [] => cx.error_spanned_by(
            &table.ident,
            format!(
                "table `{}` has no primary key: add `#[primary_key] id: Uuid` \
                 (default gen_random_uuid()), `#[primary_key(natural)]` on a natural key, \
                 or `#[primary_key(a, b)]` on the struct for a composite key",
                table.name.value
            ),
        ),
        [_] => {}
        [_, rest @ ..] => {
            for (_, marker) in rest {
                cx.error_at(
                    marker.span,
                    "a table has one primary key; for a key over several columns write \
                     #[primary_key(a, b)] on the struct instead",
                );
            }
        }
    }
    if let Some((field, marker)) = marked.first() {
        if !marker.natural {
            if let Some(default) = &field.default {
                cx.error_at(
                    default.span(),
                    "the UUID primary key's default, gen_random_uuid(), is implicit: remove `default`",
                );
            }
        }
    }
}

/// Postgres's `timestamp` (without time zone) silently drops the offset of what is stored;
/// every instant is a `timestamptz` here.
fn check_timestamps_have_time_zone(cx: &Ctxt, table: &Table) {
    for field in &table.fields {
        if let Some(naive) = find_naive_timestamp(&field.ty) {
            cx.error_spanned_by(
                naive,
                format!(
                    "`{naive}` maps to timestamp without time zone; \
                     use DateTime<Utc> (timestamp with time zone)"
                ),
            );
        }
    }
}

fn find_naive_timestamp(ty: &Type) -> Option<&syn::Ident> {
    let Type::Path(path) = ty else { return None };
    for segment in &path.path.segments {
        if segment.ident == "NaiveDateTime" || segment.ident == "PrimitiveDateTime" {
            return Some(&segment.ident);
        }
        if let syn::PathArguments::AngleBracketed(args) = &segment.arguments {
            for arg in &args.args {
                if let syn::GenericArgument::Type(inner) = arg {
                    if let Some(found) = find_naive_timestamp(inner) {
                        return Some(found);
                    }
                }
            }
        }
    }
    None
}

/// Postgres defaults to NO ACTION silently; what happens to child rows is a decision that
/// must be visible in the code.
fn check_foreign_keys_state_on_delete(cx: &Ctxt, table: &Table) {
    for field in &table.fields {
        let Some(fk) = field.foreign_key.as_ref().filter(|fk| !fk.malformed) else {
            continue;
        };
        match &fk.references {
            None => cx.error_at(
                fk.span,
                "name the referenced column: #[foreign_key(references = User::id, on_delete = cascade)]",
            ),
            Some(path) if path.segments.len() < 2 => cx.error_spanned_by(
                path,
                "write the referenced column as `Struct::column`, e.g. `references = User::id`",
            ),
            Some(_) => {}
        }
        if fk.on_delete.is_none() {
            cx.error_at(
                fk.span,
                format!(
                    "foreign key `{}.{}` does not say what happens ON DELETE: add \
                     `on_delete = <action>`, one of: {}",
                    table.name.value,
                    field.column.value,
                    OnDelete::KEYWORDS
                ),
            );
        }
    }
}

/// An index on a column that does not exist would fail only when the migration runs.
fn check_index_columns_exist(cx: &Ctxt, table: &Table) {
    for index in &table.indexes {
        if index.malformed {
            continue;
        }
        if index.name.is_none() {
            cx.error_at(
                index.span,
                "give the index its name, e.g. `name = \"questions_slug_uq\"`: index names are part of the schema",
            );
        }
        if index.columns.is_empty() {
            cx.error_at(
                index.span,
                "list the indexed columns in order: `on(user_id, created_at(desc))`",
            );
        }
        let mut seen = Vec::new();
        for column in &index.columns {
            if table.field_by_rust_name(&column.ident).is_none() {
                cx.error_spanned_by(&column.ident, unknown_column(table, &column.ident));
            } else if seen.contains(&&column.ident) {
                cx.error_spanned_by(
                    &column.ident,
                    format!("`{}` is listed twice in this index", column.ident),
                );
            }
            seen.push(&column.ident);
        }
    }
}

fn unknown_column(table: &Table, column: &syn::Ident) -> String {
    let known: Vec<String> = table
        .fields
        .iter()
        .map(|f| f.ident.unraw().to_string())
        .collect();
    format!(
        "no field `{}` in this table; its fields are: {}",
        column.unraw(),
        known.join(", ")
    )
}

/// Two columns or indexes of one name would fail only when the migration runs.
fn check_duplicate_names(cx: &Ctxt, table: &Table) {
    report_duplicates(cx, table.fields.iter().map(|f| &f.column), "column");
    report_duplicates(
        cx,
        table.indexes.iter().filter_map(|i| i.name.as_ref()),
        "index",
    );
}

fn check_enum_labels(cx: &Ctxt, item: &Enum) {
    report_duplicates(cx, item.variants.iter().map(|v| &v.label), "label");
    check_length(cx, &item.name, "enum type name");
    if let Some(old) = &item.renamed_from {
        check_length(cx, old, "enum type name");
    }
    for variant in &item.variants {
        // Labels are limited like identifiers (NAMEDATALEN - 1), but Postgres refuses
        // longer ones instead of truncating; we refuse them earlier.
        check_length(cx, &variant.label, "enum label");
        if variant.label.value.is_empty() {
            cx.error_at(variant.label.span, "an enum label cannot be empty");
        }
    }
}

fn report_duplicates<'a>(cx: &Ctxt, names: impl Iterator<Item = &'a Name>, what: &str) {
    let mut seen: HashMap<&str, &Name> = HashMap::new();
    for name in names {
        if seen.insert(&name.value, name).is_some() {
            cx.error_at(
                name.span,
                format!(
                    "duplicate {what} name `{}`: each {what} needs a name of its own",
                    name.value
                ),
            );
        }
    }
}

/// Postgres truncates identifiers longer than 63 bytes without an error, so two long names
/// could silently become one; the derived constraint names count too.
fn check_table_identifier_lengths(cx: &Ctxt, table: &Table) {
    check_length(cx, &table.name, "table name");
    for field in &table.fields {
        check_length(cx, &field.column, "column name");
    }
    for index in &table.indexes {
        if let Some(name) = &index.name {
            check_length(cx, name, "index name");
        }
    }
    let derived_key = match &table.composite_key {
        Some(key) => {
            let mut name = table.name.value.clone();
            for column in &key.columns {
                if let Some(field) = table.field_by_rust_name(column) {
                    name.push('_');
                    name.push_str(&field.column.value);
                }
            }
            name.push_str("_pk");
            Some((name, key.span))
        }
        None => table
            .fields
            .iter()
            .find_map(|f| f.primary_key)
            .map(|marker| (format!("{}_pkey", table.name.value), marker.span)),
    };
    if let Some((name, span)) = derived_key {
        if name.len() > MAX_IDENTIFIER_BYTES {
            cx.error_at(
                span,
                format!(
                    "the primary key constraint name `{name}` is {} bytes, more than \
                     PostgreSQL's {MAX_IDENTIFIER_BYTES}: shorten the table or column names",
                    name.len()
                ),
            );
        }
    }
}

fn check_length(cx: &Ctxt, name: &Name, what: &str) {
    if name.value.is_empty() {
        cx.error_at(name.span, format!("the {what} cannot be empty"));
    } else if name.value.len() > MAX_IDENTIFIER_BYTES {
        cx.error_at(
            name.span,
            format!(
                "the {what} `{}` is {} bytes, more than PostgreSQL's {MAX_IDENTIFIER_BYTES} \
                 (it would be truncated silently): choose a shorter name",
                name.value,
                name.value.len()
            ),
        );
    }
}
