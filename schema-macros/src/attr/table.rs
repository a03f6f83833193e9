//! The attributes on a `#[table]` struct: its indexes and its composite primary key.

use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Ident};

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
