//! The attributes on a field of a `#[table]`: `#[column]` here, `#[primary_key]` and
//! `#[foreign_key]` read by `keys`, all collected into one `FieldAttrs`.

use super::keys::{
    parse_field_primary_key, parse_foreign_key, parse_identity, ForeignKey, Generation,
    PrimaryKeyMarker,
};
use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use schema_rules::types::canonical_type;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Token};

/// PostgreSQL's upper bound for `varchar(N)`.
const MAX_VARCHAR: u32 = 10_485_760;

/// `varchar = N` or a bare `varchar` (no length limit).
#[derive(Clone, Copy)]
pub struct Varchar {
    pub length: Option<u32>,
    /// The length literal, or the key when there is none.
    pub span: Span,
}

/// `sql_type = ".."`: any SQL type, in the spelling the server prints.
#[derive(Clone)]
pub struct SqlTypeAttr {
    pub canonical: String,
    pub lit: LitStr,
}

/// `unique` or `unique(name = "..", nulls_not_distinct)` on a column.
#[derive(Clone)]
pub struct UniqueMarker {
    pub span: Span,
    pub name: Option<Name>,
    pub nulls_not_distinct: bool,
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

/// Field-level attributes of a `#[table]`, removed from the field as they are read.
#[derive(Default)]
pub struct FieldAttrs {
    pub name: Option<Name>,
    pub renamed_from: Option<Name>,
    pub varchar: Option<Varchar>,
    pub default: Option<DefaultValue>,
    pub primary_key: Option<PrimaryKeyMarker>,
    pub foreign_key: Option<ForeignKey>,
    pub sql_type: Option<SqlTypeAttr>,
    /// The span of `without_time_zone`.
    pub without_time_zone: Option<Span>,
    pub default_sql: Option<LitStr>,
    /// `serial` or `identity` in `#[column]`.
    pub generation: Option<(Generation, Span)>,
    pub unique: Option<UniqueMarker>,
    pub generated: Option<LitStr>,
    pub collate: Option<LitStr>,
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
        sql_type: Once::new("column", "sql_type"),
        without_time_zone: Once::new("column", "without_time_zone"),
        default_sql: Once::new("column", "default_sql"),
        generation: Once::new("column", "serial`/`identity"),
        unique: Once::new("column", "unique"),
        generated: Once::new("column", "generated"),
        collate: Once::new("column", "collate"),
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
    out.sql_type = slots.sql_type.value;
    out.without_time_zone = slots.without_time_zone.value;
    out.default_sql = slots.default_sql.value;
    out.generation = slots.generation.value;
    out.unique = slots.unique.value;
    out.generated = slots.generated.value;
    out.collate = slots.collate.value;
    out
}

struct ColumnSlots {
    name: Once<Name>,
    renamed_from: Once<Name>,
    varchar: Once<Varchar>,
    default: Once<DefaultValue>,
    sql_type: Once<SqlTypeAttr>,
    without_time_zone: Once<Span>,
    default_sql: Once<LitStr>,
    generation: Once<(Generation, Span)>,
    unique: Once<UniqueMarker>,
    generated: Once<LitStr>,
    collate: Once<LitStr>,
}

const COLUMN_KEYS: &str = "name, varchar, default, default_sql, sql_type, without_time_zone, \
                           serial, identity, unique, generated, collate, renamed_from";

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
            // #[column(varchar = 255)], or #[column(varchar)]: no length limit
            let varchar = if meta.input.peek(Token![=]) {
                let lit: LitInt = meta.value()?.parse()?;
                let n: u32 = lit.base10_parse()?;
                if n == 0 || n > MAX_VARCHAR {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!("varchar length must be between 1 and {MAX_VARCHAR}"),
                    ));
                }
                Varchar {
                    length: Some(n),
                    span: lit.span(),
                }
            } else {
                Varchar {
                    length: None,
                    span: meta.path.span(),
                }
            };
            slots.varchar.set(cx, meta.path.span(), varchar);
        } else if meta.path.is_ident("default") {
            // #[column(default = now)], default = false, default = 0, default = "draft"
            slots
                .default
                .set(cx, meta.path.span(), parse_default(&meta)?);
        } else if meta.path.is_ident("sql_type") {
            // #[column(sql_type = "numeric(10,2)")]
            let lit: LitStr = meta.value()?.parse()?;
            let canonical = canonical_type(&lit.value())
                .map_err(|reason| syn::Error::new(lit.span(), reason))?;
            slots
                .sql_type
                .set(cx, meta.path.span(), SqlTypeAttr { canonical, lit });
        } else if meta.path.is_ident("without_time_zone") {
            // #[column(without_time_zone)]
            slots
                .without_time_zone
                .set(cx, meta.path.span(), meta.path.span());
        } else if meta.path.is_ident("default_sql") {
            // #[column(default_sql = "CURRENT_TIMESTAMP")]
            let lit: LitStr = meta.value()?.parse()?;
            slots.default_sql.set(cx, meta.path.span(), lit);
        } else if meta.path.is_ident("serial") {
            // #[column(serial)]
            let span = meta.path.span();
            slots.generation.set(cx, span, (Generation::Serial, span));
        } else if meta.path.is_ident("identity") {
            // #[column(identity)], identity = always, identity = by_default
            let span = meta.path.span();
            let kind = parse_identity(&meta)?;
            slots
                .generation
                .set(cx, span, (Generation::Identity(kind), span));
        } else if meta.path.is_ident("unique") {
            // #[column(unique)], unique(name = "users_email_key", nulls_not_distinct)
            let marker = parse_unique_marker(cx, &meta)?;
            slots.unique.set(cx, meta.path.span(), marker);
        } else if meta.path.is_ident("generated") {
            // #[column(generated = "(price * quantity)")]
            let lit: LitStr = meta.value()?.parse()?;
            slots.generated.set(cx, meta.path.span(), lit);
        } else if meta.path.is_ident("collate") {
            // #[column(collate = "C")]
            let lit: LitStr = meta.value()?.parse()?;
            slots.collate.set(cx, meta.path.span(), lit);
        } else {
            unknown_key(cx, &meta, "column", COLUMN_KEYS)?;
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

fn parse_unique_marker(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<UniqueMarker> {
    let mut marker = UniqueMarker {
        span: meta.path.span(),
        name: None,
        nulls_not_distinct: false,
    };
    if !meta.input.peek(syn::token::Paren) {
        return Ok(marker);
    }
    let mut name = Once::new("column", "unique(name)");
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            name.set(cx, inner.path.span(), parse_name(&inner)?);
        } else if inner.path.is_ident("nulls_not_distinct") {
            marker.nulls_not_distinct = true;
        } else {
            unknown_key(cx, &inner, "column(unique(..))", "name, nulls_not_distinct")?;
        }
        Ok(())
    })?;
    marker.name = name.value;
    Ok(marker)
}
