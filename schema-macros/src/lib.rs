//! `#[table]` and `#[pg_enum]`: a PostgreSQL schema written as annotated Rust items.
//!
//! Each macro reads its attributes into types of their own (`attr`), builds a small model of
//! the item from the item and those (`ast`), checks the rules it can see by itself
//! (`check`), reports every error of the item together (`ctxt`), and expands to the item
//! (helper attributes stripped), a `const` descriptor, trait impls and trait-bound checks
//! for what only the compiler can see (`expand`). The imports go one way: `attr` and `ctxt`
//! at the bottom, then `ast`, then `check` and `expand`, then this file. Generated code
//! reaches the runtime through `schema_core::__private`. Use these macros through the `schema-core`
//! crate, which re-exports them.

mod ast;
mod attr;
mod check;
mod ctxt;
mod embed;
mod expand;

use proc_macro2::TokenStream;
use quote::quote;

/// A struct with named fields as a PostgreSQL table: one column per field.
///
/// ```text
/// #[table(name = "attempts")]                  // default: snake_case of the struct name
/// #[index(name = "attempts_user_answered_at_idx", on(user_id, answered_at(desc)))]
/// #[index(name = "attempts_ended_idx", on(ended_at(desc, nulls_last)))]  // asc | desc, and
///                                              // nulls_first | nulls_last; `desc` = plain DESC
/// #[unique_index(name = "attempts_x_uq", on(a, b))]
/// #[primary_key(a, b)]                         // composite key: `<table>_<a>_<b>_pk`
/// pub struct Attempt {
///     #[primary_key] pub id: Uuid,             // uuid, DEFAULT gen_random_uuid(), `<table>_pkey`
///     #[primary_key(natural)]                  // a key that is not a generated UUID, visibly
///     #[foreign_key(references = User::id, on_delete = cascade)]
///     pub user_id: Uuid,                       // on_delete: cascade | restrict | set_null
///                                              //            | set_default | no_action
///     #[column(varchar = 255)] pub slug: String,
///     #[column(default = now)] pub at: DateTime<Utc>,  // also: true/false, 0, "label"
///     #[column(name = "type", renamed_from = "kind")] pub kind: String,
/// }
/// ```
///
/// More of PostgreSQL, each read back by the catalog reader as declared:
///
/// ```text
/// #[table(name = "page_views", no_primary_key)]   // no key, on purpose
/// #[primary_key(a, b, name = "pairs_pk")]          // a composite key under a name of its own
/// #[unique(on(a, b), name = "..", nulls_not_distinct)]
/// #[check(name = "orders_total_positive", sql = "(total > (0)::numeric)")]
/// #[foreign_key(columns(order_id, line), references = OrderLine(order_id, line), on_delete = cascade)]
/// #[index(name = "..", on(title(opclass = "text_pattern_ops"), sql = "lower(email)"),
///         using = gin, predicate = "(deleted_at IS NULL)", include(a, b))]
///     #[primary_key(serial, name = "orders_pk")] pub id: i32,   // also identity, identity = by_default
///     #[column(sql_type = "numeric(10,2)")] pub total: Decimal, // any FromSql/ToSql type
///     #[column(without_time_zone, default_sql = "CURRENT_TIMESTAMP")] pub at: NaiveDateTime,
///     #[column(varchar, unique, collate = "C")] pub code: String,
///     #[column(identity = by_default)] pub seq: i64,            // or serial
///     #[column(generated = "(total * (2)::numeric)", sql_type = "numeric")] pub doubled: Option<Decimal>,
///     #[foreign_key(references = User::id, on_delete = cascade, on_update = cascade, name = "..")]
/// ```
///
/// Put `#[table]` above the other attributes it reads. Table-level `renamed_from = "old"`
/// records a rename for schema evolution. Every field gets a `Column` const
/// (`Attempt::user_id`) and the struct implements `schema_core::Table`.
#[proc_macro_attribute]
pub fn table(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    table_inner(args.into(), item.into()).into()
}

