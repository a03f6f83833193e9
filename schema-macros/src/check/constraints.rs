//! The rules about the struct's constraints: unique constraints, checks and foreign keys
//! over several columns.

use super::{check_columns_exist, check_length, Table};
use crate::attr::OnDelete;
use crate::ctxt::Ctxt;
use schema_rules::rules;

/// A key over several columns names them, the referenced struct and as many of its columns,
/// and what happens ON DELETE.
pub(super) fn check_composite_foreign_keys(cx: &Ctxt, table: &Table) {
    for fk in table.foreign_keys.iter().filter(|fk| !fk.malformed) {
        if fk.columns.len() < 2 {
            cx.error_at(
                fk.span,
                "on the struct, #[foreign_key] lists two or more columns: \
                 `columns(a, b), references = Target(x, y)`; for a one-column key put \
                 #[foreign_key] on the field",
            );
        }
        match &fk.target {
            None => cx.error_at(
                fk.span,
                "name the referenced struct and its columns: `references = OrderLine(order_id, line)`",
            ),
            Some(target) if fk.target_columns.len() != fk.columns.len() => cx.error_spanned_by(
                target,
                format!(
                    "the key has {} columns but references {}; list one referenced column per column",
                    fk.columns.len(),
                    fk.target_columns.len()
                ),
            ),
            Some(_) => {}
        }
        check_columns_exist(cx, table, &fk.columns, "foreign key");
        if fk.on_delete.is_none() {
            cx.error_at(
                fk.span,
                format!(
                    "this foreign key of `{}` does not say what happens ON DELETE: add \
                     `on_delete = <action>`, one of: {}",
                    table.name.value,
                    OnDelete::KEYWORDS
                ),
            );
        }
        for (action, span) in [fk.on_delete, fk.on_update].into_iter().flatten() {
            if action != OnDelete::SetDefault {
                continue;
            }
            let without_default = fk
                .columns
                .iter()
                .filter_map(|c| table.field_by_rust_name(c))
                .find(|f| f.default.is_none() && f.default_sql.is_none());
            if let Some(field) = without_default {
                if let Some(violation) =
                    rules::set_default(&table.name.value, &field.column.value, false)
                {
                    cx.error_at(span, violation);
                }
            }
        }
        if let Some(name) = &fk.name {
            check_length(cx, name, "foreign key constraint");
        }
    }
}

/// A unique constraint lists existing columns; a check has its name and its SQL.
pub(super) fn check_constraints(cx: &Ctxt, table: &Table) {
    for unique in table.uniques.iter().filter(|u| !u.malformed) {
        if unique.columns.is_empty() {
            cx.error_at(
                unique.span,
                "list the columns that are unique together: #[unique(on(a, b))]",
            );
        }
        check_columns_exist(cx, table, &unique.columns, "unique constraint");
    }
    for check in table.checks.iter().filter(|c| !c.malformed) {
        if check.name.is_none() {
            cx.error_at(
                check.span,
                "give the check constraint its name, e.g. \
                 #[check(name = \"products_price_positive\", sql = \"(price > (0)::numeric)\")]",
            );
        }
        match &check.sql {
            None => cx.error_at(
                check.span,
                "write the check's expression as PostgreSQL prints it: \
                 `sql = \"(price > (0)::numeric)\"`",
            ),
            Some(lit) if lit.value().trim().is_empty() => {
                cx.error_at(lit.span(), "the check's expression is empty")
            }
            Some(_) => {}
        }
    }
}
