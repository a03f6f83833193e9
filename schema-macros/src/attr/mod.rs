//! Attribute parsing: each attribute of `#[table]` and `#[pg_enum]` read into a type of its
//! own, which knows nothing of the item it sits on (`ast` builds the model from the item and
//! these). Each accepted form is shown beside the branch that reads it; every key may appear
//! once; an unknown key is answered with the list of accepted ones.
//!
//! The rooms: `parse` (what every parser shares), `item_args` (the macro's own arguments),
//! `table` (on the struct), `field` (`#[column]` on a field), `keys` (`#[primary_key]` and
//! `#[foreign_key]` on a field), `variant` (on an enum and its variants).

mod field;
mod item_args;
mod keys;
mod parse;
mod table;
mod variant;

pub use field::{take_field_attrs, DefaultValue, SqlTypeAttr, UniqueMarker, Varchar};
pub use item_args::parse_item_args;
pub use keys::{ForeignKey, Generation, OnDelete, PrimaryKeyMarker};
pub use parse::Name;
pub use table::{
    take_struct_attrs, CheckConstraint, CompositeForeignKey, CompositeKey, Index, IndexKey,
    UniqueConstraint,
};
pub use variant::{strip_own_derives, take_variant_attrs};