/// A fieldless enum as a PostgreSQL enum type.
///
/// ```text
/// #[pg_enum(name = "stripe_subscription_status")]  // default: snake_case of the enum name
/// pub enum SubscriptionStatus {
///     Incomplete,                                  // label: snake_case of the variant
///     #[pg_enum(rename = "past_due", renamed_from = "overdue")]
///     PastDue,
/// }
/// ```
///
/// Derives `Clone, Copy, Debug, PartialEq, Eq, Hash` itself (do not repeat them), and
/// implements `schema_core::PgEnum`, `ToSql`/`FromSql` (for its own type name only) and
/// `schema_core::ColumnType`. `renamed_from = "old_type"` on the enum records a type rename.
#[proc_macro_attribute]
pub fn pg_enum(
    args: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    pg_enum_inner(args.into(), item.into()).into()
}

/// The migration files of a folder, compiled into the program, for
/// `Migrator::from_embedded`: a deployed binary then needs no folder beside it.
///
/// ```text
/// let migrations = schema_core::embed_migrations!("migrations"); // relative to Cargo.toml
/// ```
///
/// The files are chosen by the runner's rule (`NNNN_name.sql` and `NNNN_name.down.sql`); a
/// misnamed migration (`1_a.sql`, `0001_a.SQL`) stops the build, saying what to rename it to.
/// Editing a file rebuilds the program. To rebuild when a file is added or removed too, put
/// `println!("cargo:rerun-if-changed=migrations");` in the crate's `build.rs`.
#[proc_macro]
pub fn embed_migrations(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    embed::expand(input.into()).into()
}

fn table_inner(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::Item = match syn::parse2(item) {
        Ok(item) => item,
        Err(err) => return err.to_compile_error(),
    };
    let syn::Item::Struct(mut item) = item else {
        let err = syn::Error::new_spanned(
            item_keyword(&item),
            "#[table] goes on a struct with named fields, one per column: \
             `struct User { #[primary_key] id: Uuid, .. }`",
        );
        let err = err.to_compile_error();
        return quote!(#item #err);
    };
    let cx = ctxt::Ctxt::new();
    let table = ast::table_from_item(&cx, args, &mut item);
    if let Some(table) = &table {
        check::check_table(&cx, table);
    }
    let body = match &table {
        Some(table) if !cx.has_errors() => {
            let consts = expand::table::column_consts(table);
            let impls = expand::table::expand(table);
            quote!(#consts #impls)
        }
        Some(table) => {
            let consts = expand::table::column_consts(table);
            let stub = expand::table::stub(table);
            quote!(#consts #stub)
        }
        None => quote!(),
    };
    let errors = cx.check().err().map(|e| e.to_compile_error());
    quote!(#item #body #errors)
}

fn pg_enum_inner(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::Item = match syn::parse2(item) {
        Ok(item) => item,
        Err(err) => return err.to_compile_error(),
    };
    let syn::Item::Enum(mut item) = item else {
        let err = syn::Error::new_spanned(
            item_keyword(&item),
            "#[pg_enum] goes on an enum of unit variants, one per label: \
             `enum QuestionStatus { Draft, Published, Archived }`",
        );
        let err = err.to_compile_error();
        return quote!(#item #err);
    };
    let cx = ctxt::Ctxt::new();
    let model = ast::enum_from_item(&cx, args, &mut item);
    check::check_enum(&cx, &model);
    let all_unit = item
        .variants
        .iter()
        .all(|v| matches!(v.fields, syn::Fields::Unit));
    let body = if all_unit {
        // Also when there are other errors: the expansion is still valid code, so nothing
        // that uses the enum reports more.
        let derives = expand::pg_enum::derives();
        let impls = expand::pg_enum::expand(&model);
        quote!(#derives #item #impls)
    } else {
        let stub = expand::pg_enum::stub(&model);
        quote!(#item #stub)
    };
    let errors = cx.check().err().map(|e| e.to_compile_error());
    quote!(#body #errors)
}

/// The tokens to blame when a macro is put on the wrong kind of item.
fn item_keyword(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Enum(i) => {
            let (kw, ident) = (&i.enum_token, &i.ident);
            quote!(#kw #ident)
        }
        syn::Item::Struct(i) => {
            let (kw, ident) = (&i.struct_token, &i.ident);
            quote!(#kw #ident)
        }
        syn::Item::Union(i) => {
            let (kw, ident) = (&i.union_token, &i.ident);
            quote!(#kw #ident)
        }
        syn::Item::Fn(i) => {
            let (kw, ident) = (&i.sig.fn_token, &i.sig.ident);
            quote!(#kw #ident)
        }
        other => quote!(#other),
    }
}

#[cfg(test)]
mod tests;
