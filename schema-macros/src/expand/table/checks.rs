//! The facts about a field the macro cannot see alone, checked by the compiler: trait bounds
//! spanned at the tokens they are about, and rules evaluated in constants.

use super::{column_sql_type, resolve_self, Table};
use crate::ast::Field;
use crate::attr::{DefaultValue, OnDelete};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

/// The facts about a field the macro cannot see alone, each checked by a call spanned at
/// the token it is about.
pub(super) fn field_checks(table: &Table, field: &Field) -> TokenStream {
    let ty = &field.ty;
    let mut bounds = Vec::new();
    let mut consts = Vec::new();
    let (table_name, column) = (&table.name.value, &field.column.value);
    let in_composite_key = table
        .composite_key
        .as_ref()
        .is_some_and(|k| k.columns.iter().any(|c| c.unraw() == field.ident.unraw()));
    // With `sql_type` the Rust type needs no `ColumnType`; what it would tell is read from
    // the attribute by the macro's own checks.
    let typed = field.sql_type.is_none();
    if typed && (field.primary_key.is_some() || in_composite_key) {
        // Postgres makes key columns NOT NULL whatever is written; the descriptor must agree.
        bounds.push(quote_spanned!(ty.span()=> __p::require_not_null::<#ty>();));
    }
    if field.primary_key.as_ref().is_some_and(|pk| pk.is_uuid()) {
        bounds.push(quote_spanned!(ty.span()=> __p::require_uuid_primary_key::<#ty>();));
    }
    if let (true, Some((_, span))) = (typed, field.generation) {
        bounds.push(quote_spanned!(span=> __p::require_serial::<#ty>();));
    }
    if let Some(varchar) = field.varchar {
        let span = varchar.span;
        bounds.push(quote_spanned!(span=> __p::require_text::<#ty>();));
    }
    let rule = match field.without_time_zone {
        Some(span) => Some((span, quote!(without_time_zone_misplaced))),
        // A type alias can hide a timestamp without time zone from the macro's own check.
        None if !is_known_zoned_or_other(ty) => {
            Some((ty.span(), quote!(without_time_zone_unmarked)))
        }
        None => None,
    };
    if let (true, Some((span, rule))) = (typed, rule) {
        consts.push(compile_time_check(
            span,
            quote!(__p::#rule(#table_name, #column, TYPE)),
            Some(field),
        ));
    }
    match &field.default {
        Some(DefaultValue::Now(span)) => {
            bounds.push(quote_spanned!(*span=> __p::require_timestamp::<#ty>();));
        }
        Some(DefaultValue::Bool(_, span)) => {
            bounds.push(quote_spanned!(*span=> __p::require_bool::<#ty>();));
        }
        Some(DefaultValue::Float(_, span)) => {
            bounds.push(quote_spanned!(*span=> __p::require_float::<#ty>();));
        }
        Some(DefaultValue::Int(value, span)) => {
            consts.push(compile_time_check(
                *span,
                quote!(__p::int_default::<#ty>(#table_name, #column, #value, TYPE)),
                Some(field),
            ));
        }
        Some(DefaultValue::Str(lit)) => {
            consts.push(compile_time_check(
                lit.span(),
                quote!(__p::string_default_label::<#ty>(#table_name, #column, #lit, TYPE)),
                Some(field),
            ));
        }
        None => {}
    }
    if let Some(fk) = &field.foreign_key {
        if let Some(path) = &fk.references {
            let path = resolve_self(table, path);
            bounds.push(quote_spanned!(ty.span()=>
                #path.__require_foreign_key::<#ty>();));
            // The referenced table's name is known only through the path, so the derived
            // name's length is checked by the compiler, in a constant (a name given is
            // checked by the macro).
            if fk.name.is_none() {
                consts.push(compile_time_check(
                    path.span(),
                    quote!(__p::rules::foreign_key_name(
                        #table_name, #column, #path.table(), #path.name()
                    )),
                    None,
                ));
            }
        }
        for (action, span) in [fk.on_delete, fk.on_update].into_iter().flatten() {
            if action == OnDelete::SetNull {
                bounds.push(quote_spanned!(span=> __p::require_nullable::<#ty>();));
            }
        }
    }
    let bounds = (!bounds.is_empty()).then(|| quote!(const _: fn() = || { #(#bounds)* };));
    quote! {
        #bounds
        #(#consts)*
    }
}

/// Whether the type is, by its name, one of the column types that is no timestamp or time
/// without time zone (or `Option` of one): no need for the compiler to look.
fn is_known_zoned_or_other(ty: &syn::Type) -> bool {
    const KNOWN: &[&str] = &[
        "Uuid",
        "String",
        "bool",
        "i16",
        "i32",
        "i64",
        "f32",
        "f64",
        "DateTime",
        "Value",
        "Json",
        "NaiveDate",
        "IpAddr",
        "Decimal",
        "IpInet",
        "IpCidr",
        "MacAddress",
    ];
    let syn::Type::Path(path) = ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident == "Option" {
        if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
            if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                return is_known_zoned_or_other(inner);
            }
        }
        return false;
    }
    KNOWN.iter().any(|known| last.ident == known)
}

/// A rule the compiler evaluates: `check` is an `Option<Violation>`, and a violation stops the
/// build with its message, at `span`. The panic is in the caller's own constant, so the error
/// shows the message rather than the engine's code. With `column`, `check` may name
/// `TYPE`, the column's `SqlType` (a constant, as a value with a destructor cannot be borrowed
/// in a constant expression otherwise).
pub(super) fn compile_time_check(
    span: Span,
    check: TokenStream,
    column: Option<&Field>,
) -> TokenStream {
    let type_const = column.map(|field| {
        let sql_type = column_sql_type(field);
        quote!(const TYPE: &__p::SqlType = &#sql_type;)
    });
    quote_spanned!(span=> const _: () = {
        #type_const
        if let ::std::option::Option::Some(violation) = #check {
            ::std::panic!("{}", __p::Message::of(violation.pieces()).as_str())
        }
    };)
}
