//! The attributes on a `#[table]` struct: its indexes, its composite primary key, and its
//! unique and check constraints.

use super::keys::{parse_action, OnDelete};
use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Path};

/// The index access methods besides btree, PostgreSQL's default.
pub const INDEX_METHODS: &[&str] = &["btree", "gin", "gist", "hash", "brin", "spgist"];

/// `#[index(...)]` or `#[unique_index(...)]` on the struct.
pub struct Index {
    pub span: Span,
    /// The attribute did not parse to its end: missing keys are not reported on top.
    pub malformed: bool,
    pub unique: bool,
    pub name: Option<Name>,
    pub columns: Vec<IndexColumn>,
    /// `using = gin`: the access method; `None` for btree.
    pub method: Option<String>,
    /// `predicate = "(deleted_at IS NULL)"`: a partial index.
    pub predicate: Option<LitStr>,
    /// `include(a, b)`: columns stored in the index, no part of its key.
    pub include: Vec<Ident>,
}

/// One key of an index: a column, or an expression as PostgreSQL prints it.
pub enum IndexKey {
    Column(Ident),
    Expression(LitStr),
}

pub struct IndexColumn {
    pub key: IndexKey,
    pub desc: bool,
    /// `Some(true)` for `nulls_first`, `Some(false)` for `nulls_last`, `None` for the
    /// direction's default.
    pub nulls_first: Option<bool>,
    /// `opclass = "text_pattern_ops"`.
    pub opclass: Option<LitStr>,
}

/// `#[primary_key(a, b)]` on the struct, with an optional `name = ".."`.
pub struct CompositeKey {
    pub span: Span,
    pub columns: Vec<Ident>,
    pub name: Option<Name>,
}

/// `#[unique(on(a, b), name = "..", nulls_not_distinct)]` on the struct.
pub struct UniqueConstraint {
    pub span: Span,
    pub malformed: bool,
    pub columns: Vec<Ident>,
    pub name: Option<Name>,
    pub nulls_not_distinct: bool,
}

/// `#[check(name = "..", sql = "(price > 0)")]` on the struct.
pub struct CheckConstraint {
    pub span: Span,
    pub malformed: bool,
    pub name: Option<Name>,
    pub sql: Option<LitStr>,
    /// `not_valid`: added `NOT VALID`, the rows already there never checked.
    pub not_valid: bool,
}

/// `#[foreign_key(columns(a, b), references = Target(x, y), on_delete = ..)]` on the struct:
/// a key over several columns.
pub struct CompositeForeignKey {
    pub span: Span,
    pub malformed: bool,
    pub columns: Vec<Ident>,
    /// `Target`, the referenced struct.
    pub target: Option<Path>,
    pub target_columns: Vec<Ident>,
    pub on_delete: Option<(OnDelete, Span)>,
    pub on_update: Option<(OnDelete, Span)>,
    pub name: Option<Name>,
    /// `not_valid`: added `NOT VALID`, the rows already there never checked.
    pub not_valid: bool,
}

