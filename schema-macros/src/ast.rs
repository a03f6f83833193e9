//! The model both macros parse their item into, built from the item and its parsed
//! attributes (`attr`): names with the spans to blame, and nothing the checks or the code
//! generators would have to re-parse.

use crate::attr::{
    self, CheckConstraint, CompositeForeignKey, CompositeKey, DefaultValue, ForeignKey, Generation,
    Index, Name, PrimaryKeyMarker, SqlTypeAttr, UniqueConstraint, UniqueMarker, Varchar,
};
use crate::ctxt::Ctxt;
use heck::ToSnakeCase;
use proc_macro2::Span;
use schema_rules::names;
use schema_rules::sql::quote_ident_if_needed;
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
    /// `#[table(no_primary_key)]`, where it is written.
    pub no_primary_key: Option<Span>,
    /// `#[unique(on(..))]` on the struct.
    pub uniques: Vec<UniqueConstraint>,
    /// `#[check(..)]` on the struct.
    pub checks: Vec<CheckConstraint>,
    /// `#[foreign_key(columns(..), ..)]` on the struct.
    pub foreign_keys: Vec<CompositeForeignKey>,
    /// The model's `partition` text (`PARTITION BY ..`, `PARTITION OF ..`).
    pub partition: Option<String>,
}

/// One field, one column.
pub struct Field {
    pub ident: Ident,
    pub ty: Type,
    pub column: Name,
    pub renamed_from: Option<Name>,
    pub varchar: Option<Varchar>,
    pub default: Option<DefaultValue>,
    pub primary_key: Option<PrimaryKeyMarker>,
    pub foreign_key: Option<ForeignKey>,
    /// `sql_type = ".."`: the column's type, instead of the Rust type's.
    pub sql_type: Option<SqlTypeAttr>,
    pub without_time_zone: Option<Span>,
    pub default_sql: Option<syn::LitStr>,
    /// `serial` or `identity`, from `#[column]` or `#[primary_key]`.
    pub generation: Option<(Generation, Span)>,
    pub unique: Option<UniqueMarker>,
    pub generated: Option<syn::LitStr>,
    pub collate: Option<syn::LitStr>,
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

impl Field {
    /// Whether the field's Rust type is written `Option<_>`: the nullability of a column
    /// whose SQL type is given by `sql_type` (its Rust type then needs no `ColumnType`).
    pub fn is_option(&self) -> bool {
        let Type::Path(path) = &self.ty else {
            return false;
        };
        path.qself.is_none()
            && path.path.segments.last().is_some_and(|last| {
                last.ident == "Option"
                    && matches!(last.arguments, syn::PathArguments::AngleBracketed(_))
            })
    }
}

impl Table {
    /// The field named `ident` in Rust, if any.
    pub fn field_by_rust_name(&self, ident: &Ident) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.ident.unraw() == ident.unraw())
    }
}

/// A unique or check constraint of a table, named and spelled as `pg_get_constraintdef`
/// prints it, with the span to blame for its name.
pub struct Constraint {
    pub name: String,
    pub unique: bool,
    pub definition: String,
    pub span: Span,
    /// `not_valid` (a check only): added `NOT VALID`.
    pub not_valid: bool,
}

impl Table {
    /// The unique constraints (of a field and of the struct) and the check constraints, in
    /// declaration order. A column list naming an unknown field is left to the checks.
    pub fn constraints(&self) -> Vec<Constraint> {
        let mut out = Vec::new();
        let mut unique = |columns: Vec<&str>, name: Option<&Name>, nnd: bool, span: Span| {
            let derived = names::unique_constraint(&self.name.value, columns.iter().copied());
            let list: Vec<String> = columns.iter().map(|c| quote_ident_if_needed(c)).collect();
            let nulls = if nnd { " NULLS NOT DISTINCT" } else { "" };
            out.push(Constraint {
                name: name.map_or(derived, |n| n.value.clone()),
                unique: true,
                definition: format!("UNIQUE{nulls} ({})", list.join(", ")),
                span: name.map_or(span, |n| n.span),
                not_valid: false,
            });
        };
        for field in &self.fields {
            if let Some(marker) = &field.unique {
                let columns = vec![field.column.value.as_str()];
                unique(
                    columns,
                    marker.name.as_ref(),
                    marker.nulls_not_distinct,
                    marker.span,
                );
            }
        }
        for constraint in &self.uniques {
            let columns = constraint
                .columns
                .iter()
                .filter_map(|c| self.field_by_rust_name(c))
                .map(|f| f.column.value.as_str())
                .collect();
            unique(
                columns,
                constraint.name.as_ref(),
                constraint.nulls_not_distinct,
                constraint.span,
            );
        }
        for check in &self.checks {
            let (Some(name), Some(sql)) = (&check.name, &check.sql) else {
                continue;
            };
            out.push(Constraint {
                name: name.value.clone(),
                unique: false,
                definition: format!("CHECK ({})", sql.value()),
                span: name.span,
                not_valid: check.not_valid,
            });
        }
        out
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
            let key_generation = attrs.primary_key.as_ref().and_then(|pk| pk.generation);
            let generation = match (attrs.generation, key_generation) {
                (Some(_), Some((_, span))) => {
                    cx.error_at(
                        span,
                        "the column is already numbered by #[column(..)]; say `serial` or \
                         `identity` once",
                    );
                    attrs.generation
                }
                (column, key) => column.or(key),
            };
            Field {
                ident,
                ty: field.ty.clone(),
                column,
                renamed_from: attrs.renamed_from,
                varchar: attrs.varchar,
                default: attrs.default,
                primary_key: attrs.primary_key,
                foreign_key: attrs.foreign_key,
                sql_type: attrs.sql_type,
                without_time_zone: attrs.without_time_zone,
                default_sql: attrs.default_sql,
                generation,
                unique: attrs.unique,
                generated: attrs.generated,
                collate: attrs.collate,
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
        no_primary_key: args.no_primary_key,
        uniques: struct_attrs.uniques,
        checks: struct_attrs.checks,
        foreign_keys: struct_attrs.foreign_keys,
        partition: args.partition,
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
