//! The attributes on a field of a `#[table]`: `#[column]`, `#[primary_key]`, `#[foreign_key]`.

use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use schema_rules::types::canonical_type;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Path, Token};

/// PostgreSQL's upper bound for `varchar(N)`.
const MAX_VARCHAR: u32 = 10_485_760;

/// `#[primary_key]`, `#[primary_key(natural)]`, `#[primary_key(serial)]`,
/// `#[primary_key(identity)]` on a field, with an optional `name = ".."`.
#[derive(Clone)]
pub struct PrimaryKeyMarker {
    pub span: Span,
    pub natural: bool,
    /// `serial` or `identity`: a key the server numbers.
    pub generation: Option<(Generation, Span)>,
    /// The constraint's name, when not the derived `<table>_pkey`.
    pub name: Option<Name>,
}

impl PrimaryKeyMarker {
    /// A UUID key with `DEFAULT gen_random_uuid()`: neither natural nor numbered.
    pub fn is_uuid(&self) -> bool {
        !self.natural && self.generation.is_none()
    }
}

/// How the server numbers an integer column: `serial` (a default from an owned sequence) or
/// an identity column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generation {
    Serial,
    Identity(IdentityKind),
}

/// `identity` (= `always`) or `identity = by_default`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    Always,
    ByDefault,
}

impl IdentityKind {
    /// The variant of `schema_core::model::Identity` this stands for.
    pub fn variant(self) -> &'static str {
        match self {
            IdentityKind::Always => "Always",
            IdentityKind::ByDefault => "ByDefault",
        }
    }
}

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

/// `#[foreign_key(references = Table::column, on_delete = ..., on_update = ..., name = "..")]`.
pub struct ForeignKey {
    /// The `foreign_key` word, blamed when a required key is missing.
    pub span: Span,
    /// The attribute did not parse to its end: missing keys are not reported on top.
    pub malformed: bool,
    pub references: Option<Path>,
    pub on_delete: Option<(OnDelete, Span)>,
    pub on_update: Option<(OnDelete, Span)>,
    pub name: Option<Name>,
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

/// `identity` alone is `always`, PostgreSQL's strict form.
fn parse_identity(meta: &ParseNestedMeta) -> syn::Result<IdentityKind> {
    if !meta.input.peek(Token![=]) {
        return Ok(IdentityKind::Always);
    }
    let word: Ident = meta.value()?.parse()?;
    match word.to_string().as_str() {
        "always" => Ok(IdentityKind::Always),
        "by_default" => Ok(IdentityKind::ByDefault),
        _ => Err(syn::Error::new(
            word.span(),
            format!("unknown identity kind `{word}`; write `identity = always` or `identity = by_default`"),
        )),
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

fn parse_field_primary_key(cx: &Ctxt, attr: &Attribute) -> Option<PrimaryKeyMarker> {
    let mut marker = PrimaryKeyMarker {
        span: attr.path().span(),
        natural: false,
        generation: None,
        name: None,
    };
    if matches!(attr.meta, syn::Meta::Path(_)) {
        // #[primary_key]
        return Some(marker);
    }
    let mut generation = Once::new("primary_key", "natural`/`serial`/`identity");
    let mut name = Once::new("primary_key", "name");
    let result = attr.parse_nested_meta(|meta| {
        let span = meta.path.span();
        if meta.path.is_ident("natural") {
            // #[primary_key(natural)]: a key that is not a generated UUID, on purpose
            generation.set(cx, span, None);
        } else if meta.path.is_ident("serial") {
            // #[primary_key(serial)]: an integer numbered by a sequence the column owns
            generation.set(cx, span, Some((Generation::Serial, span)));
        } else if meta.path.is_ident("identity") {
            // #[primary_key(identity)], identity = by_default
            let kind = parse_identity(&meta)?;
            generation.set(cx, span, Some((Generation::Identity(kind), span)));
        } else if meta.path.is_ident("name") {
            // #[primary_key(name = "accounts_pk")]
            name.set(cx, span, parse_name(&meta)?);
        } else {
            unknown_key(cx, &meta, "primary_key", "natural, serial, identity, name")?;
        }
        Ok(())
    });
    if let Err(err) = result {
        cx.syn_error(err);
    }
    match generation.value {
        Some(None) => marker.natural = true,
        Some(Some(numbered)) => marker.generation = Some(numbered),
        None => {}
    }
    marker.name = name.value;
    // Kept even when malformed, so that "no primary key" does not follow from a typo.
    Some(marker)
}

fn parse_foreign_key(cx: &Ctxt, attr: &Attribute) -> ForeignKey {
    let mut references = Once::new("foreign_key", "references");
    let mut on_delete = Once::new("foreign_key", "on_delete");
    let mut on_update = Once::new("foreign_key", "on_update");
    let mut name = Once::new("foreign_key", "name");
    let mut misspelled = false;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("references") {
            // references = User::id
            let path: Path = meta.value()?.parse()?;
            references.set(cx, meta.path.span(), path);
        } else if meta.path.is_ident("on_delete") {
            // on_delete = cascade | restrict | set_null | set_default | no_action
            let action = parse_action(&meta, "ON DELETE")?;
            on_delete.set(cx, meta.path.span(), action);
        } else if meta.path.is_ident("on_update") {
            // on_update = cascade | restrict | set_null | set_default | no_action
            let action = parse_action(&meta, "ON UPDATE")?;
            on_update.set(cx, meta.path.span(), action);
        } else if meta.path.is_ident("name") {
            // name = "orders_customer_fk"
            name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else {
            unknown_key(
                cx,
                &meta,
                "foreign_key",
                "references, on_delete, on_update, name",
            )?;
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
        on_update: on_update.value,
        name: name.value,
    }
}

pub(super) fn parse_action(meta: &ParseNestedMeta, clause: &str) -> syn::Result<(OnDelete, Span)> {
    let word: Ident = meta.value()?.parse()?;
    let action = OnDelete::from_keyword(&word.to_string()).ok_or_else(|| {
        syn::Error::new(
            word.span(),
            format!(
                "unknown {clause} action `{word}`; write one of: {}",
                OnDelete::KEYWORDS
            ),
        )
    })?;
    Ok((action, word.span()))
}
