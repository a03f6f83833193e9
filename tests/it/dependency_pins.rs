//! A user's resolver does not read our Cargo.lock: every crate whose newer versions need a Rust
//! newer than schema-core's `rust-version` must be pinned with `=` in schema-core's own
//! dependencies, transitive ones included, or `cargo add schema-core` builds with newer ones.

use std::collections::BTreeMap;
use std::process::Command;

/// Crate families whose newer releases raise their `rust-version` past ours.
const PINNED_FAMILIES: &[&str] = &["squawk-"];

fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo prints UTF-8")
}

/// schema-core's own dependencies as its manifest asks for them: name → version requirement.
fn schema_core_requirements() -> BTreeMap<String, String> {
    let metadata: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--no-deps", "--format-version", "1"]))
            .expect("cargo metadata is JSON");
    let package = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "schema-core")
        .expect("schema-core is a workspace member");
    package["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .filter(|d| d["kind"].is_null())
        .map(|d| {
            let name = d["name"].as_str().expect("name").to_string();
            (name, d["req"].as_str().expect("req").to_string())
        })
        .collect()
}

#[test]
fn every_squawk_crate_in_schema_cores_tree_is_pinned_to_its_locked_version() {
    let tree = cargo(&[
        "tree",
        "-p",
        "schema-core",
        "-e",
        "normal",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]);
    let requirements = schema_core_requirements();
    let mut checked = 0;
    for line in tree.lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        if !PINNED_FAMILIES.iter().any(|f| name.starts_with(f)) {
            continue;
        }
        let version = version.trim_start_matches('v');
        assert_eq!(
            requirements.get(name).map(String::as_str),
            Some(format!("={version}").as_str()),
            "{name} {version} is in schema-core's dependency tree but not pinned with \
             `{name} = \"={version}\"` in its Cargo.toml (through the workspace's dependencies)"
        );
        checked += 1;
    }
    assert!(checked >= 5, "the tree has the squawk crates:\n{tree}");
}
