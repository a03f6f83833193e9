//! `embed_migrations!("migrations")`: the migration files, read when the program is built.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use schema_rules::sql::{migration_file, MigrationFile};
use std::path::PathBuf;
use syn::LitStr;

/// Expands to a `schema_core::migrate::EmbeddedMigrations` holding the migrations and downs
/// at the top of the folder, chosen by the rule the runner reads a folder by
/// (`schema_rules::sql::migration_file`). A file meant as a migration but misnamed stops the
/// build, naming the file and what to rename it to, as the runner would refuse it. Each file
/// goes through `include_bytes!`, so editing one rebuilds the program; a file added or
/// removed needs `cargo:rerun-if-changed=<folder>` in a build script.
pub fn expand(input: TokenStream) -> TokenStream {
    match try_expand(input) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
    }
}

fn try_expand(input: TokenStream) -> syn::Result<TokenStream> {
    let lit: LitStr = syn::parse2(input).map_err(|e| {
        syn::Error::new(
            e.span(),
            "write the folder as a string relative to the crate's Cargo.toml: \
             embed_migrations!(\"migrations\")",
        )
    })?;
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(Span::call_site(), "CARGO_MANIFEST_DIR is not set"))?;
    let dir = root.join(lit.value());
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        syn::Error::new(
            lit.span(),
            format!(
                "cannot read the migrations folder `{}`: {e}; the path is relative to the \
                 crate's Cargo.toml (before the first migration, create the folder empty: \
                 `mkdir migrations`, then run `generate`)",
                dir.display()
            ),
        )
    })?;
    let mut files = Vec::new();
    let mut misnamed = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| syn::Error::new(lit.span(), format!("`{}`: {e}", dir.display())))?
            .path();
        if !path.is_file() {
            continue;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        match migration_file(name.as_deref().unwrap_or_default()) {
            MigrationFile::Up(_) | MigrationFile::Down(_) => {}
            MigrationFile::Misnamed(why) => {
                misnamed.push(format!("`{}` {why}", path.display()));
                continue;
            }
            MigrationFile::Skipped(_) | MigrationFile::Other => continue,
        }
        let (Some(name), Some(full)) = (name, path.to_str()) else {
            return Err(syn::Error::new(
                lit.span(),
                format!("`{}` is not a UTF-8 path", path.display()),
            ));
        };
        files.push((name, full.to_string()));
    }
    if !misnamed.is_empty() {
        misnamed.sort();
        return Err(syn::Error::new(lit.span(), misnamed.join("\n")));
    }
    files.sort();
    let dir_text = dir.to_string_lossy().into_owned();
    // `generate` rewrites the journal with every migration it writes: depending on it rebuilds
    // the program after the next `generate`, with no build script (the first one, before any
    // journal exists, is caught at run time).
    let journal = dir.join("meta").join("_journal.json");
    let journal = journal.to_str().filter(|_| journal.is_file()).map(|path| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    // The newest snapshot holds the objects carried migrations make, which the code does not
    // declare: `verify` on a deployed program needs it.
    let last_snapshot = match last_snapshot(&dir.join("meta")) {
        Some(path) => quote!(::core::option::Option::Some(::core::include_str!(#path))),
        None => quote!(::core::option::Option::None),
    };
    let files = files
        .iter()
        .map(|(name, full)| quote!((#name, ::core::include_bytes!(#full) as &[u8])));
    Ok(quote! {
        {
            #journal
            ::schema_core::migrate::EmbeddedMigrations {
                dir: #dir_text,
                files: &[#(#files),*],
                last_snapshot: #last_snapshot,
            }
        }
    })
}

/// The path of the highest-numbered `NNNN_snapshot.json` in `meta`, if any.
fn last_snapshot(meta: &std::path::Path) -> Option<String> {
    let mut snapshots: Vec<(u32, String)> = std::fs::read_dir(meta)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let path = e.path();
            let name = path.file_name()?.to_str()?;
            let idx = name.strip_suffix("_snapshot.json")?.parse().ok()?;
            Some((idx, path.to_str()?.to_string()))
        })
        .collect();
    snapshots.sort();
    snapshots.pop().map(|(_, path)| path)
}
