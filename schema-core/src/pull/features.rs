//! The column types whose Rust types come from another crate, behind a schema-core feature:
//! which Rust type a pulled field gets, and what the pulled crate's manifest then needs.

use crate::model::{Schema, SqlType};

/// An optional schema-core feature a pulled column type needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Feature {
    /// `rust_decimal::Decimal` for `numeric`.
    Decimal,
    /// `cidr::IpInet`, `cidr::IpCidr` and `eui48::MacAddress` for `inet`, `cidr`, `macaddr`.
    Network,
}

impl Feature {
    fn name(self) -> &'static str {
        match self {
            Feature::Decimal => "decimal",
            Feature::Network => "network",
        }
    }

    /// The manifest lines of the crates the fields name, at the versions schema-core's codecs
    /// are for (a second major version would be a type without a codec).
    fn dependencies(self) -> &'static str {
        match self {
            Feature::Decimal => "rust_decimal = \"1\"\n",
            Feature::Network => {
                "cidr = \"0.3\"\neui48 = { version = \"1\", default-features = false }\n"
            }
        }
    }
}

/// The Rust type of a column of the built-in type `name` that another crate's type reads, and
/// the feature that maps it. `numeric(p,s)` is one too: its field also says `sql_type`.
pub(super) fn typed(name: &str) -> Option<(&'static str, Feature)> {
    // `inet` as `IpInet`, not `IpAddr`: an `IpAddr` drops the prefix length when it reads one,
    // and writes a host address back.
    match name {
        "inet" => Some(("cidr::IpInet", Feature::Network)),
        "cidr" => Some(("cidr::IpCidr", Feature::Network)),
        "macaddr" => Some(("eui48::MacAddress", Feature::Network)),
        "numeric" => Some(("rust_decimal::Decimal", Feature::Decimal)),
        _ if name.starts_with("numeric(") => Some(("rust_decimal::Decimal", Feature::Decimal)),
        _ => None,
    }
}

/// The features the schema's columns need, each once, in order.
fn needed(schema: &Schema) -> Vec<Feature> {
    let mut features: Vec<Feature> = schema
        .tables
        .iter()
        .flat_map(|t| t.columns.iter())
        .filter_map(|c| match &c.sql_type {
            SqlType::Other(name) => typed(name).map(|(_, feature)| feature),
            _ => None,
        })
        .collect();
    features.sort();
    features.dedup();
    features
}

/// The pulled manifest's schema-core dependency (`spec`, a version or `{ path = .. }`) with the
/// features the schema needs, and the lines of the crates its fields name.
pub(super) fn manifest_lines(schema: &Schema, spec: &str) -> (String, String) {
    lines(&needed(schema), spec)
}

fn lines(features: &[Feature], spec: &str) -> (String, String) {
    if features.is_empty() {
        return (spec.to_string(), String::new());
    }
    let names: Vec<String> = features.iter().map(|f| format!("{:?}", f.name())).collect();
    let names = names.join(", ");
    let dependency = match spec.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        Some(table) => format!("{{{}, features = [{names}] }}", table.trim_end()),
        None => format!("{{ version = {spec}, features = [{names}] }}"),
    };
    let crates = features.iter().map(|f| f.dependencies()).collect();
    (dependency, crates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_network_types_have_their_crates_types() {
        assert_eq!(
            typed("numeric(10,2)"),
            Some(("rust_decimal::Decimal", Feature::Decimal))
        );
        assert_eq!(
            typed("numeric"),
            Some(("rust_decimal::Decimal", Feature::Decimal))
        );
        assert_eq!(
            typed("macaddr"),
            Some(("eui48::MacAddress", Feature::Network))
        );
        assert_eq!(typed("macaddr8"), None);
        assert_eq!(typed("numeric[]"), None);
    }

    #[test]
    fn the_manifest_names_each_feature_with_its_crates() {
        let both = [Feature::Decimal, Feature::Network];
        let (dependency, crates) = lines(&both, "\"0.1.0\"");
        assert_eq!(
            dependency,
            "{ version = \"0.1.0\", features = [\"decimal\", \"network\"] }"
        );
        assert!(crates.contains("rust_decimal = \"1\"") && crates.contains("cidr = \"0.3\""));
        let (dependency, _) = lines(&both, "{ path = \"/x\" }");
        assert_eq!(
            dependency,
            "{ path = \"/x\", features = [\"decimal\", \"network\"] }"
        );
        assert_eq!(lines(&[], "\"0.1.0\""), ("\"0.1.0\"".into(), String::new()));
    }
}
