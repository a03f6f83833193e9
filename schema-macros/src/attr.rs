//! Attribute parsing of `#[table]` (and the helpers `attr_enum` shares). Each accepted form is shown beside the branch that reads it; every
//! key may appear once; an unknown key is answered with the list of accepted ones.

use crate::ast::{
    CompositeKey, DefaultValue, ForeignKey, Index, IndexColumn, Name, OnDelete, PrimaryKeyMarker,
};
use crate::ctxt::Ctxt;
use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Path, Token};

/// PostgreSQL's upper bound for `varchar(N)`.
const MAX_VARCHAR: u32 = 10_485_760;

/// A key that may be given once; a second occurrence is reported where it is written.
pub(crate) struct Once<T> {
    attr: &'static str,
    key: &'static str,
    pub(crate) value: Option<T>,
}

impl<T> Once<T> {
    pub(crate) fn new(attr: &'static str, key: &'static str) -> Self {
        Once {
            attr,
            key,
            value: None,
        }
    }

    pub(crate) fn set(&mut self, cx: &Ctxt, span: Span, value: T) {
        if self.value.is_some() {
            cx.error_at(
                span,
                format!("duplicate `{}` in #[{}]; give it once", self.key, self.attr),
            );
        } else {
            self.value = Some(value);
        }
    }
}

/// Reports an unknown key with the accepted ones, then skips its value so the keys after it
/// are still read (and a missing-key error does not follow from the typo).
pub(crate) fn unknown_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    attr: &str,
    accepted: &str,
) -> syn::Result<()> {
    let path = &meta.path;
    let key = quote::quote!(#path).to_string().replace(' ', "");
    cx.syn_error(meta.error(format!(
        "unknown key `{key}` in #[{attr}]; accepted keys: {accepted}"
    )));
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

pub(crate) fn parse_name(meta: &ParseNestedMeta) -> syn::Result<Name> {
    let lit: LitStr = meta.value()?.parse()?;
    Ok(Name::from_lit(&lit))
}

/// Arguments of the macro attribute itself, the same for `#[table(...)]` and
/// `#[pg_enum(...)]`: both name a relation or type and may declare its previous name.
pub struct ItemArgs {
    pub name: Option<Name>,
    pub renamed_from: Option<Name>,
    /// The path generated code reaches the engine through.
    pub krate: syn::Path,
}

/// Parses `#[<macro_name>(...)]`'s own arguments.
pub fn parse_item_args(cx: &Ctxt, args: TokenStream, macro_name: &'static str) -> ItemArgs {
    let mut name = Once::new(macro_name, "name");
    let mut renamed_from = Once::new(macro_name, "renamed_from");
    let mut krate = Once::new(macro_name, "crate");
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("name") {
            // #[table(name = "users")], #[pg_enum(name = "stripe_subscription_status")]
            name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("renamed_from") {
            // #[table(renamed_from = "app_users")], #[pg_enum(renamed_from = "subscription_state")]
            renamed_from.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("crate") {
            // #[table(crate = "my_app::schema_core")], when the engine is re-exported elsewhere
            let lit: LitStr = meta.value()?.parse()?;
            krate.set(cx, meta.path.span(), lit.parse::<syn::Path>()?);
        } else {
            unknown_key(cx, &meta, macro_name, "name, renamed_from, crate")?;
        }
        Ok(())
    });
    if let Err(err) = parser.parse2(args) {
        cx.syn_error(err);
    }
    ItemArgs {
        name: name.value,
        renamed_from: renamed_from.value,
        krate: krate
            .value
            .unwrap_or_else(|| syn::parse_quote!(::schema_core)),
    }
}

/// Struct-level attributes of a `#[table]`, removed from the item as they are read.
#[derive(Default)]
pub struct StructAttrs {
    pub indexes: Vec<Index>,
    pub composite_key: Option<CompositeKey>,
}

pub fn take_struct_attrs(cx: &Ctxt, attrs: &mut Vec<Attribute>) -> StructAttrs {
    let mut out = StructAttrs::default();
    attrs.retain(|attr| {
        let path = attr.path();
        if path.is_ident("index") || path.is_ident("unique_index") {
            // #[index(name = "questions_status_created_at_idx", on(status, created_at(desc)))]
            // #[unique_index(name = "users_email_uq", on(email))]
            out.indexes
                .push(parse_index(cx, attr, path.is_ident("unique_index")));
        } else if path.is_ident("primary_key") {
            // #[primary_key(question_id, tag_id)]
            let key = parse_composite_key(cx, attr);
            if out.composite_key.is_some() {
                cx.error_spanned_by(attr, "duplicate #[primary_key] on the struct; give it once");
            } else {
                out.composite_key = key;
            }
        } else if path.is_ident("column") || path.is_ident("foreign_key") {
            cx.error_spanned_by(
                attr,
                "#[column] and #[foreign_key] go on a field of the struct, not on the struct",
            );
        } else {
            return true;
        }
        false
    });
    out
}

fn parse_index(cx: &Ctxt, attr: &Attribute, unique: bool) -> Index {
    let which = if unique { "unique_index" } else { "index" };
    let mut name = Once::new(which, "name");
    let mut columns = Once::new(which, "on");
    let mut misspelled = false;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            // name = "users_email_uq"
            name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("on") {
            // on(status, created_at(desc))
            let mut cols = Vec::new();
            meta.parse_nested_meta(|col| {
                let ident = col.path.require_ident()?.clone();
                let mut desc = Once::new(which, "asc`/`desc");
                let mut nulls_first = Once::new(which, "nulls_first`/`nulls_last");
                if col.input.peek(syn::token::Paren) {
                    // created_at(desc), created_at(asc), ended_at(desc, nulls_last)
                    col.parse_nested_meta(|opt| {
                        let span = opt.path.span();
                        if opt.path.is_ident("desc") {
                            desc.set(cx, span, true);
                        } else if opt.path.is_ident("asc") {
                            desc.set(cx, span, false);
                        } else if opt.path.is_ident("nulls_first") {
                            nulls_first.set(cx, span, true);
                        } else if opt.path.is_ident("nulls_last") {
                            nulls_first.set(cx, span, false);
                        } else {
                            return Err(opt.error(
                                "expected `asc` or `desc`, and optionally `nulls_first` or \
                                 `nulls_last`, e.g. `ended_at(desc, nulls_last)`",
                            ));
                        }
                        Ok(())
                    })?;
                }
                cols.push(IndexColumn {
                    ident,
                    desc: desc.value.unwrap_or(false),
                    nulls_first: nulls_first.value,
                });
                Ok(())
            })?;
            columns.set(cx, meta.path.span(), cols);
        } else {
            unknown_key(cx, &meta, which, "name, on")?;
            misspelled = true;
        }
        Ok(())
    });
    let malformed = result.is_err() || misspelled;
    if let Err(err) = result {
        cx.syn_error(err);
    }
    Index {
        span: attr.path().span(),
        malformed,
        unique,
        name: name.value,
        columns: columns.value.unwrap_or_default(),
    }
}

