//! What changing a column's type takes: nothing, an explicit cast that keeps every value, an
//! explicit cast that may lose data (a destructive change), or a refusal when no cast can be
//! trusted to succeed on the rows already there.

use crate::model::{EnumDef, Schema, SqlType};
use crate::plan::Using;
use crate::sql::sql_type;

/// How a column moves from one type to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// PostgreSQL converts every value by itself.
    Implicit,
    /// The cast after `USING` converts every value without loss.
    Cast(Using),
    /// The cast after `USING` converts, but loses what the message says.
    Lossy {
        /// The cast that follows `USING`.
        using: Using,
        /// What the cast loses, e.g. `values longer than 20 characters are cut to 20`.
        loss: String,
    },
    /// No conversion is written; the message says why and what to do instead.
    Refused(String),
}

fn int_rank(t: &SqlType) -> Option<u8> {
    match t {
        SqlType::SmallInt => Some(1),
        SqlType::Integer => Some(2),
        SqlType::BigInt => Some(3),
        _ => None,
    }
}

fn float_rank(t: &SqlType) -> Option<u8> {
    match t {
        SqlType::Real => Some(1),
        SqlType::DoublePrecision => Some(2),
        _ => None,
    }
}

fn is_string(t: &SqlType) -> bool {
    matches!(t, SqlType::Text | SqlType::Varchar(_))
}

/// The conversion of a column from `from` (in `old`) to `to` (in `new`).
pub fn conversion(from: &SqlType, to: &SqlType, old: &Schema, new: &Schema) -> Conversion {
    let cast = Using::Cast;
    let refuse = |why: &str| {
        Conversion::Refused(format!(
            "{why}; add a new column, copy the values with the conversion you want, then drop the old column"
        ))
    };
    match (from, to) {
        _ if from == to => Conversion::Implicit,
        (SqlType::Varchar(a), SqlType::Varchar(b)) if b > a => Conversion::Implicit,
        (SqlType::Varchar(_), SqlType::Text) => Conversion::Implicit,
        (SqlType::Text | SqlType::Varchar(_), SqlType::Varchar(n)) => Conversion::Lossy {
            using: cast,
            loss: format!("values longer than {n} characters are cut to {n}"),
        },
        (_, SqlType::Text) => Conversion::Cast(cast),
        (_, SqlType::Varchar(n)) if !is_string(from) => Conversion::Lossy {
            using: cast,
            loss: format!("text forms longer than {n} characters are cut to {n}"),
        },
        _ if int_rank(from).is_some() && int_rank(to).is_some() => {
            if int_rank(to) > int_rank(from) {
                Conversion::Implicit
            } else {
                Conversion::Lossy {
                    using: cast,
                    loss: format!(
                        "a value outside the range of {} makes the migration fail",
                        sql_type(to)
                    ),
                }
            }
        }
        _ if float_rank(from).is_some() && float_rank(to).is_some() => {
            if float_rank(to) > float_rank(from) {
                Conversion::Implicit
            } else {
                Conversion::Lossy {
                    using: cast,
                    loss: "values lose precision".into(),
                }
            }
        }
        _ if int_rank(from).is_some() && float_rank(to).is_some() => Conversion::Cast(cast),
        _ if float_rank(from).is_some() && int_rank(to).is_some() => Conversion::Lossy {
            using: cast,
            loss: "fractions are rounded to whole numbers".into(),
        },
        (SqlType::Boolean, _) if int_rank(to).is_some() => Conversion::Cast(cast),
        (SqlType::Enum(a), SqlType::Enum(b)) => enum_to_enum(a, b, old, new),
        (f, t) if is_string(f) => refuse(&format!(
            "text values may not all read as {}, so the migration could fail",
            sql_type(t)
        )),
        (f, t) => refuse(&format!(
            "PostgreSQL has no safe cast from {} to {}",
            sql_type(f),
            sql_type(t)
        )),
    }
}

/// One enum to another is safe when every old label exists in the new type.
fn enum_to_enum(a: &str, b: &str, old: &Schema, new: &Schema) -> Conversion {
    let labels = |s: &Schema, n: &str| {
        s.enum_def(n)
            .map(|e: &EnumDef| e.labels.to_vec())
            .unwrap_or_default()
    };
    let (from, to) = (labels(old, a), labels(new, b));
    let missing: Vec<String> = from
        .iter()
        .filter(|l| !to.contains(l))
        .map(|l| crate::sql::quote_literal(l))
        .collect();
    if missing.is_empty() {
        Conversion::Cast(Using::ThroughText)
    } else {
        Conversion::Refused(format!(
            "the labels {} of `{a}` do not exist in `{b}`, so rows holding them could not be converted; add them to `{b}` first",
            missing.join(", ")
        ))
    }
}
