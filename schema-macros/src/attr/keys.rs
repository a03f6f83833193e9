//! The keys a field takes part in: `#[primary_key(..)]` on a field, `#[foreign_key(..)]`, and
//! how a key or a column is numbered (`serial`, `identity`).

use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Path, Token};

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
    /// `not_valid`: added `NOT VALID`, the rows already there never checked.
    pub not_valid: bool,
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

/// `identity` alone is `always`, PostgreSQL's strict form.
pub(super) fn parse_identity(meta: &ParseNestedMeta) -> syn::Result<IdentityKind> {
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

pub(super) fn parse_field_primary_key(cx: &Ctxt, attr: &Attribute) -> Option<PrimaryKeyMarker> {
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

pub(super) fn parse_foreign_key(cx: &Ctxt, attr: &Attribute) -> ForeignKey {
    let mut references = Once::new("foreign_key", "references");
    let mut on_delete = Once::new("foreign_key", "on_delete");
    let mut on_update = Once::new("foreign_key", "on_update");
    let mut name = Once::new("foreign_key", "name");
    let mut not_valid = Once::new("foreign_key", "not_valid");
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
        } else if meta.path.is_ident("not_valid") {
            // not_valid: added NOT VALID, the rows already there never checked
            not_valid.set(cx, meta.path.span(), ());
        } else {
            unknown_key(
                cx,
                &meta,
                "foreign_key",
                "references, on_delete, on_update, name, not_valid",
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
        not_valid: not_valid.value.is_some(),
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