fn parse_composite_key(cx: &Ctxt, attr: &Attribute) -> Option<CompositeKey> {
    if matches!(attr.meta, syn::Meta::Path(_)) {
        cx.error_spanned_by(
            attr,
            "on the struct, #[primary_key] lists the key's columns: #[primary_key(question_id, tag_id)]; \
             for a one-column key put #[primary_key] on the field",
        );
        return None;
    }
    let mut columns = Vec::new();
    let result = attr.parse_nested_meta(|meta| {
        columns.push(meta.path.require_ident()?.clone());
        Ok(())
    });
    match result {
        Ok(()) => Some(CompositeKey {
            span: attr.path().span(),
            columns,
        }),
        Err(err) => {
            cx.syn_error(err);
            None
        }
    }
}

/// Field-level attributes of a `#[table]`, removed from the field as they are read.
#[derive(Default)]
pub struct FieldAttrs {
    pub name: Option<Name>,
    pub renamed_from: Option<Name>,
    pub varchar: Option<(u32, Span)>,
    pub default: Option<DefaultValue>,
    pub primary_key: Option<PrimaryKeyMarker>,
    pub foreign_key: Option<ForeignKey>,
}

pub fn take_field_attrs(cx: &Ctxt, attrs: &mut Vec<Attribute>) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    // Shared by every #[column] on the field, so a key repeated across two of them is
    // caught as well.
    let mut slots = ColumnSlots {
        name: Once::new("column", "name"),
        renamed_from: Once::new("column", "renamed_from"),
        varchar: Once::new("column", "varchar"),
        default: Once::new("column", "default"),
    };
    attrs.retain(|attr| {
        let path = attr.path();
        if path.is_ident("column") {
            parse_column(cx, attr, &mut slots);
        } else if path.is_ident("primary_key") {
            let marker = parse_field_primary_key(cx, attr);
            if out.primary_key.is_some() {
                cx.error_spanned_by(attr, "duplicate #[primary_key] on this field; give it once");
            } else {
                out.primary_key = marker;
            }
        } else if path.is_ident("foreign_key") {
            let fk = parse_foreign_key(cx, attr);
            if out.foreign_key.is_some() {
                cx.error_spanned_by(attr, "duplicate #[foreign_key] on this field; give it once");
            } else {
                out.foreign_key = Some(fk);
            }
        } else if path.is_ident("index") || path.is_ident("unique_index") {
            cx.error_spanned_by(
                attr,
                "indexes are declared on the struct: #[index(name = \"..\", on(column))]",
            );
        } else {
            return true;
        }
        false
    });
    out.name = slots.name.value;
    out.renamed_from = slots.renamed_from.value;
    out.varchar = slots.varchar.value;
    out.default = slots.default.value;
    out
}

struct ColumnSlots {
    name: Once<Name>,
    renamed_from: Once<Name>,
    varchar: Once<(u32, Span)>,
    default: Once<DefaultValue>,
}

