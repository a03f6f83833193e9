//! The keys of a table in generated code: its primary key (and the name kept for it), its
//! foreign keys, and the type checks of a foreign key over several columns.

use super::checks::compile_time_check;
use super::{column_name, opt_lit, opt_str, resolve_self, Table};
use crate::ast::Field;
use crate::attr::{CompositeForeignKey, OnDelete};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use schema_rules::names;
use syn::spanned::Spanned;

/// The primary key and its constraint's name, which is kept only when it is not the derived
/// one, as the catalog reader keeps it (a one-column key named `<table>_<column>_pk` reads
/// back as a composite key of one column).
pub(super) fn primary_key(table: &Table) -> (TokenStream, TokenStream) {
    let none = quote!(::core::option::Option::None);
    let composite = |columns: &[&str]| {
        quote!(__p::PrimaryKey::Composite(__p::Cow::Borrowed({
            const C: &[__p::Cow<'static, str>] = &[#(__p::Cow::Borrowed(#columns)),*];
            C
        })))
    };
    if table.no_primary_key.is_some() {
        return (composite(&[]), none);
    }
    let table_name = &table.name.value;
    if let Some(key) = &table.composite_key {
        let columns: Vec<&str> = key.columns.iter().map(|c| column_name(table, c)).collect();
        let derived = names::composite_primary_key(table_name, columns.iter().copied());
        let name = key.name.as_ref().map(|n| n.value.as_str());
        let name = opt_str(name.filter(|n| *n != derived));
        return (composite(&columns), name);
    }
    let Some(field) = table.fields.iter().find(|f| f.primary_key.is_some()) else {
        return (composite(&[]), none);
    };
    let column = field.column.value.as_str();
    let name = field.primary_key.as_ref().and_then(|pk| pk.name.as_ref());
    let one_column = quote!(__p::PrimaryKey::Column(__p::Cow::Borrowed(#column)));
    match name.map(|n| n.value.as_str()) {
        None => (one_column, none),
        Some(n) if n == names::primary_key(table_name) => (one_column, none),
        Some(n) if n == names::composite_primary_key(table_name, [column]) => {
            (composite(&[column]), none)
        }
        Some(n) => (one_column, opt_str(Some(n))),
    }
}

fn action(action: OnDelete) -> TokenStream {
    let variant = syn::Ident::new(action.variant(), Span::call_site());
    quote!(__p::OnDelete::#variant)
}

pub(super) fn foreign_key_def(table: &Table, field: &Field) -> Option<TokenStream> {
    let fk = field.foreign_key.as_ref()?;
    let path = resolve_self(table, fk.references.as_ref()?);
    let on_delete = action(fk.on_delete?.0);
    let on_update = action(fk.on_update.map_or(OnDelete::NoAction, |(a, _)| a));
    let name = opt_lit(fk.name.as_ref().map(|n| n.value.as_str()));
    let (table_name, column) = (&table.name.value, &field.column.value);
    let key = quote!(__p::foreign_key(
        #table_name,
        #column,
        #path.table(),
        #path.name(),
        #on_delete,
        #on_update,
        #name,
    ));
    Some(not_valid_key(key, fk.not_valid))
}

/// The key, marked `NOT VALID` when the attribute says so.
fn not_valid_key(key: TokenStream, not_valid: bool) -> TokenStream {
    if not_valid {
        quote!(__p::not_valid_foreign_key(#key))
    } else {
        key
    }
}

pub(super) fn composite_foreign_key_def(
    table: &Table,
    fk: &CompositeForeignKey,
) -> Option<TokenStream> {
    let target = resolve_self(table, fk.target.as_ref()?);
    let on_delete = action(fk.on_delete?.0);
    let on_update = action(fk.on_update.map_or(OnDelete::NoAction, |(a, _)| a));
    let name = opt_lit(fk.name.as_ref().map(|n| n.value.as_str()));
    let table_name = &table.name.value;
    let columns: Vec<&str> = fk.columns.iter().map(|c| column_name(table, c)).collect();
    let (column, more_columns) = columns.split_first()?;
    let (first, more_references) = fk.target_columns.split_first()?;
    let key = quote!(__p::composite_foreign_key(
        #table_name,
        #column,
        &[#(__p::Cow::Borrowed(#more_columns)),*],
        #target::#first.table(),
        #target::#first.name(),
        &[#(__p::Cow::Borrowed(#target::#more_references.name())),*],
        #on_delete,
        #on_update,
        #name,
    ));
    Some(not_valid_key(key, fk.not_valid))
}

/// Each column's type fits the column it references, checked at the column's name.
pub(super) fn composite_foreign_key_checks(table: &Table, fk: &CompositeForeignKey) -> TokenStream {
    let Some(target) = fk.target.as_ref().map(|t| resolve_self(table, t)) else {
        return quote!();
    };
    let mut bounds = Vec::new();
    for (column, referenced) in fk.columns.iter().zip(&fk.target_columns) {
        let Some(field) = table.field_by_rust_name(column) else {
            continue;
        };
        let ty = &field.ty;
        bounds.push(quote_spanned!(column.span()=>
            #target::#referenced.__require_foreign_key::<#ty>();));
        for (action, span) in [fk.on_delete, fk.on_update].into_iter().flatten() {
            if action == OnDelete::SetNull {
                bounds.push(quote_spanned!(span=> __p::require_nullable::<#ty>();));
            }
        }
    }
    let length = match (&fk.name, fk.columns.first(), fk.target_columns.first()) {
        (None, Some(column), Some(referenced)) => {
            let (table_name, column) = (&table.name.value, column_name(table, column));
            Some(compile_time_check(
                target.span(),
                quote!(__p::rules::foreign_key_name(
                    #table_name, #column, #target::#referenced.table(), #target::#referenced.name()
                )),
                None,
            ))
        }
        _ => None,
    };
    quote! {
        const _: fn() = || { #(#bounds)* };
        #length
    }
}
