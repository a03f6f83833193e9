//! The arguments of the macro attribute itself: `#[table(...)]` and `#[pg_enum(...)]`.

use super::parse::{parse_name, unknown_key, Name, Once};
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::LitStr;

/// Arguments of the macro attribute itself, the same for `#[table(...)]` and
/// `#[pg_enum(...)]`: both name a relation or type and may declare its previous name.
pub struct ItemArgs {
    pub name: Option<Name>,
    pub renamed_from: Option<Name>,
    /// The path generated code reaches the engine through.
    pub krate: syn::Path,
    /// `#[table(no_primary_key)]`: the table has no key, on purpose (the `no_primary_key`
    /// word's span).
    pub no_primary_key: Option<proc_macro2::Span>,
}

/// Parses `#[<macro_name>(...)]`'s own arguments.
pub fn parse_item_args(cx: &Ctxt, args: TokenStream, macro_name: &'static str) -> ItemArgs {
    let mut name = Once::new(macro_name, "name");
    let mut renamed_from = Once::new(macro_name, "renamed_from");
    let mut krate = Once::new(macro_name, "crate");
    let mut no_primary_key = Once::new(macro_name, "no_primary_key");
    let is_table = macro_name == "table";
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
        } else if is_table && meta.path.is_ident("no_primary_key") {
            // #[table(no_primary_key)]: a log or a staging table, keyless on purpose
            no_primary_key.set(cx, meta.path.span(), meta.path.span());
        } else if is_table {
            unknown_key(
                cx,
                &meta,
                macro_name,
                "name, renamed_from, crate, no_primary_key",
            )?;
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
        no_primary_key: no_primary_key.value,
    }
}