fn parse_column(cx: &Ctxt, attr: &Attribute, slots: &mut ColumnSlots) {
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            // #[column(name = "type")]
            slots.name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("renamed_from") {
            // #[column(renamed_from = "old_name")]
            slots
                .renamed_from
                .set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("varchar") {
            // #[column(varchar = 255)]
            let lit: LitInt = meta.value()?.parse()?;
            let n: u32 = lit.base10_parse()?;
            if n == 0 || n > MAX_VARCHAR {
                return Err(syn::Error::new(
                    lit.span(),
                    format!("varchar length must be between 1 and {MAX_VARCHAR}"),
                ));
            }
            slots.varchar.set(cx, meta.path.span(), (n, lit.span()));
        } else if meta.path.is_ident("default") {
            // #[column(default = now)], default = false, default = 0, default = "draft"
            slots
                .default
                .set(cx, meta.path.span(), parse_default(&meta)?);
        } else {
            unknown_key(cx, &meta, "column", "name, varchar, default, renamed_from")?;
        }
        Ok(())
    });
    if let Err(err) = result {
        cx.syn_error(err);
    }
}

fn parse_default(meta: &ParseNestedMeta) -> syn::Result<DefaultValue> {
    let input = meta.value()?;
    const EXPECTED: &str =
        "expected `now`, `true`, `false`, a number (`0`, `0.5`), or a string literal (a label of the column's enum)";
    if input.peek(LitBool) {
        let lit: LitBool = input.parse()?;
        Ok(DefaultValue::Bool(lit.value, lit.span))
    } else if input.peek(LitFloat) || (input.peek(Token![-]) && input.peek2(LitFloat)) {
        let minus: Option<Token![-]> = input.parse()?;
        let lit: LitFloat = input.parse()?;
        let digits = lit.base10_digits();
        if digits.contains(['e', 'E']) {
            return Err(syn::Error::new(
                lit.span(),
                "write the decimal default without an exponent, e.g. `1500.0` for `1.5e3`",
            ));
        }
        let span = minus.map_or(lit.span(), |m| m.span);
        let sign = if minus.is_some() { "-" } else { "" };
        Ok(DefaultValue::Float(format!("{sign}{digits}"), span))
    } else if input.peek(LitInt) || input.peek(Token![-]) {
        let minus: Option<Token![-]> = input.parse()?;
        let lit: LitInt = input.parse()?;
        let value: i64 = lit.base10_parse()?;
        let span = minus.map_or(lit.span(), |m| m.span);
        Ok(DefaultValue::Int(
            if minus.is_some() { -value } else { value },
            span,
        ))
    } else if input.peek(LitStr) {
        Ok(DefaultValue::Str(input.parse()?))
    } else if input.peek(Ident) {
        let ident: Ident = input.parse()?;
        if ident == "now" {
            Ok(DefaultValue::Now(ident.span()))
        } else {
            Err(syn::Error::new(
                ident.span(),
                format!("unknown default `{ident}`; {EXPECTED}"),
            ))
        }
    } else {
        Err(input.error(EXPECTED))
    }
}

fn parse_field_primary_key(cx: &Ctxt, attr: &Attribute) -> Option<PrimaryKeyMarker> {
    let mut marker = PrimaryKeyMarker {
        span: attr.path().span(),
        natural: false,
    };
    if matches!(attr.meta, syn::Meta::Path(_)) {
        // #[primary_key]
        return Some(marker);
    }
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("natural") {
            // #[primary_key(natural)]: a key that is not a generated UUID, on purpose
            marker.natural = true;
            Ok(())
        } else {
            unknown_key(cx, &meta, "primary_key", "natural")
        }
    });
    if let Err(err) = result {
        cx.syn_error(err);
    }
    // Kept even when malformed, so that "no primary key" does not follow from a typo.
    Some(marker)
}

fn parse_foreign_key(cx: &Ctxt, attr: &Attribute) -> ForeignKey {
    let mut references = Once::new("foreign_key", "references");
    let mut on_delete = Once::new("foreign_key", "on_delete");
    let mut misspelled = false;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("references") {
            // references = User::id
            let path: Path = meta.value()?.parse()?;
            references.set(cx, meta.path.span(), path);
        } else if meta.path.is_ident("on_delete") {
            // on_delete = cascade | restrict | set_null | set_default | no_action
            let word: Ident = meta.value()?.parse()?;
            let action = OnDelete::from_keyword(&word.to_string()).ok_or_else(|| {
                syn::Error::new(
                    word.span(),
                    format!(
                        "unknown ON DELETE action `{word}`; write one of: {}",
                        OnDelete::KEYWORDS
                    ),
                )
            })?;
            on_delete.set(cx, meta.path.span(), (action, word.span()));
        } else {
            unknown_key(cx, &meta, "foreign_key", "references, on_delete")?;
            misspelled = true;
        }
        Ok(())
    });
    let malformed = result.is_err() || misspelled;
    if let Err(err) = result {
        cx.syn_error(err);
    }
    ForeignKey {
        malformed,
        span: attr.path().span(),
        references: references.value,
        on_delete: on_delete.value,
    }
}
