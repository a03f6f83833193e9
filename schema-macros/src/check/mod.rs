//! The rules a table or enum must follow that the macro can see by itself. Rules that need
//! the types of other items (a UUID key, a foreign key's type, a nullable SET NULL column,
//! a default that fits its column) are left to trait bounds in the generated code.
//!
//! The rooms: this file (keys, indexes, names and their lengths), `columns` (the keys of one
//! column), `constraints` (unique, check and multi-column foreign keys on the struct).

mod columns;
mod constraints;

use crate::ast::{Enum, Field, Table};
use crate::attr::{Generation, IndexKey, Name, OnDelete};
use crate::ctxt::Ctxt;
use columns::{check_column_forms, check_text_defaults_fit, check_timestamps_have_time_zone};
use constraints::{check_composite_foreign_keys, check_constraints};
use schema_rules::{names, rules};
use std::collections::HashMap;
use syn::ext::IdentExt;

pub fn check_table(cx: &Ctxt, table: &Table) {
    check_primary_key(cx, table);
    check_column_forms(cx, table);
    check_text_defaults_fit(cx, table);
    check_timestamps_have_time_zone(cx, table);
    check_foreign_keys_state_on_delete(cx, table);
    check_index_columns_exist(cx, table);
    check_constraints(cx, table);
    check_composite_foreign_keys(cx, table);
    check_duplicate_names(cx, table);
    check_table_identifier_lengths(cx, table);
    check_no_system_column_names(cx, table);
}

pub fn check_enum(cx: &Ctxt, item: &Enum) {
    check_enum_labels(cx, item);
    check_enum_name_is_not_a_builtin_type(cx, item);
}

/// A system column name would make CREATE TABLE fail (42701).
fn check_no_system_column_names(cx: &Ctxt, table: &Table) {
    for field in &table.fields {
        if let Some(violation) = rules::column_name(&table.name.value, &field.column.value) {
            cx.error_at(field.column.span, violation);
        }
    }
}

/// A column declared with an enum named like a built-in type would get the built-in type.
fn check_enum_name_is_not_a_builtin_type(cx: &Ctxt, item: &Enum) {
    if let Some(violation) = rules::enum_name(&item.name.value) {
        cx.error_at(item.name.span, violation);
    }
}

/// A table without a key cannot be referenced or updated safely, and a second way of
/// declaring the key would leave it ambiguous which one is meant.
fn check_primary_key(cx: &Ctxt, table: &Table) {
    let marked: Vec<_> = table
        .fields
        .iter()
        .filter_map(|f| f.primary_key.as_ref().map(|m| (f, m)))
        .collect();
    if let Some(span) = table.no_primary_key {
        let declared = marked
            .first()
            .map(|(_, m)| m.span)
            .or(table.composite_key.as_ref().map(|k| k.span));
        if declared.is_some() {
            cx.error_at(
                span,
                "`no_primary_key` says this table has no key, but it declares one; \
                 remove `no_primary_key` or the #[primary_key]",
            );
        }
        return;
    }
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
                 `#[primary_key(serial)]` or `#[primary_key(identity)]` on an integer, \
                 or `#[primary_key(a, b)]` on the struct for a composite key; \
                 or, for a table that has none on purpose, `#[table(no_primary_key)]`",
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
        if marker.is_uuid() {
            if let Some(default) = &field.default {
                cx.error_at(
                    default.span(),
                    "the UUID primary key's default, gen_random_uuid(), is implicit: remove `default`",
                );
            }
            if let Some(lit) = &field.default_sql {
                cx.error_at(
                    lit.span(),
                    "the UUID primary key's default, gen_random_uuid(), is implicit: remove \
                     `default_sql`, or mark the key `#[primary_key(natural)]`",
                );
            }
        }
    }
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
        let has_default = field.default.is_some()
            || field.default_sql.is_some()
            || matches!(field.generation, Some((Generation::Serial, _)));
        for (action, span) in [fk.on_delete, fk.on_update].into_iter().flatten() {
            if action != OnDelete::SetDefault {
                continue;
            }
            if let Some(violation) =
                rules::set_default(&table.name.value, &field.column.value, has_default)
            {
                cx.error_at(span, violation);
            }
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
            let IndexKey::Column(ident) = &column.key else {
                continue;
            };
            if table.field_by_rust_name(ident).is_none() {
                cx.error_spanned_by(ident, unknown_column(table, ident));
            } else if seen.contains(&ident) {
                cx.error_spanned_by(ident, format!("`{ident}` is listed twice in this index"));
            }
            seen.push(ident);
        }
        check_columns_exist(cx, table, &index.include, "INCLUDE list");
        if let Some(lit) = &index.predicate {
            if lit.value().trim().is_empty() {
                cx.error_at(
                    lit.span(),
                    "the predicate is empty; write its SQL or remove it",
                );
            }
        }
    }
}

