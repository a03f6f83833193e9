//! What every attribute parser shares: a name with its span, the once-only key, the answer to
//! an unknown key.

use crate::ctxt::Ctxt;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{LitStr, Token};

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

/// A key that may be given once; a second occurrence is reported where it is written.
pub struct Once<T> {
    attr: &'static str,
    key: &'static str,
    pub value: Option<T>,
}

impl<T> Once<T> {
    pub fn new(attr: &'static str, key: &'static str) -> Self {
        Once {
            attr,
            key,
            value: None,
        }
    }

    pub fn set(&mut self, cx: &Ctxt, span: Span, value: T) {
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
pub fn unknown_key(
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

pub fn parse_name(meta: &ParseNestedMeta) -> syn::Result<Name> {
    let lit: LitStr = meta.value()?.parse()?;
    Ok(Name::from_lit(&lit))
}
