//! Code generated for a `#[table]`: the column consts, the descriptor, `Table` (with
//! `from_row`), the trait-bound checks spanned at the tokens they are about, and the
//! registration that lets an unlisted table be noticed.

use crate::ast::{Field, Table};
use crate::attr::{DefaultValue, OnDelete};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::Path;

// The spelling every migration uses, so a column list spliced into a query names the
// columns a migration created.
use schema_rules::sql::quote_ident;

/// `Column` consts for every field: `User::email`. Emitted even when the table has errors,
/// so that foreign keys pointing at it still resolve and report nothing more.
pub fn column_consts(table: &Table) -> TokenStream {
    let krate = &table.krate;
    let ident = &table.ident;
    let vis = &table.vis;
    let table_name = &table.name.value;
    let consts = table.fields.iter().map(|field| {
        let name = &field.ident;
        let ty = &field.ty;
        let column = &field.column.value;
        let quoted = quote_ident(column);
        let doc = format!("The column `{table_name}.{column}`.");
        quote! {
            #[doc = #doc]
            #vis const #name: #krate::__private::Column<#ident, #ty> =
                #krate::__private::Column::new(#table_name, #column, #quoted);
        }
    });
    quote! {
        #[allow(non_upper_case_globals)]
        impl #ident {
            #(#consts)*
        }
    }
}

