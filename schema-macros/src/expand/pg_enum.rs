//! Code generated for a `#[pg_enum]`: the descriptor, `PgEnum`, the SQL codecs and the
//! column-type facts that let tables use the enum.

use crate::ast::Enum;
use crate::attr::Name;
use proc_macro2::TokenStream;
use quote::quote;

/// The derives every `#[pg_enum]` gets: `PgEnum` needs `Copy`, and the rest are what any
/// label-like value wants. Written by the macro so the user does not repeat them.
pub fn derives() -> TokenStream {
    quote!(#[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug,
        ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash)])
}

fn cow(name: &Name) -> TokenStream {
    let value = &name.value;
    quote!(__p::Cow::Borrowed(#value))
}

fn opt_cow(name: &Option<Name>) -> TokenStream {
    match name {
        Some(name) => {
            let cow = cow(name);
            quote!(::core::option::Option::Some(#cow))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// The impls of a well-formed enum.
pub fn expand(item: &Enum) -> TokenStream {
    let krate = &item.krate;
    let ident = &item.ident;
    let type_name = &item.name.value;
    let name = cow(&item.name);
    let renamed_from = opt_cow(&item.renamed_from);
    let labels: Vec<&str> = item
        .variants
        .iter()
        .map(|v| v.label.value.as_str())
        .collect();
    let variants: Vec<_> = item.variants.iter().map(|v| &v.ident).collect();
    let renames = item.variants.iter().filter_map(|v| {
        let from = &v.renamed_from.as_ref()?.value;
        let to = &v.label.value;
        Some(quote!(__p::LabelRename {
            from: __p::Cow::Borrowed(#from),
            to: __p::Cow::Borrowed(#to),
        }))
    });
    let unknown = format!("`{{}}` is not a label of enum `{type_name}`");
    quote! {
        const _: () = {
            use #krate::__private as __p;

            const LABELS: &[__p::Cow<'static, str>] = &[#(__p::Cow::Borrowed(#labels)),*];
            const RENAMED_LABELS: &[__p::LabelRename] = &[#(#renames),*];

            impl __p::PgEnum for #ident {
                const ENUM: __p::EnumDef = __p::EnumDef {
                    name: #name,
                    labels: __p::Cow::Borrowed(LABELS),
                    renamed_from: #renamed_from,
                    renamed_labels: __p::Cow::Borrowed(RENAMED_LABELS),
                };
                const VARIANTS: &'static [Self] = &[#(Self::#variants),*];

                fn label(self) -> &'static str {
                    match self {
                        #(Self::#variants => #labels,)*
                    }
                }

                fn from_label(label: &str) -> ::core::option::Option<Self> {
                    match label {
                        #(#labels => ::core::option::Option::Some(Self::#variants),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            impl __p::postgres_types::ToSql for #ident {
                fn to_sql(
                    &self,
                    _ty: &__p::postgres_types::Type,
                    out: &mut __p::bytes::BytesMut,
                ) -> ::core::result::Result<
                    __p::postgres_types::IsNull,
                    ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>,
                > {
                    out.extend_from_slice(__p::PgEnum::label(*self).as_bytes());
                    ::core::result::Result::Ok(__p::postgres_types::IsNull::No)
                }

                fn accepts(ty: &__p::postgres_types::Type) -> bool {
                    ty.name() == #type_name
                }

                __p::postgres_types::to_sql_checked!();
            }

            impl<'a> __p::postgres_types::FromSql<'a> for #ident {
                fn from_sql(
                    _ty: &__p::postgres_types::Type,
                    raw: &'a [u8],
                ) -> ::core::result::Result<
                    Self,
                    ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>,
                > {
                    let label = ::core::str::from_utf8(raw)?;
                    <Self as __p::PgEnum>::from_label(label)
                        .ok_or_else(|| ::std::format!(#unknown, label).into())
                }

                fn accepts(ty: &__p::postgres_types::Type) -> bool {
                    ty.name() == #type_name
                }
            }

            impl __p::ColumnType for #ident {
                const SQL_TYPE: __p::SqlType = __p::SqlType::Enum(#name);
                const NULLABLE: bool = false;
            }

            impl __p::NotNullColumn for #ident {}

            impl __p::StringDefaultColumn for #ident {
                const IS_ENUM: bool = true;
                const LABELS: &'static [&'static str] = &[#(#labels),*];
            }
        };
    }
}

/// Stand-ins emitted next to the errors of an enum with data variants (which cannot get
/// the derives or the codecs), so that tables using it report nothing more. Never run: the
/// program does not compile.
pub fn stub(item: &Enum) -> TokenStream {
    let krate = &item.krate;
    let ident = &item.ident;
    let name = cow(&item.name);
    quote! {
        const _: () = {
            use #krate::__private as __p;
            impl __p::ColumnType for #ident {
                const SQL_TYPE: __p::SqlType = __p::SqlType::Enum(#name);
                const NULLABLE: bool = false;
            }
            impl __p::NotNullColumn for #ident {}
        };
    }
}
