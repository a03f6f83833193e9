//! The model both macros parse their item into, built from the item and its parsed
//! attributes (`attr`): names with the spans to blame, and nothing the checks or the code
//! generators would have to re-parse.

use crate::attr::{self, CompositeKey, DefaultValue, ForeignKey, Index, Name, PrimaryKeyMarker};
use crate::ctxt::Ctxt;
use heck::ToSnakeCase;
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Ident, Type, Visibility};

/// A `#[table]` struct.
pub struct Table {
    pub ident: Ident,
    pub vis: Visibility,
    pub name: Name,
    pub renamed_from: Option<Name>,
    /// The engine's path in generated code: `::schema_core` unless `crate = ".."` says.
    pub krate: syn::Path,
    pub fields: Vec<Field>,
    pub indexes: Vec<Index>,
    /// `#[primary_key(a, b)]` on the struct.
    pub composite_key: Option<CompositeKey>,
}

/// One field, one column.
pub struct Field {
    pub ident: Ident,
    pub ty: Type,
    pub column: Name,
    pub renamed_from: Option<Name>,
    pub varchar: Option<(u32, Span)>,
    pub default: Option<DefaultValue>,
    pub primary_key: Option<PrimaryKeyMarker>,
    pub foreign_key: Option<ForeignKey>,
}

/// A `#[pg_enum]` enum.
pub struct Enum {
    pub ident: Ident,
    pub name: Name,
    pub renamed_from: Option<Name>,
    /// The engine's path in generated code, as on [`Table`].
    pub krate: syn::Path,
    pub variants: Vec<Variant>,
}

pub struct Variant {
    pub ident: Ident,
    pub label: Name,
    pub renamed_from: Option<Name>,
}

impl Table {
    /// The field named `ident` in Rust, if any.
    pub fn field_by_rust_name(&self, ident: &Ident) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.ident.unraw() == ident.unraw())
    }
}

/// Builds the model of a `#[table]` struct, stripping the helper attributes from `item` so
/// that it can be emitted as it is, whatever was found wrong.
pub fn table_from_item(
    cx: &Ctxt,
    args: proc_macro2::TokenStream,
    item: &mut syn::ItemStruct,
) -> Option<Table> {
    let args = attr::parse_item_args(cx, args, "table");
    let struct_attrs = attr::take_struct_attrs(cx, &mut item.attrs);
    let syn::Fields::Named(named) = &mut item.fields else {
        cx.error_spanned_by(
            &item.ident,
            "#[table] goes on a struct with named fields, one per column: \
             `struct User { #[primary_key] id: Uuid, .. }`",
        );
        return None;
    };
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "a #[table] struct cannot be generic: a table has one fixed set of column types",
        );
    }
    let fields = named
        .named
        .iter_mut()
        .map(|field| {
            let attrs = attr::take_field_attrs(cx, &mut field.attrs);
            let ident = field.ident.clone().expect("named field");
            let column = attrs.name.unwrap_or_else(|| Name {
                value: ident.unraw().to_string(),
                span: ident.span(),
            });
            Field {
                ident,
                ty: field.ty.clone(),
                column,
                renamed_from: attrs.renamed_from,
                varchar: attrs.varchar,
                default: attrs.default,
                primary_key: attrs.primary_key,
                foreign_key: attrs.foreign_key,
            }
        })
        .collect();
    let name = args.name.unwrap_or_else(|| Name {
        value: item.ident.to_string().to_snake_case(),
        span: item.ident.span(),
    });
    Some(Table {
        ident: item.ident.clone(),
        vis: item.vis.clone(),
        name,
        renamed_from: args.renamed_from,
        krate: args.krate,
        fields,
        indexes: struct_attrs.indexes,
        composite_key: struct_attrs.composite_key,
    })
}

/// Builds the model of a `#[pg_enum]` enum, stripping the variants' `#[pg_enum(..)]`.
/// Variants with data are reported and left out, so the rest still expands.
pub fn enum_from_item(cx: &Ctxt, args: proc_macro2::TokenStream, item: &mut syn::ItemEnum) -> Enum {
    let args = attr::parse_item_args(cx, args, "pg_enum");
    attr::strip_own_derives(cx, &mut item.attrs);
    if !item.generics.params.is_empty() {
        cx.error_spanned_by(
            &item.generics,
            "a #[pg_enum] cannot be generic: write a plain enum of unit variants",
        );
    }
    if item.variants.is_empty() {
        cx.error_spanned_by(
            &item.ident,
            "a #[pg_enum] needs at least one variant: PostgreSQL enum types have labels, \
             e.g. `enum QuestionStatus { Draft, Published, Archived }`",
        );
    }
    let mut variants = Vec::new();
    for variant in item.variants.iter_mut() {
        let attrs = attr::take_variant_attrs(cx, &mut variant.attrs);
        if !matches!(variant.fields, syn::Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                format!(
                    "a #[pg_enum] variant carries no data (a PostgreSQL enum value is only a \
                     label): write `{}` without fields",
                    variant.ident
                ),
            );
            continue;
        }
        let label = attrs.rename.unwrap_or_else(|| Name {
            value: variant.ident.to_string().to_snake_case(),
            span: variant.ident.span(),
        });
        variants.push(Variant {
            ident: variant.ident.clone(),
            label,
            renamed_from: attrs.renamed_from,
        });
    }
    let name = args.name.unwrap_or_else(|| Name {
        value: item.ident.to_string().to_snake_case(),
        span: item.ident.span(),
    });
    Enum {
        ident: item.ident.clone(),
        name,
        renamed_from: args.renamed_from,
        krate: args.krate,
        variants,
    }
}
