//! An application that only runs its embedded migrations at startup depends on schema-core
//! with `default-features = false`: the crate built here has neither the command line, the
//! lint nor TLS in its dependency tree, and still applies its migrations (one of them a
//! concurrent index build, which the runner reads without squawk's parser).
//!
//! Slow the first time: the new crate's dependencies are built into a target dir of their own
//! under the workspace's, which later runs reuse.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use schema_core::testing::TestDatabase;

const CARGO_TOML: &str = r#"[package]
name = "lean-app"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
schema-core = { path = "SCHEMA_CORE", default-features = false }
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
"#;

const BUILD_RS: &str = r#"fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
"#;

const MAIN_RS: &str = r#"use schema_core::{DatabaseConfig, Migrator};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let run = async {
        Migrator::from_embedded(&schema_core::embed_migrations!("migrations"))?
            .run(&DatabaseConfig::from_env()?)
            .await
    };
    match run.await {
        Ok(report) => {
            println!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", schema_core::error_chain(&e));
            std::process::ExitCode::FAILURE
        }
    }
}
"#;

const MIGRATIONS: [(&str, &str); 3] = [
    (
        "0000_authors.sql",
        "CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL);\n",
    ),
    (
        "0001_posts.sql",
        "CREATE TABLE posts (\n    id bigint PRIMARY KEY,\n    \
         author_id bigint NOT NULL REFERENCES authors (id),\n    slug text NOT NULL\n);\n",
    ),
    (
        "0002_posts_slug.sql",
        "-- schema:no-transaction\n\
         CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Posts_Slug\" ON posts (slug);\n",
    ),
];

/// Crates an application that runs its migrations at startup should not have to build.
const ABSENT: [&str; 5] = ["clap", "squawk", "rustls", "ring", "humantime"];

/// Outside the workspace (cargo would take a crate inside it for a member), at the same place
/// on every run so that cargo reuses what it built last time.
fn crate_dir() -> PathBuf {
    let checkout = env!("CARGO_MANIFEST_DIR").replace(['/', '\\', ':'], "_");
    std::env::temp_dir().join(format!("schema-core-lean{checkout}"))
}

fn write_crate(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema_core = root.join("schema-core");
    let cargo_toml = CARGO_TOML.replace("SCHEMA_CORE", &schema_core.display().to_string());
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), cargo_toml).unwrap();
    std::fs::write(dir.join("build.rs"), BUILD_RS).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN_RS).unwrap();
    for (name, sql) in MIGRATIONS {
        std::fs::write(dir.join("migrations").join(name), sql).unwrap();
    }
    // The versions this checkout is tested with, so the build needs no network.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

fn cargo(dir: &Path, args: &[&str], database_url: &str) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    tokio::task::block_in_place(|| {
        Command::new(cargo)
            .args(args)
            .arg("--offline")
            .current_dir(dir)
            .env(
                "CARGO_TARGET_DIR",
                crate::support::cargo_crate::target_dir().join("lean-runtime"),
            )
            .env("DATABASE_URL", database_url)
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("run cargo")
    })
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_without_default_features_has_no_cli_lint_or_tls_and_applies_its_migrations() {
    let db = TestDatabase::create().await.unwrap();
    let url = db.url();
    let dir = crate_dir();
    write_crate(&dir);

    let tree = cargo(
        &dir,
        &["tree", "-e", "normal,build", "--prefix", "none"],
        &url,
    );
    assert!(tree.status.success(), "cargo tree failed:\n{}", text(&tree));
    let tree = String::from_utf8_lossy(&tree.stdout).into_owned();
    assert!(tree.contains("schema-core v"), "{tree}");
    for crate_name in tree.lines().filter_map(|l| l.split_whitespace().next()) {
        assert!(
            !ABSENT.iter().any(|absent| crate_name.starts_with(absent)),
            "the lean build depends on {crate_name}:\n{tree}"
        );
    }

    let run = cargo(&dir, &["run", "--quiet"], &url);
    let log = text(&run);
    assert!(run.status.success(), "the app failed:\n{log}");

    let client = db.connect().await.unwrap();
    let applied: Vec<String> = client
        .query(
            "SELECT name FROM schema_migrations.ledger ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        applied,
        ["0000_authors.sql", "0001_posts.sql", "0002_posts_slug.sql"],
        "{log}"
    );
    let valid: bool = client
        .query_one(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE c.relname = 'Posts_Slug'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(valid, "{log}");

    // A URL that asks for TLS gets an error that names the feature, not a plain-text
    // connection.
    let separator = if url.contains('?') { '&' } else { '?' };
    let with_tls = format!("{url}{separator}sslmode=require");
    let refused = cargo(&dir, &["run", "--quiet"], &with_tls);
    let log = text(&refused);
    assert!(!refused.status.success(), "{log}");
    assert!(
        log.contains("sslmode=require needs TLS") && log.contains("`tls` feature"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