/// Each column of a list names a field, once.
fn check_columns_exist(cx: &Ctxt, table: &Table, columns: &[syn::Ident], list: &str) {
    let mut seen = Vec::new();
    for column in columns {
        if table.field_by_rust_name(column).is_none() {
            cx.error_spanned_by(column, unknown_column(table, column));
        } else if seen.contains(&column) {
            cx.error_spanned_by(column, format!("`{column}` is listed twice in this {list}"));
        }
        seen.push(column);
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
    let owner = ("table", &*table.name.value);
    report_duplicates(cx, table.fields.iter().map(|f| &f.column), "column", owner);
    let indexes = || table.indexes.iter().filter_map(|i| i.name.as_ref());
    report_duplicates(cx, indexes(), "index", owner);
    // Constraint names are unique within a table, and a unique constraint's index takes the
    // constraint's name, in one namespace with the indexes.
    let constraints = table.constraints();
    let constraint_names: Vec<Name> = constraints
        .iter()
        .map(|c| Name {
            value: c.name.clone(),
            span: c.span,
        })
        .collect();
    report_duplicates(cx, constraint_names.iter(), "constraint", owner);
    for constraint in constraints.iter().filter(|c| c.unique) {
        if indexes().any(|index| index.value == constraint.name) {
            let violation = rules::Violation::Duplicate {
                kind: "index",
                name: &*constraint.name,
                owner_kind: "table",
                owner: &*table.name.value,
            };
            cx.error_at(constraint.span, violation);
        }
    }
    // Indexes share one namespace with tables and key constraints.
    let key = primary_key_name(table).map(|(name, _)| name);
    for index in indexes() {
        let is_key = key.as_deref() == Some(&*index.value);
        if let Some(violation) = rules::index_name(&table.name.value, &index.value, is_key) {
            cx.error_at(index.span, violation);
        }
    }
}

fn check_enum_labels(cx: &Ctxt, item: &Enum) {
    let owner = ("enum type", &*item.name.value);
    report_duplicates(cx, item.variants.iter().map(|v| &v.label), "label", owner);
    check_length(cx, &item.name, "enum type");
    if let Some(old) = &item.renamed_from {
        check_length(cx, old, "enum type");
    }
    for variant in &item.variants {
        // Labels are limited like identifiers (NAMEDATALEN - 1), but Postgres refuses
        // longer ones instead of truncating; they are refused earlier here.
        check_length(cx, &variant.label, "enum label");
    }
}

fn report_duplicates<'a>(
    cx: &Ctxt,
    names: impl Iterator<Item = &'a Name>,
    kind: &'static str,
    (owner_kind, owner): (&'static str, &str),
) {
    let mut seen: HashMap<&str, &Name> = HashMap::new();
    for name in names {
        if seen.insert(&name.value, name).is_some() {
            let violation = rules::Violation::Duplicate {
                kind,
                name: &*name.value,
                owner_kind,
                owner,
            };
            cx.error_at(name.span, violation);
        }
    }
}

/// The derived primary key constraint name and the span of the key's declaration.
fn primary_key_name(table: &Table) -> Option<(String, proc_macro2::Span)> {
    let explicit = table
        .composite_key
        .as_ref()
        .and_then(|k| k.name.as_ref())
        .or_else(|| {
            table
                .fields
                .iter()
                .find_map(|f| f.primary_key.as_ref().and_then(|m| m.name.as_ref()))
        });
    if let Some(name) = explicit {
        return Some((name.value.clone(), name.span));
    }
    match &table.composite_key {
        Some(key) => {
            let columns = key
                .columns
                .iter()
                .filter_map(|column| table.field_by_rust_name(column))
                .map(|field| &*field.column.value);
            let name = names::composite_primary_key(&table.name.value, columns);
            Some((name, key.span))
        }
        None => table
            .fields
            .iter()
            .find_map(|f| f.primary_key.as_ref())
            .map(|marker| (names::primary_key(&table.name.value), marker.span)),
    }
}

/// Postgres truncates identifiers longer than 63 bytes without an error, so two long names
/// could silently become one; the derived constraint names count too.
fn check_table_identifier_lengths(cx: &Ctxt, table: &Table) {
    check_length(cx, &table.name, "table");
    for field in &table.fields {
        check_length(cx, &field.column, "column");
    }
    for index in &table.indexes {
        if let Some(name) = &index.name {
            check_length(cx, name, "index");
        }
    }
    if let Some((name, span)) = primary_key_name(table) {
        if let Some(violation) = rules::identifier("primary key constraint", &name) {
            cx.error_at(span, violation);
        }
    }
    for constraint in table.constraints() {
        let kind = if constraint.unique {
            "unique constraint"
        } else {
            "check constraint"
        };
        if let Some(violation) = rules::identifier(kind, &constraint.name) {
            cx.error_at(constraint.span, violation);
        }
    }
    for field in &table.fields {
        if let Some(name) = field.foreign_key.as_ref().and_then(|fk| fk.name.as_ref()) {
            check_length(cx, name, "foreign key constraint");
        }
    }
}

fn check_length(cx: &Ctxt, name: &Name, kind: &'static str) {
    if let Some(violation) = rules::identifier(kind, &name.value) {
        cx.error_at(name.span, violation);
    }
}
