//! The crate `pull` writes: its manifest, the schema, a `migrate` program, and the initial
//! migration rendered by the same code `generate` uses. A folder that exists is refused
//! unless forced, and then only the files an earlier `pull` wrote are replaced.

use super::PullError;
use crate::files::journal::MigrationsDir;
use crate::model::Schema;
use std::path::{Path, PathBuf};

/// The list of files `pull` wrote, kept in the crate so that `--force` replaces those only.
pub(super) const MANIFEST: &str = ".schema-core-pull";

/// How the pulled crate depends on schema-core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// From the registry, by version requirement (this crate's own version by default).
    Version(String),
    /// A checkout of schema-core, by path.
    Path(PathBuf),
}

impl Default for Dependency {
    fn default() -> Self {
        Dependency::Version(env!("CARGO_PKG_VERSION").into())
    }
}

/// A file of the crate and its text.
struct File {
    path: String,
    text: String,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PullError + '_ {
    move |source| PullError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The package name: the folder's name as cargo would take it.
fn package_name(dir: &Path) -> String {
    let name: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("db-{name}")
    } else {
        name
    }
}

fn cargo_toml(package: &str, dependency: &Dependency, schema: &Schema) -> String {
    let schema_core = match dependency {
        Dependency::Version(v) => format!("{v:?}"),
        Dependency::Path(p) => format!("{{ path = {:?} }}", p.display().to_string()),
    };
    let (schema_core, typed_crates) = super::features::manifest_lines(schema, &schema_core);
    format!(
        r#"[package]
name = "{package}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
schema-core = {schema_core}
uuid = {{ version = "1", features = ["v4", "serde"] }}
chrono = "0.4"
serde_json = "1"
{typed_crates}"#
    )
}

const BUILD_RS: &str = r#"fn main() {
    // `embed_migrations!` reads the folder when the program is built.
    println!("cargo:rerun-if-changed=migrations");
}
"#;

fn migrate_rs(package: &str) -> String {
    format!(
        r#"fn main() -> std::process::ExitCode {{
    schema_core::cli::Cli::new(&{}::SCHEMA)
        .migrations(schema_core::embed_migrations!("migrations"))
        .main()
}}
"#,
        package.replace('-', "_")
    )
}

/// Writes the crate for `schema` (whose code is `code`, the schema without carried objects)
/// into `dir`; returns the files written, relative to it, and one line per carried object.
pub(super) fn write(
    dir: &Path,
    schema: &Schema,
    code: &Schema,
    sources: Vec<(String, String)>,
    dependency: &Dependency,
    force: bool,
    origin: &str,
) -> Result<(Vec<String>, Vec<String>), PullError> {
    let package = package_name(dir);
    let mut files = vec![
        File {
            path: "Cargo.toml".into(),
            text: cargo_toml(&package, dependency, schema),
        },
        File {
            path: "build.rs".into(),
            text: BUILD_RS.into(),
        },
        File {
            path: "src/bin/migrate.rs".into(),
            text: migrate_rs(&package),
        },
    ];
    files.extend(sources.into_iter().map(|(path, text)| File { path, text }));
    let plan = super::migrations::Plan::of(schema);
    let migration_files = plan.files();
    let ours: Vec<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(migration_files.iter().map(String::as_str))
        .collect();
    claim(dir, &ours, force)?;
    for file in &files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, &file.text).map_err(io(&path))?;
    }
    // An earlier pull's migrations go, whatever their number: the folder is written anew.
    let migrations = dir.join("migrations");
    let listed = std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    for name in listed.lines().filter(|l| l.starts_with("migrations/")) {
        let path = dir.join(name.trim());
        if path.exists() {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    std::fs::create_dir_all(&migrations).map_err(io(&migrations))?;
    plan.write(&MigrationsDir::new(&migrations), schema, code, origin)?;
    let written: Vec<String> = ours
        .iter()
        .filter(|p| dir.join(p).exists())
        .map(|p| p.to_string())
        .collect();
    let manifest = dir.join(MANIFEST);
    let mut text = String::from("# Files written by `pull`; `pull --force` replaces these only.\n");
    for p in &written {
        text.push_str(p);
        text.push('\n');
    }
    std::fs::write(&manifest, text).map_err(io(&manifest))?;
    Ok((written, plan.report()))
}

/// Refuses a folder that holds anything unless `force`, and then any file `pull` would
/// write that an earlier `pull` did not.
fn claim(dir: &Path, ours: &[&str], force: bool) -> Result<(), PullError> {
    let occupied = match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(source) => {
            return Err(PullError::Io {
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    if !occupied {
        return Ok(());
    }
    if !force {
        return Err(PullError::Exists {
            dir: dir.to_path_buf(),
        });
    }
    let listed = std::fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    let listed: Vec<&str> = listed
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::trim)
        .collect();
    let foreign: Vec<PathBuf> = ours
        .iter()
        .filter(|p| dir.join(p).exists() && !listed.contains(p))
        .map(|p| dir.join(p))
        .collect();
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(PullError::NotOurs { files: foreign })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_follow_the_folder() {
        assert_eq!(package_name(Path::new("/x/shop_db")), "shop_db");
        assert_eq!(package_name(Path::new("/x/my db")), "my-db");
        assert_eq!(package_name(Path::new("/x/2024")), "db-2024");
    }
}
