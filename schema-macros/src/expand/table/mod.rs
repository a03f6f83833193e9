//! Code generated for a `#[table]`: the column consts, the descriptor, `Table` (with
//! `from_row`), the trait-bound checks spanned at the tokens they are about, and the
//! registration that lets an unlisted table be noticed.
//!
//! The rooms: this file (the descriptor's columns and indexes, and the impls), `keys` (the
//! primary and foreign keys), `checks` (what the compiler checks for the macro).

mod checks;
mod keys;

use crate::ast::{Field, Table};
use crate::attr::{DefaultValue, Generation, Index, IndexKey, Varchar};
use checks::field_checks;
use keys::{composite_foreign_key_checks, composite_foreign_key_def, foreign_key_def, primary_key};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

// The spelling every migration uses, so a column list spliced into a query names the
// columns a migration created.
use schema_rules::sql::quote_ident;
use schema_rules::types::{varchar_length, BUILT_IN};

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
    // Only a partitioned table or a partition says it; `BLANK` holds `None` for the rest.
    let partition = table
        .partition
        .as_deref()
        .map(|p| quote!(partition: ::core::option::Option::Some(__p::Cow::Borrowed(#p)),));
    let columns = table.fields.iter().map(|f| column_def(table, f));
    let (primary_key, primary_key_name) = primary_key(table);
    let foreign_keys = table
        .fields
        .iter()
        .filter_map(|f| foreign_key_def(table, f))
        .chain(
            table
                .foreign_keys
                .iter()
                .filter_map(|fk| composite_foreign_key_def(table, fk)),
        );
    let indexes = table.indexes.iter().map(|index| index_def(table, index));
    // Sorted by name, as the catalog reader lists them.
    let mut constraints = table.constraints();
    constraints.sort_by(|a, b| a.name.cmp(&b.name));
    let constraints = constraints.iter().map(|c| {
        let (name, unique, definition) = (&c.name, c.unique, &c.definition);
        let constraint = quote!(__p::constraint(#name, #unique, #definition));
        if c.not_valid {
            quote!(__p::not_valid_constraint(#constraint))
        } else {
            constraint
        }
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
    let checks = table.fields.iter().map(|f| field_checks(table, f)).chain(
        table
            .foreign_keys
            .iter()
            .map(|fk| composite_foreign_key_checks(table, fk)),
    );
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
                    primary_key_name: #primary_key_name,
                    constraints: __p::Cow::Borrowed({ const C: &[__p::ConstraintDef] = &[#(#constraints),*]; C }),
                    #partition
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

/// `Self::id` means this struct, but the descriptor is built outside its `impl`.
fn resolve_self(table: &Table, path: &syn::Path) -> syn::Path {
    let mut path = path.clone();
    if let Some(first) = path.segments.first_mut() {
        if first.ident == "Self" {
            first.ident = table.ident.clone();
        }
    }
    path
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

fn index_def(table: &Table, index: &Index) -> TokenStream {
    let name = index.name.as_ref().map_or("", |n| n.value.as_str());
    let unique = index.unique;
    let cols = index.columns.iter().map(|c| {
        let (name, expression) = match &c.key {
            IndexKey::Column(ident) => (column_name(table, ident).to_string(), false),
            IndexKey::Expression(lit) => (lit.value(), true),
        };
        let desc = c.desc;
        let nulls = match c.nulls_first {
            None => quote!(::core::option::Option::None),
            Some(true) => quote!(::core::option::Option::Some(__p::NullsOrder::First)),
            Some(false) => quote!(::core::option::Option::Some(__p::NullsOrder::Last)),
        };
        let opclass = opt_str(c.opclass.as_ref().map(|lit| lit.value()).as_deref());
        quote!(__p::IndexColumn {
            name: __p::Cow::Borrowed(#name),
            desc: #desc,
            nulls: #nulls,
            opclass: #opclass,
            expression: #expression,
        })
    });
    let method = opt_lit(index.method.as_deref());
    let predicate = opt_lit(index.predicate.as_ref().map(|p| p.value()).as_deref());
    let include = index.include.iter().map(|c| column_name(table, c));
    quote!(__p::index(
        #name,
        #unique,
        { const C: &[__p::IndexColumn] = &[#(#cols),*]; C },
        #method,
        #predicate,
        &[#(__p::Cow::Borrowed(#include)),*],
    ))
}

/// `Some("text")` or `None`, for a `&'static str` parameter.
fn opt_lit(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// The model's `SqlType` for a type in its printed spelling: a variant of its own for the
/// built-in types the model names, `Varchar(n)`, or the spelling.
fn sql_type_of(canonical: &str) -> TokenStream {
    if let Some((_, variant)) = BUILT_IN.iter().find(|(name, _)| *name == canonical) {
        let variant = syn::Ident::new(variant, Span::call_site());
        return quote!(__p::SqlType::#variant);
    }
    if let Some(n) = varchar_length(canonical) {
        return quote!(__p::SqlType::Varchar(#n));
    }
    quote!(__p::SqlType::Other(__p::Cow::Borrowed(#canonical)))
}

/// The column's SQL type: `sql_type`, `varchar`, or the Rust type's.
fn column_sql_type(field: &Field) -> TokenStream {
    let ty = &field.ty;
    match (&field.sql_type, &field.varchar) {
        (Some(sql_type), _) => sql_type_of(&sql_type.canonical),
        (
            None,
            Some(Varchar {
                length: Some(n), ..
            }),
        ) => quote!(__p::SqlType::Varchar(#n)),
        (None, Some(Varchar { length: None, .. })) => {
            quote!(__p::SqlType::Other(__p::Cow::Borrowed("character varying")))
        }
        (None, None) => quote_spanned!(ty.span()=> <#ty as __p::ColumnType>::SQL_TYPE),
    }
}

fn column_def(table: &Table, field: &Field) -> TokenStream {
    let ty = &field.ty;
    let name = &field.column.value;
    let sql_type = column_sql_type(field);
    let nullable = if field.sql_type.is_some() {
        // The Rust type needs no `ColumnType`: only its `Option` says NULL.
        let option = field.is_option();
        quote!(#option)
    } else {
        quote_spanned!(ty.span()=> <#ty as __p::ColumnType>::NULLABLE)
    };
    let uuid_key = field.primary_key.as_ref().is_some_and(|pk| pk.is_uuid());
    let default = match (&field.default, &field.default_sql, field.generation) {
        _ if uuid_key => quote!(__p::ColumnDefault::GenRandomUuid),
        (_, _, Some((Generation::Serial, _))) => {
            // The sequence PostgreSQL makes for the column, as `pg_get_expr` prints it.
            let text = schema_rules::sql::serial_default(&table.name.value, name);
            quote!(__p::ColumnDefault::Expr(__p::Cow::Borrowed(#text)))
        }
        // The catalog reads this one back as the form of its own, on any column.
        (_, Some(lit), _) if lit.value() == "gen_random_uuid()" => {
            quote!(__p::ColumnDefault::GenRandomUuid)
        }
        (_, Some(lit), _) => quote!(__p::ColumnDefault::Expr(__p::Cow::Borrowed(#lit))),
        (None, None, _) => quote!(),
        (Some(DefaultValue::Now(_)), ..) => quote!(__p::ColumnDefault::Now),
        (Some(DefaultValue::Bool(b, _)), ..) => quote!(__p::ColumnDefault::Bool(#b)),
        (Some(DefaultValue::Int(i, _)), ..) => quote!(__p::ColumnDefault::Int(#i)),
        (Some(DefaultValue::Float(text, _)), ..) => {
            quote!(__p::ColumnDefault::Float(__p::Cow::Borrowed(#text)))
        }
        (Some(DefaultValue::Str(s)), ..) => quote!(__p::string_default::<#ty>(#s)),
    };
    let default = if default.is_empty() {
        quote!(::core::option::Option::None)
    } else {
        quote!(::core::option::Option::Some(#default))
    };
    let identity = match field.generation {
        Some((Generation::Identity(kind), _)) => {
            let variant = syn::Ident::new(kind.variant(), Span::call_site());
            quote!(::core::option::Option::Some(__p::Identity::#variant))
        }
        _ => quote!(::core::option::Option::None),
    };
    let renamed_from = opt_str(field.renamed_from.as_ref().map(|n| n.value.as_str()));
    let collation = opt_str(field.collate.as_ref().map(|l| l.value()).as_deref());
    let generated = opt_str(field.generated.as_ref().map(|l| l.value()).as_deref());
    quote!(__p::ColumnDef {
        name: __p::Cow::Borrowed(#name),
        sql_type: #sql_type,
        nullable: #nullable,
        default: #default,
        renamed_from: #renamed_from,
        collation: #collation,
        generated: #generated,
        identity: #identity,
    })
}

/// The Rust type as a user wrote it, for `RowError` messages.
fn type_string(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}
