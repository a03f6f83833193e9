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
    /// `#[table(partition_by = "RANGE (payment_date)")]`, `#[table(partition_of = "payment",
    /// for_values = "FROM (..) TO (..)")]`: the table's `partition` text, as the catalog
    /// reader reads it.
    pub partition: Option<String>,
}

/// Parses `#[<macro_name>(...)]`'s own arguments.
pub fn parse_item_args(cx: &Ctxt, args: TokenStream, macro_name: &'static str) -> ItemArgs {
    let mut name = Once::new(macro_name, "name");
    let mut renamed_from = Once::new(macro_name, "renamed_from");
    let mut krate = Once::new(macro_name, "crate");
    let mut no_primary_key = Once::new(macro_name, "no_primary_key");
    let mut partition_by = Once::new(macro_name, "partition_by");
    let mut partition_of = Once::new(macro_name, "partition_of");
    let mut for_values = Once::new(macro_name, "for_values");
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
        } else if is_table && meta.path.is_ident("partition_by") {
            // #[table(partition_by = "RANGE (payment_date)")]: a partitioned table
            partition_by.set(cx, meta.path.span(), non_empty(&meta)?);
        } else if is_table && meta.path.is_ident("partition_of") {
            // #[table(partition_of = "payment", for_values = "FROM (..) TO (..)")]
            partition_of.set(cx, meta.path.span(), parse_name(&meta)?);
        } else if is_table && meta.path.is_ident("for_values") {
            for_values.set(cx, meta.path.span(), non_empty(&meta)?);
        } else if is_table {
            unknown_key(
                cx,
                &meta,
                macro_name,
                "name, renamed_from, crate, no_primary_key, partition_by, partition_of, \
                 for_values",
            )?;
        } else {
            unknown_key(cx, &meta, macro_name, "name, renamed_from, crate")?;
        }
        Ok(())
    });
    if let Err(err) = parser.parse2(args) {
        cx.syn_error(err);
    }
    let partition = partition(cx, partition_by.value, partition_of.value, for_values.value);
    ItemArgs {
        partition,
        name: name.value,
        renamed_from: renamed_from.value,
        krate: krate
            .value
            .unwrap_or_else(|| syn::parse_quote!(::schema_core)),
        no_primary_key: no_primary_key.value,
    }
}

/// A string literal that holds more than blanks.
fn non_empty(meta: &syn::meta::ParseNestedMeta) -> syn::Result<LitStr> {
    let lit: LitStr = meta.value()?.parse()?;
    if lit.value().trim().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            "write the SQL here; it cannot be empty",
        ));
    }
    Ok(lit)
}

/// The `partition` text of the model, as the catalog reader reads it: `PARTITION BY <key>`,
/// or `PARTITION OF <parent> FOR VALUES ..` (`PARTITION OF <parent> DEFAULT`), the parent
/// quoted as `quote_ident` quotes it. Misuse is reported at the key.
fn partition(
    cx: &Ctxt,
    by: Option<LitStr>,
    of: Option<Name>,
    values: Option<LitStr>,
) -> Option<String> {
    match (by, of, values) {
        (Some(by), Some(_), _) => {
            cx.error_at(
                by.span(),
                "a partition that is partitioned again cannot be written yet: give either \
                 `partition_by` or `partition_of`",
            );
            None
        }
        (Some(_), None, Some(values)) => {
            cx.error_at(
                values.span(),
                "`for_values` gives a partition's bounds; a partitioned table (`partition_by`) \
                 has none: remove it",
            );
            None
        }
        (Some(by), None, None) => Some(format!("PARTITION BY {}", by.value().trim())),
        (None, Some(of), Some(values)) => {
            let values = values.value();
            let values = values.trim();
            let bound = if values.eq_ignore_ascii_case("DEFAULT") {
                "DEFAULT".to_string()
            } else if values.starts_with("FOR VALUES ") {
                values.to_string()
            } else {
                format!("FOR VALUES {values}")
            };
            Some(format!(
                "PARTITION OF {} {bound}",
                schema_rules::sql::quote_ident_if_needed(&of.value)
            ))
        }
        (None, Some(of), None) => {
            cx.error_at(
                of.span,
                "a partition needs its bounds: add `for_values = \"FROM (..) TO (..)\"` (or \
                 `\"IN (..)\"`, `\"WITH (MODULUS .., REMAINDER ..)\"`, `\"DEFAULT\"`), as \
                 PostgreSQL prints them",
            );
            None
        }
        (None, None, Some(values)) => {
            cx.error_at(
                values.span(),
                "`for_values` gives a partition's bounds: it goes with \
                 `partition_of = \"<parent table>\"`",
            );
            None
        }
        (None, None, None) => None,
    }
}
