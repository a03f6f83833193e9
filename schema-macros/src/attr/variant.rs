//! The attributes of a `#[pg_enum]`: its variants' renames, and the derives it writes itself.
//! The enum's own arguments are parsed as a table's are (`item_args`).

use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use syn::spanned::Spanned;
use syn::{Attribute, Path, Token};

/// `#[pg_enum(...)]` on a variant, removed as it is read.
#[derive(Default)]
pub struct VariantAttrs {
    pub rename: Option<Name>,
    pub renamed_from: Option<Name>,
}

pub fn take_variant_attrs(cx: &Ctxt, attrs: &mut Vec<Attribute>) -> VariantAttrs {
    let mut rename = Once::new("pg_enum", "rename");
    let mut renamed_from = Once::new("pg_enum", "renamed_from");
    attrs.retain(|attr| {
        if !attr.path().is_ident("pg_enum") {
            return true;
        }
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                // #[pg_enum(rename = "past_due")]
                rename.set(cx, meta.path.span(), parse_name(&meta)?);
            } else if meta.path.is_ident("renamed_from") {
                // #[pg_enum(renamed_from = "old_label")]
                renamed_from.set(cx, meta.path.span(), parse_name(&meta)?);
            } else {
                unknown_key(cx, &meta, "pg_enum", "rename, renamed_from")?;
            }
            Ok(())
        });
        if let Err(err) = result {
            cx.syn_error(err);
        }
        false
    });
    VariantAttrs {
        rename: rename.value,
        renamed_from: renamed_from.value,
    }
}

/// The derives `#[pg_enum]` writes itself.
pub const ENUM_DERIVES: [&str; 6] = ["Clone", "Copy", "Debug", "PartialEq", "Eq", "Hash"];

/// Reports, and removes so that no "conflicting implementations" error follows, a derive
/// the user wrote that `#[pg_enum]` already writes.
pub fn strip_own_derives(cx: &Ctxt, attrs: &mut Vec<Attribute>) {
    use syn::punctuated::Punctuated;
    attrs.retain_mut(|attr| {
        if !attr.path().is_ident("derive") {
            return true;
        }
        let Ok(paths) = attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
        else {
            return true;
        };
        let (own, rest): (Vec<_>, Vec<_>) = paths.into_iter().partition(|p| {
            p.segments
                .last()
                .is_some_and(|s| ENUM_DERIVES.iter().any(|d| s.ident == d))
        });
        for path in &own {
            cx.error_spanned_by(
                path,
                format!(
                    "#[pg_enum] already derives {}: remove this one",
                    ENUM_DERIVES.join(", ")
                ),
            );
        }
        if own.is_empty() {
            return true;
        }
        if rest.is_empty() {
            return false;
        }
        *attr = syn::parse_quote!(#[derive(#(#rest),*)]);
        true
    });
}
