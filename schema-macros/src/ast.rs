//! The model both macros parse their item into: names with the spans to blame, and nothing
//! the checks or the code generators would have to re-parse.

use crate::ctxt::Ctxt;
use crate::{attr, attr_enum};
use heck::ToSnakeCase;
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::{Ident, LitStr, Path, Type, Visibility};

/// A name given in an attribute (or derived from a Rust identifier), with where it came from.
#[derive(Clone, Debug)]
pub struct Name {
    pub value: String,
    pub span: Span,
}

impl Name {
    pub fn from_lit(lit: &LitStr) -> Self {
        Name {
            value: lit.value(),
            span: lit.span(),
        }
    }
}

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

/// `#[primary_key]` or `#[primary_key(natural)]` on a field.
#[derive(Clone, Copy)]
pub struct PrimaryKeyMarker {
    pub span: Span,
    pub natural: bool,
}

/// A column default as written in `#[column(default = ...)]`.
#[derive(Clone)]
pub enum DefaultValue {
    Now(Span),
    Bool(bool, Span),
    Int(i64, Span),
    /// A decimal literal, as written (`0.5`, `-1.25`).
    Float(String, Span),
    Str(LitStr),
}

impl DefaultValue {
    pub fn span(&self) -> Span {
        match self {
            DefaultValue::Now(s)
            | DefaultValue::Bool(_, s)
            | DefaultValue::Int(_, s)
            | DefaultValue::Float(_, s) => *s,
            DefaultValue::Str(lit) => lit.span(),
        }
    }
}

/// `#[foreign_key(references = Table::column, on_delete = ...)]`.
pub struct ForeignKey {
    /// The `foreign_key` word, blamed when a required key is missing.
    pub span: Span,
    /// The attribute did not parse to its end: missing keys are not reported on top.
    pub malformed: bool,
    pub references: Option<Path>,
    pub on_delete: Option<(OnDelete, Span)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDelete {
    Cascade,
    Restrict,
    SetNull,
    SetDefault,
    NoAction,
}

impl OnDelete {
    pub const KEYWORDS: &'static str = "cascade, restrict, set_null, set_default, no_action";

    pub fn from_keyword(word: &str) -> Option<Self> {
        Some(match word {
            "cascade" => OnDelete::Cascade,
            "restrict" => OnDelete::Restrict,
            "set_null" => OnDelete::SetNull,
            "set_default" => OnDelete::SetDefault,
            "no_action" => OnDelete::NoAction,
            _ => return None,
        })
    }

    /// The variant of `schema_core::OnDelete` this stands for.
    pub fn variant(self) -> &'static str {
        match self {
            OnDelete::Cascade => "Cascade",
            OnDelete::Restrict => "Restrict",
            OnDelete::SetNull => "SetNull",
            OnDelete::SetDefault => "SetDefault",
            OnDelete::NoAction => "NoAction",
        }
    }
}

/// `#[index(...)]` or `#[unique_index(...)]` on the struct.
pub struct Index {
    pub span: Span,
    /// The attribute did not parse to its end: missing keys are not reported on top.
    pub malformed: bool,
    pub unique: bool,
    pub name: Option<Name>,
    pub columns: Vec<IndexColumn>,
}

pub struct IndexColumn {
    pub ident: Ident,
    pub desc: bool,
    /// `Some(true)` for `nulls_first`, `Some(false)` for `nulls_last`, `None` for the
    /// direction's default.
    pub nulls_first: Option<bool>,
}

/// `#[primary_key(a, b)]` on the struct.
pub struct CompositeKey {
    pub span: Span,
    pub columns: Vec<Ident>,
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
    attr_enum::strip_own_derives(cx, &mut item.attrs);
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
        let attrs = attr_enum::take_variant_attrs(cx, &mut variant.attrs);
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