/// Struct-level attributes of a `#[table]`, removed from the item as they are read.
#[derive(Default)]
pub struct StructAttrs {
    pub indexes: Vec<Index>,
    pub composite_key: Option<CompositeKey>,
    pub uniques: Vec<UniqueConstraint>,
    pub checks: Vec<CheckConstraint>,
    pub foreign_keys: Vec<CompositeForeignKey>,
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
        } else if path.is_ident("unique") {
            // #[unique(on(starts_at, room_id), name = "..", nulls_not_distinct)]
            out.uniques.push(parse_unique(cx, attr));
        } else if path.is_ident("check") {
            // #[check(name = "products_price_positive", sql = "(price > (0)::numeric)")]
            out.checks.push(parse_check(cx, attr));
        } else if path.is_ident("foreign_key") {
            // #[foreign_key(columns(order_id, line), references = OrderLine(order_id, line),
            //     on_delete = cascade)]
            out.foreign_keys.push(parse_composite_foreign_key(cx, attr));
        } else if path.is_ident("column") {
            cx.error_spanned_by(
                attr,
                "#[column] goes on a field of the struct, not on the struct",
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
    let mut method = Once::new(which, "using");
    let mut predicate = Once::new(which, "predicate");
    let mut include = Once::new(which, "include");
    let mut misspelled = false;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            // name = "users_email_uq"
            name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("on") {
            // on(status, created_at(desc)), on(title(opclass = "gin_trgm_ops")),
            // on(sql = "lower(email::text)")
            let mut cols = Vec::new();
            meta.parse_nested_meta(|col| {
                cols.push(parse_index_key(cx, which, &col)?);
                Ok(())
            })?;
            columns.set(cx, meta.path.span(), cols);
        } else if meta.path.is_ident("using") {
            // using = gin | gist | hash | brin | spgist
            let word: Ident = meta.value()?.parse()?;
            let text = word.to_string();
            if !INDEX_METHODS.contains(&text.as_str()) {
                return Err(syn::Error::new(
                    word.span(),
                    format!(
                        "unknown index method `{word}`; write one of: {}",
                        INDEX_METHODS.join(", ")
                    ),
                ));
            }
            method.set(cx, meta.path.span(), text);
        } else if meta.path.is_ident("predicate") {
            // predicate = "(deleted_at IS NULL)": a partial index
            let lit: LitStr = meta.value()?.parse()?;
            predicate.set(cx, meta.path.span(), lit);
        } else if meta.path.is_ident("include") {
            // include(title, created_at)
            include.set(cx, meta.path.span(), parse_idents(&meta)?);
        } else if meta.path.is_ident("not_valid") {
            cx.syn_error(meta.error(NOT_VALID_ONLY));
            misspelled = true;
        } else {
            unknown_key(cx, &meta, which, "name, on, using, predicate, include")?;
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
        // btree is the default, which the model holds as no method.
        method: method.value.filter(|m| m != "btree"),
        predicate: predicate.value,
        include: include.value.unwrap_or_default(),
    }
}

/// One key of `on(..)`: `col`, `col(desc, nulls_last, opclass = "..")`, or
/// `sql = "expression"`.
fn parse_index_key(
    cx: &Ctxt,
    which: &'static str,
    col: &ParseNestedMeta,
) -> syn::Result<IndexColumn> {
    if col.path.is_ident("sql") {
        let lit: LitStr = col.value()?.parse()?;
        return Ok(IndexColumn {
            key: IndexKey::Expression(lit),
            desc: false,
            nulls_first: None,
            opclass: None,
        });
    }
    let ident = col.path.require_ident()?.clone();
    let mut desc = Once::new(which, "asc`/`desc");
    let mut nulls_first = Once::new(which, "nulls_first`/`nulls_last");
    let mut opclass = Once::new(which, "opclass");
    if col.input.peek(syn::token::Paren) {
        // created_at(desc), created_at(asc), ended_at(desc, nulls_last),
        // title(opclass = "gin_trgm_ops")
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
            } else if opt.path.is_ident("opclass") {
                let lit: LitStr = opt.value()?.parse()?;
                opclass.set(cx, span, lit);
            } else {
                return Err(opt.error(
                    "expected `asc` or `desc`, optionally `nulls_first` or `nulls_last`, and \
                     `opclass = \"..\"`, e.g. `ended_at(desc, nulls_last)`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(IndexColumn {
        key: IndexKey::Column(ident),
        desc: desc.value.unwrap_or(false),
        nulls_first: nulls_first.value,
        opclass: opclass.value,
    })
}

/// `(a, b)`: a list of column names.
fn parse_idents(meta: &ParseNestedMeta) -> syn::Result<Vec<Ident>> {
    let mut idents = Vec::new();
    meta.parse_nested_meta(|inner| {
        idents.push(inner.path.require_ident()?.clone());
        Ok(())
    })?;
    Ok(idents)
}

fn parse_unique(cx: &Ctxt, attr: &Attribute) -> UniqueConstraint {
    let mut name = Once::new("unique", "name");
    let mut columns = Once::new("unique", "on");
    let mut nulls_not_distinct = false;
    let mut misspelled = false;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("on") {
            columns.set(cx, meta.path.span(), parse_idents(&meta)?);
        } else if meta.path.is_ident("nulls_not_distinct") {
            nulls_not_distinct = true;
        } else if meta.path.is_ident("not_valid") {
            cx.syn_error(meta.error(NOT_VALID_ONLY));
            misspelled = true;
        } else {
            unknown_key(cx, &meta, "unique", "on, name, nulls_not_distinct")?;
            misspelled = true;
        }
        Ok(())
    });
    let malformed = result.is_err() || misspelled;
    if let Err(err) = result {
        cx.syn_error(err);
    }
    UniqueConstraint {
        span: attr.path().span(),
        malformed,
        columns: columns.value.unwrap_or_default(),
        name: name.value,
        nulls_not_distinct,
    }
}