/// The descriptor, `Table`, the checks and the registration of a well-formed table.
pub fn expand(table: &Table) -> TokenStream {
    let krate = &table.krate;
    let ident = &table.ident;
    let table_name = &table.name.value;
    let renamed_from = opt_str(table.renamed_from.as_ref().map(|n| n.value.as_str()));
    let columns = table.fields.iter().map(column_def);
    let primary_key = primary_key(table);
    let foreign_keys = table
        .fields
        .iter()
        .filter_map(|f| foreign_key_def(table, f));
    let indexes = table.indexes.iter().map(|index| {
        let name = index.name.as_ref().map_or("", |n| n.value.as_str());
        let unique = index.unique;
        let cols = index.columns.iter().map(|c| {
            let column = column_name(table, &c.ident);
            let desc = c.desc;
            let nulls = match c.nulls_first {
                None => quote!(::core::option::Option::None),
                Some(true) => quote!(::core::option::Option::Some(__p::NullsOrder::First)),
                Some(false) => quote!(::core::option::Option::Some(__p::NullsOrder::Last)),
            };
            quote!(__p::IndexColumn {
                name: __p::Cow::Borrowed(#column),
                desc: #desc,
                nulls: #nulls,
                opclass: ::core::option::Option::None,
                expression: false,
            })
        });
        quote!(__p::IndexDef::new(
            __p::Cow::Borrowed(#name),
            #unique,
            __p::Cow::Borrowed({ const C: &[__p::IndexColumn] = &[#(#cols),*]; C }),
        ))
    });
    let column_list = table
        .fields
        .iter()
        .map(|f| quote_ident(&f.column.value))
        .collect::<Vec<_>>()
        .join(", ");
    let reads = table.fields.iter().map(|f| {
        let field = &f.ident;
        let column = &f.column.value;
        let rust_type = type_string(&f.ty);
        quote!(#field: __p::read_column(row, #table_name, #column, #rust_type)?)
    });
    let checks = table.fields.iter().map(|f| field_checks(table, f));
    let rust_name = ident.to_string();
    quote! {
        const _: () = {
            use #krate::__private as __p;

            impl __p::Table for #ident {
                const TABLE: __p::TableDef = __p::TableDef {
                    name: __p::Cow::Borrowed(#table_name),
                    columns: __p::Cow::Borrowed({ const C: &[__p::ColumnDef] = &[#(#columns),*]; C }),
                    primary_key: #primary_key,
                    foreign_keys: __p::Cow::Borrowed({ const C: &[__p::ForeignKeyDef] = &[#(#foreign_keys),*]; C }),
                    indexes: __p::Cow::Borrowed({ const C: &[__p::IndexDef] = &[#(#indexes),*]; C }),
                    renamed_from: #renamed_from,
                    ..__p::TableDef::BLANK
                };
                const COLUMN_LIST: &'static str = #column_list;

                fn from_row(row: &__p::Row) -> ::core::result::Result<Self, __p::RowError> {
                    ::core::result::Result::Ok(Self { #(#reads,)* })
                }
            }

            #(#checks)*

            __p::inventory::submit! {
                __p::TableRegistration {
                    table: #table_name,
                    rust_path: ::core::concat!(::core::module_path!(), "::", #rust_name),
                    definition: &<#ident as __p::Table>::TABLE,
                }
            }
        };
    }
}

/// Stand-ins emitted next to the errors of a malformed table, so that code using it reports
/// nothing more. Never run: the program does not compile.
pub fn stub(table: &Table) -> TokenStream {
    let krate = &table.krate;
    let ident = &table.ident;
    let table_name = &table.name.value;
    quote! {
        const _: () = {
            use #krate::__private as __p;
            impl __p::Table for #ident {
                const TABLE: __p::TableDef = __p::TableDef {
                    name: __p::Cow::Borrowed(#table_name),
                    columns: __p::Cow::Borrowed(&[]),
                    primary_key: __p::PrimaryKey::Composite(__p::Cow::Borrowed(&[])),
                    foreign_keys: __p::Cow::Borrowed(&[]),
                    indexes: __p::Cow::Borrowed(&[]),
                    renamed_from: ::core::option::Option::None,
                    ..__p::TableDef::BLANK
                };
                const COLUMN_LIST: &'static str = "";
                fn from_row(_: &__p::Row) -> ::core::result::Result<Self, __p::RowError> {
                    ::core::unreachable!()
                }
            }
        };
    }
}

fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(__p::Cow::Borrowed(#v))),
        None => quote!(::core::option::Option::None),
    }
}

fn column_name<'a>(table: &'a Table, ident: &syn::Ident) -> &'a str {
    table
        .field_by_rust_name(ident)
        .map_or("", |f| f.column.value.as_str())
}

fn column_def(field: &Field) -> TokenStream {
    let ty = &field.ty;
    let name = &field.column.value;
    let span = ty.span();
    let sql_type = match field.varchar {
        Some((n, _)) => quote!(__p::SqlType::Varchar(#n)),
        None => quote_spanned!(span=> <#ty as __p::ColumnType>::SQL_TYPE),
    };
    let nullable = quote_spanned!(span=> <#ty as __p::ColumnType>::NULLABLE);
    let default = match (&field.default, field.primary_key) {
        (_, Some(pk)) if !pk.natural => quote!(__p::ColumnDefault::GenRandomUuid),
        (None, _) => quote!(),
        (Some(DefaultValue::Now(_)), _) => quote!(__p::ColumnDefault::Now),
        (Some(DefaultValue::Bool(b, _)), _) => quote!(__p::ColumnDefault::Bool(#b)),
        (Some(DefaultValue::Int(i, _)), _) => quote!(__p::ColumnDefault::Int(#i)),
        (Some(DefaultValue::Float(text, _)), _) => {
            quote!(__p::ColumnDefault::Float(__p::Cow::Borrowed(#text)))
        }
        (Some(DefaultValue::Str(s)), _) => quote!(__p::string_default::<#ty>(#s)),
    };
    let default = if default.is_empty() {
        quote!(::core::option::Option::None)
    } else {
        quote!(::core::option::Option::Some(#default))
    };
    let renamed_from = opt_str(field.renamed_from.as_ref().map(|n| n.value.as_str()));
    quote!(__p::ColumnDef {
        name: __p::Cow::Borrowed(#name),
        sql_type: #sql_type,
        nullable: #nullable,
        default: #default,
        renamed_from: #renamed_from,
        collation: ::core::option::Option::None,
        generated: ::core::option::Option::None,
        identity: ::core::option::Option::None,
    })
}

fn primary_key(table: &Table) -> TokenStream {
    if let Some(key) = &table.composite_key {
        let columns = key.columns.iter().map(|c| column_name(table, c));
        return quote!(__p::PrimaryKey::Composite(__p::Cow::Borrowed({
            const C: &[__p::Cow<'static, str>] = &[#(__p::Cow::Borrowed(#columns)),*];
            C
        })));
    }
    let column = table
        .fields
        .iter()
        .find(|f| f.primary_key.is_some())
        .map_or("", |f| f.column.value.as_str());
    quote!(__p::PrimaryKey::Column(__p::Cow::Borrowed(#column)))
}

/// `Self::id` means this struct, but the descriptor is built outside its `impl`.
fn resolve_self(table: &Table, path: &Path) -> Path {
    let mut path = path.clone();
    if let Some(first) = path.segments.first_mut() {
        if first.ident == "Self" {
            first.ident = table.ident.clone();
        }
    }
    path
}

fn foreign_key_def(table: &Table, field: &Field) -> Option<TokenStream> {
    let fk = field.foreign_key.as_ref()?;
    let path = resolve_self(table, fk.references.as_ref()?);
    let (action, _) = fk.on_delete?;
    let action = syn::Ident::new(action.variant(), Span::call_site());
    let column = &field.column.value;
    Some(quote!(__p::ForeignKeyDef::new(
        __p::Cow::Borrowed(#column),
        __p::Cow::Borrowed(#path.table()),
        __p::Cow::Borrowed(#path.name()),
        __p::OnDelete::#action,
    )))
}

/// The facts about a field the macro cannot see alone, each checked by a call spanned at
/// the token it is about.
fn field_checks(table: &Table, field: &Field) -> TokenStream {
    let ty = &field.ty;
    let mut bounds = Vec::new();
    let mut consts = Vec::new();
    let (table_name, column) = (&table.name.value, &field.column.value);
    let in_composite_key = table
        .composite_key
        .as_ref()
        .is_some_and(|k| k.columns.iter().any(|c| c.unraw() == field.ident.unraw()));
    if field.primary_key.is_some() || in_composite_key {
        // Postgres makes key columns NOT NULL whatever is written; the descriptor must agree.
        bounds.push(quote_spanned!(ty.span()=> __p::require_not_null::<#ty>();));
    }
    if let Some(pk) = field.primary_key {
        if !pk.natural {
            bounds.push(quote_spanned!(ty.span()=> __p::require_uuid_primary_key::<#ty>();));
        }
    }
    if let Some((_, span)) = field.varchar {
        bounds.push(quote_spanned!(span=> __p::require_text::<#ty>();));
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
                Some(ty),
            ));
        }
        Some(DefaultValue::Str(lit)) => {
            consts.push(compile_time_check(
                lit.span(),
                quote!(__p::string_default_label::<#ty>(#table_name, #column, #lit, TYPE)),
                Some(ty),
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
            // name's length is checked by the compiler, in a constant.
            consts.push(compile_time_check(
                path.span(),
                quote!(__p::rules::foreign_key_name(
                    #table_name, #column, #path.table(), #path.name()
                )),
                None,
            ));
        }
        if let Some((OnDelete::SetNull, span)) = fk.on_delete {
            bounds.push(quote_spanned!(span=> __p::require_nullable::<#ty>();));
        }
    }
    let bounds = (!bounds.is_empty()).then(|| quote!(const _: fn() = || { #(#bounds)* };));
    quote! {
        #bounds
        #(#consts)*
    }
}

/// The Rust type as a user wrote it, for `RowError` messages.
fn type_string(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}

/// A rule the compiler evaluates: `check` is an `Option<Violation>`, and a violation stops the
/// build with its message, at `span`. The panic is in the caller's own constant, so the error
/// shows the message rather than the engine's code. With `column_type`, `check` may name
/// `TYPE`, that type's `SqlType` (a constant, as a value with a destructor cannot be borrowed
/// in a constant expression otherwise).
fn compile_time_check(
    span: Span,
    check: TokenStream,
    column_type: Option<&syn::Type>,
) -> TokenStream {
    let type_const = column_type
        .map(|ty| quote!(const TYPE: &__p::SqlType = &<#ty as __p::ColumnType>::SQL_TYPE;));
    quote_spanned!(span=> const _: () = {
        #type_const
        if let ::std::option::Option::Some(violation) = #check {
            ::std::panic!("{}", __p::Message::of(violation.pieces()).as_str())
        }
    };)
}
