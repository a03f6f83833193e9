//! Building and running a crate of its own that depends on this checkout's schema-core, as a
//! user's crate would: outside the workspace, offline, on the versions of this checkout's
//! Cargo.lock, with a target folder under the workspace's that later runs reuse.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's target folder (wherever CARGO_TARGET_DIR puts it).
pub fn target_dir() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    PathBuf::from(metadata["target_directory"].as_str().expect("target dir"))
}

/// A folder outside the workspace (cargo would take a crate inside it for a member), at the
/// same place on every run of this checkout, so that cargo reuses what it built last time.
pub fn crate_dir(name: &str) -> PathBuf {
    let checkout = env!("CARGO_MANIFEST_DIR").replace(['/', '\\', ':'], "_");
    std::env::temp_dir().join(format!("schema-core-{name}{checkout}"))
}

/// schema-core of this checkout.
pub fn schema_core_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema-core")
}

/// Gives the crate in `dir` the versions this checkout is tested with, so that its build needs
/// no network (the pins a fresh resolve depends on are checked by dependency_pins).
pub fn lock_like_the_checkout(dir: &Path) {
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
}

/// What a command printed, and whether it succeeded.
pub struct Ran {
    pub ok: bool,
    pub log: String,
}

/// Runs `sh -c step` in `dir` with `DATABASE_URL` set, offline, building into `target`.
pub fn run(dir: &Path, step: &str, database_url: &str, target: &Path) -> Ran {
    let output = tokio::task::block_in_place(|| {
        Command::new("sh")
            .args(["-c", step])
            .current_dir(dir)
            .env("DATABASE_URL", database_url)
            .env("CARGO_TARGET_DIR", target)
            .env("CARGO_NET_OFFLINE", "true")
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("run sh")
    });
    Ran {
        ok: output.status.success(),
        log: format!(
            "$ {step}\n{}{}\n",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
