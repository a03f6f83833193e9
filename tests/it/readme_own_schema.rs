//! README "Use it for your own schema", followed as written: the files are the section's code
//! blocks (each marked `<!-- file: PATH -->`) and the commands are its `<!-- steps -->` block,
//! run one by one in a new crate against a database of the test's own. Only the registry
//! dependency on schema-core becomes a path to this checkout. Editing the section edits what
//! this test builds and runs.
//!
//! Slow: the first run builds the new crate's dependencies (into a target dir of its own
//! under the workspace's, which later runs reuse).

use std::path::Path;

use crate::support::cargo_crate;
use schema_core::testing::TestDatabase;

const SECTION: &str = "## Use it for your own schema";
const REGISTRY_DEPENDENCY: &str = "schema-core = \"0.1\"";

/// The section's text, from its heading to the next one of the same level.
fn section(readme: &str) -> &str {
    let start = readme.find(SECTION).expect("the README has the section");
    let rest = &readme[start + SECTION.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

/// The code block that follows the marker line `marker`, without the list item's indentation.
fn block_after(section: &str, marker: &str) -> String {
    let mut lines = section.lines().skip_while(|l| l.trim() != marker).skip(1);
    let fence = lines.next().unwrap_or_default();
    let indent = fence.len() - fence.trim_start().len();
    assert!(
        fence.trim_start().starts_with("```"),
        "`{marker}` is followed by a code block, not {fence:?}"
    );
    let mut text = String::new();
    for line in lines {
        if line.trim() == "```" {
            return text;
        }
        text.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        text.push('\n');
    }
    panic!("the code block after `{marker}` is not closed");
}

/// Every `<!-- file: PATH -->` of the section with the block below it.
fn files(section: &str) -> Vec<(String, String)> {
    section
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("<!-- file: ")?
                .strip_suffix(" -->")
                .map(str::to_string)
        })
        .map(|path| {
            let text = block_after(section, &format!("<!-- file: {path} -->"));
            (path, text)
        })
        .collect()
}

/// The commands of the steps block, without their comments.
fn steps(section: &str) -> Vec<String> {
    block_after(section, "<!-- steps -->")
        .lines()
        .map(|l| l.split(" #").next().unwrap_or_default().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn write_crate(dir: &Path, files: &[(String, String)]) {
    let _ = std::fs::remove_dir_all(dir);
    let schema_core = cargo_crate::schema_core_path();
    for (path, text) in files {
        let text = if path == "Cargo.toml" {
            assert_eq!(
                text.matches(REGISTRY_DEPENDENCY).count(),
                1,
                "the README's Cargo.toml names `{REGISTRY_DEPENDENCY}` once:\n{text}"
            );
            text.replace(
                REGISTRY_DEPENDENCY,
                &format!("schema-core = {{ path = {:?} }}", schema_core.display()),
            )
        } else {
            text.clone()
        };
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    cargo_crate::lock_like_the_checkout(dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_steps_build_a_crate_that_generates_migrates_and_verifies() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md");
    let section = section(&readme);
    let files = files(section);
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for needed in ["Cargo.toml", "build.rs", "src/lib.rs", "src/bin/migrate.rs"] {
        assert!(
            names.contains(&needed),
            "the section writes {needed}: {names:?}"
        );
    }
    let steps = steps(section);
    assert!(!steps.is_empty(), "the section has steps");

    let db = TestDatabase::create().await.unwrap();
    let dir = cargo_crate::crate_dir("readme");
    write_crate(&dir, &files);
    let target = cargo_crate::target_dir().join("user-crates");

    let mut log = String::new();
    for step in &steps {
        let ran = cargo_crate::run(&dir, step, &db.url(), &target);
        log.push_str(&ran.log);
        assert!(ran.ok, "a README step failed:\n{log}");
    }

    let client = db.connect().await.unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables, ["authors", "posts"], "{log}");
    let applied: i64 = client
        .query_one("SELECT count(*) FROM schema_migrations.ledger", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, 1, "{log}");
    assert!(
        log.contains("no drift"),
        "verify found the database as the code:\n{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