/// What a `not_valid` where PostgreSQL cannot have one is answered with.
pub(super) const NOT_VALID_ONLY: &str = "only a check or a foreign key can be `not_valid` \
     (PostgreSQL validates a unique constraint or an index as it builds it)";

fn parse_check(cx: &Ctxt, attr: &Attribute) -> CheckConstraint {
    let mut name = Once::new("check", "name");
    let mut sql = Once::new("check", "sql");
    let mut not_valid = Once::new("check", "not_valid");
    let mut misspelled = false;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if meta.path.is_ident("sql") {
            let lit: LitStr = meta.value()?.parse()?;
            sql.set(cx, meta.path.span(), lit);
        } else if meta.path.is_ident("not_valid") {
            // not_valid: added NOT VALID, the rows already there never checked
            not_valid.set(cx, meta.path.span(), ());
        } else {
            unknown_key(cx, &meta, "check", "name, sql, not_valid")?;
            misspelled = true;
        }
        Ok(())
    });
    let malformed = result.is_err() || misspelled;
    if let Err(err) = result {
        cx.syn_error(err);
    }
    CheckConstraint {
        span: attr.path().span(),
        malformed,
        name: name.value,
        sql: sql.value,
        not_valid: not_valid.value.is_some(),
    }
}

fn parse_composite_foreign_key(cx: &Ctxt, attr: &Attribute) -> CompositeForeignKey {
    let mut columns = Once::new("foreign_key", "columns");
    let mut references = Once::new("foreign_key", "references");
    let mut on_delete = Once::new("foreign_key", "on_delete");
    let mut on_update = Once::new("foreign_key", "on_update");
    let mut name = Once::new("foreign_key", "name");
    let mut not_valid = Once::new("foreign_key", "not_valid");
    let mut misspelled = false;
    let result = attr.parse_nested_meta(|meta| {
        let span = meta.path.span();
        if meta.path.is_ident("columns") {
            columns.set(cx, span, parse_idents(&meta)?);
        } else if meta.path.is_ident("references") {
            // references = OrderLine(order_id, line)
            let input = meta.value()?;
            let target = Path::parse_mod_style(input)?;
            let content;
            syn::parenthesized!(content in input);
            let list = content.parse_terminated(Ident::parse_any, syn::Token![,])?;
            references.set(cx, span, (target, list.into_iter().collect::<Vec<_>>()));
        } else if meta.path.is_ident("on_delete") {
            on_delete.set(cx, span, parse_action(&meta, "ON DELETE")?);
        } else if meta.path.is_ident("on_update") {
            on_update.set(cx, span, parse_action(&meta, "ON UPDATE")?);
        } else if meta.path.is_ident("name") {
            name.set(cx, span, parse_name(&meta)?);
        } else if meta.path.is_ident("not_valid") {
            not_valid.set(cx, span, ());
        } else {
            unknown_key(
                cx,
                &meta,
                "foreign_key",
                "columns, references, on_delete, on_update, name, not_valid",
            )?;
            misspelled = true;
        }
        Ok(())
    });
    let malformed = result.is_err() || misspelled;
    if let Err(err) = result {
        cx.syn_error(err);
    }
    let (target, target_columns) = match references.value {
        Some((target, columns)) => (Some(target), columns),
        None => (None, Vec::new()),
    };
    CompositeForeignKey {
        span: attr.path().span(),
        malformed,
        columns: columns.value.unwrap_or_default(),
        target,
        target_columns,
        on_delete: on_delete.value,
        on_update: on_update.value,
        name: name.value,
        not_valid: not_valid.value.is_some(),
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
    let mut name = Once::new("primary_key", "name");
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            // #[primary_key(a, b, name = "pairs_pkey")]
            name.set(cx, meta.path.span(), parse_name(&meta)?);
        } else {
            columns.push(meta.path.require_ident()?.clone());
        }
        Ok(())
    });
    match result {
        Ok(()) => Some(CompositeKey {
            span: attr.path().span(),
            columns,
            name: name.value,
        }),
        Err(err) => {
            cx.syn_error(err);
            None
        }
    }
}
