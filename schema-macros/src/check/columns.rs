//! The rules about one column's keys: which go together, what `sql_type` allows, a text
//! default that fits its varchar, and the timestamps without time zone marked on purpose.

use super::{Field, Table};
use crate::attr::{DefaultValue, Generation};
use crate::ctxt::Ctxt;
use schema_rules::rules;
use schema_rules::types::{is_without_time_zone, varchar_length};
use syn::ext::IdentExt;
use syn::Type;

/// A string default longer than its `varchar(N)` would fail when the migration runs. (Other
/// defaults are checked against the field's type by the compiler, in the generated code.)
pub(super) fn check_text_defaults_fit(cx: &Ctxt, table: &Table) {
    for field in &table.fields {
        let length = match (&field.varchar, &field.sql_type) {
            (Some(varchar), _) => varchar.length,
            (None, Some(sql_type)) => varchar_length(&sql_type.canonical),
            (None, None) => None,
        };
        let (Some(n), Some(DefaultValue::Str(lit))) = (length, &field.default) else {
            continue;
        };
        if lit.value().chars().count() > n as usize {
            let sql_type = format!("varchar({n})");
            let violation = rules::Violation::DefaultType {
                table: &*table.name.value,
                column: &*field.column.value,
                sql_type: &*sql_type,
            };
            cx.error_at(lit.span(), violation);
        }
    }
}

/// The keys of one column that cannot go together, and the ones that need a certain type
/// the macro can read from `sql_type`.
pub(super) fn check_column_forms(cx: &Ctxt, table: &Table) {
    for field in &table.fields {
        if let (Some(_), Some(lit)) = (&field.default, &field.default_sql) {
            cx.error_at(
                lit.span(),
                "a column has one default: keep `default` or `default_sql`, not both",
            );
        }
        if let Some(lit) = &field.default_sql {
            check_default_sql_form(cx, lit);
        }
        let has_default = field.default.is_some() || field.default_sql.is_some();
        if let Some((generation, span)) = field.generation {
            let what = match generation {
                Generation::Serial => "`serial` gives the column its default, nextval(..)",
                Generation::Identity(_) => "an identity column has no default",
            };
            if has_default {
                cx.error_at(span, format!("{what}: remove `default`/`default_sql`"));
            }
            if field.generated.is_some() {
                cx.error_at(
                    span,
                    "a generated column is computed, not numbered: remove `serial`/`identity` \
                     or `generated`",
                );
            }
            if let Some(sql_type) = &field.sql_type {
                if !matches!(
                    sql_type.canonical.as_str(),
                    "smallint" | "integer" | "bigint"
                ) {
                    cx.error_at(
                        sql_type.lit.span(),
                        format!(
                            "`serial` and `identity` need an integer column (smallint, integer, \
                             bigint), not `{}`",
                            sql_type.canonical
                        ),
                    );
                }
            }
        }
        if let Some(lit) = &field.generated {
            if has_default {
                cx.error_at(
                    lit.span(),
                    "a generated column has no default: remove `default`/`default_sql` or \
                     `generated`",
                );
            }
        }
        let in_key = field.primary_key.is_some()
            || table
                .composite_key
                .as_ref()
                .is_some_and(|k| k.columns.iter().any(|c| c.unraw() == field.ident.unraw()));
        if field.sql_type.is_some() && in_key && field.is_option() {
            cx.error_spanned_by(
                &field.ty,
                "a primary key column is NOT NULL: declare the field without `Option<_>`",
            );
        }
        if let (Some(varchar), Some(sql_type)) = (&field.varchar, &field.sql_type) {
            cx.error_at(
                varchar.span,
                format!(
                    "the column's type is already `sql_type = \"{}\"`: remove `varchar`",
                    sql_type.lit.value()
                ),
            );
        }
    }
}

/// A `default_sql` the catalog reads back as one of the typed defaults must be written as
/// that one, or `verify` would see two different defaults.
fn check_default_sql_form(cx: &Ctxt, lit: &syn::LitStr) {
    let text = lit.value();
    let typed = match text.as_str() {
        "" => {
            cx.error_at(
                lit.span(),
                "`default_sql` is empty; write the default's SQL",
            );
            return;
        }
        "now()" => "`default = now`",
        "true" | "false" => "`default = true` or `default = false`",
        t if t.parse::<i64>().is_ok() => "`default = <integer>`",
        _ => return,
    };
    cx.error_at(
        lit.span(),
        format!("`{text}` is a default the macro spells itself: write {typed} instead"),
    );
}

/// Postgres's `timestamp` (without time zone) silently drops the offset of what is stored;
/// a column of that type says so on purpose, with `without_time_zone`. What the macro cannot
/// see (a type alias) is checked by the compiler, in the generated code.
pub(super) fn check_timestamps_have_time_zone(cx: &Ctxt, table: &Table) {
    for field in &table.fields {
        match (&field.sql_type, field.without_time_zone) {
            (Some(sql_type), marked) => {
                let naive = is_without_time_zone(&sql_type.canonical);
                if naive && marked.is_none() {
                    cx.error_at(
                        sql_type.lit.span(),
                        unmarked(table, field, &sql_type.canonical),
                    );
                } else if let (false, Some(span)) = (naive, marked) {
                    cx.error_at(span, misplaced(table, field, &sql_type.canonical));
                }
            }
            (None, None) => {
                if let Some(naive) = find_naive_timestamp(&field.ty) {
                    let sql_type = if naive == "NaiveTime" {
                        "time without time zone"
                    } else {
                        "timestamp without time zone"
                    };
                    cx.error_spanned_by(naive, unmarked(table, field, sql_type));
                }
            }
            (None, Some(_)) => {}
        }
    }
}

fn unmarked(table: &Table, field: &Field, sql_type: &str) -> rules::Violation<String> {
    rules::Violation::WithoutTimeZoneUnmarked {
        table: table.name.value.clone(),
        column: field.column.value.clone(),
        sql_type: sql_type.to_string(),
    }
}

fn misplaced(table: &Table, field: &Field, sql_type: &str) -> rules::Violation<String> {
    rules::Violation::WithoutTimeZoneMisplaced {
        table: table.name.value.clone(),
        column: field.column.value.clone(),
        sql_type: sql_type.to_string(),
    }
}

fn find_naive_timestamp(ty: &Type) -> Option<&syn::Ident> {
    let Type::Path(path) = ty else { return None };
    for segment in &path.path.segments {
        if segment.ident == "NaiveDateTime"
            || segment.ident == "PrimitiveDateTime"
            || segment.ident == "NaiveTime"
        {
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
