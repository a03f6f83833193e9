//! The attributes on a field of a `#[table]`: `#[column]`, `#[primary_key]`, `#[foreign_key]`.

use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Path, Token};

/// PostgreSQL's upper bound for `varchar(N)`.
const MAX_VARCHAR: u32 = 10_485_760;

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
