//! The `migrate` example as a user runs it: built once, run as a process in a folder of the
//! test's choosing, its output and exit code checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Builds the example once per test binary (a no-op when it is up to date) and asks cargo
/// where the executable is, so a custom target dir or profile layout still works.
pub fn migrate_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .args(["build", "--example", "migrate", "--message-format=json"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run cargo build");
        assert!(
            output.status.success(),
            "cargo build --example migrate failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["target"]["name"] == "migrate")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported the example's executable")
    })
}

/// Runs the example in `cwd` with no DATABASE_URL from the test's own environment.
pub fn migrate(cwd: &Path, args: &[&str]) -> Output {
    Command::new(migrate_bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run the migrate example")
}

pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A user error: non-zero exit, a message that says `expected`, no panic, no backtrace.
pub fn assert_user_error(output: &Output, expected: &[&str]) {
    let (stdout, stderr) = text(output);
    assert!(!output.status.success(), "succeeded:\n{stdout}{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for needle in expected {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    for noise in ["panicked", "backtrace", "RUST_BACKTRACE", "Error {"] {
        assert!(!stderr.contains(noise), "{noise:?} in:\n{stderr}");
    }
}

/// Starts the example in `cwd`, its output captured, for a test that acts while it runs.
pub fn spawn(cwd: &Path, args: &[&str]) -> std::process::Child {
    Command::new(migrate_bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env_remove("RUST_BACKTRACE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the migrate example")
}

/// Waits for `child` to exit; after `limit`, kills it and fails the test: a command that
/// waits without bound.
pub fn finish_within(mut child: std::process::Child, limit: std::time::Duration) -> Output {
    let started = std::time::Instant::now();
    while child.try_wait().expect("poll the child").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let (stdout, stderr) = text(&child.wait_with_output().expect("collect output"));
            panic!("still running after {limit:?}, killed:\n{stdout}{stderr}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect output")
}
