//! What the schema language expresses of real schemas: each `.sql` file of a folder is loaded
//! with psql into a fresh database, read by the catalog reader, and counted by
//! `pull::coverage`. Prints, as Markdown, per schema its tables and how many of them the code
//! can express, then what stops the others, by kind, counted in tables across all schemas
//! (and in the tables where it is the only kind: those supporting it would win).
//! Each database is dropped when its schema is counted.
//!
//! ```text
//! cargo run --example real_coverage -- --dir ../shared/real-schemas [--top 15] [--psql psql]
//! ```
//!
//! Runs against `TEST_DATABASE_URL` (default: the local server), like the tests.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schema_core::catalog;
use schema_core::pull;
use schema_core::testing::TestDatabase;

struct Args {
    dir: PathBuf,
    top: usize,
    psql: String,
}

fn args() -> Result<Args, Box<dyn std::error::Error>> {
    let mut parsed = Args {
        dir: PathBuf::from("../shared/real-schemas"),
        top: 15,
        psql: "psql".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dir" => parsed.dir = args.next().ok_or("--dir needs a folder")?.into(),
            "--top" => parsed.top = args.next().ok_or("--top needs a number")?.parse()?,
            "--psql" => parsed.psql = args.next().ok_or("--psql needs a program")?,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    Ok(parsed)
}

/// One schema's figures.
struct Counted {
    name: String,
    tables: usize,
    expressible: usize,
    schema_wide: usize,
    kinds: BTreeMap<String, usize>,
    /// Per kind, the tables it is the only kind of reason for: what supporting it would win.
    alone: BTreeMap<String, usize>,
}

async fn count(file: &std::path::Path, psql: &str) -> Result<Counted, Box<dyn std::error::Error>> {
    let db = TestDatabase::create().await?;
    let output = std::process::Command::new(psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url(), "-f"])
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run `{psql}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "psql -f {} failed:\n{}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let schema = catalog::read(&db.connect().await?, "public").await?;
    let coverage = pull::coverage(&schema);
    let mut alone = BTreeMap::new();
    for table in &coverage.tables {
        let mut kinds = table.reasons.iter().map(|r| &r.kind);
        if let Some(first) = kinds.next() {
            if kinds.all(|k| k == first) {
                *alone.entry(first.clone()).or_insert(0) += 1;
            }
        }
    }
    Ok(Counted {
        name: file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default(),
        tables: coverage.tables.len(),
        expressible: coverage.expressible(),
        schema_wide: coverage.schema_wide.len(),
        kinds: coverage.kinds(),
        alone,
    })
}

fn share(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{:.1} %", 100.0 * part as f64 / whole as f64)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .map_err(|e| format!("cannot read `{}`: {e}", args.dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no .sql files in `{}`", args.dir.display()).into());
    }
    let mut counted = Vec::new();
    for file in &files {
        counted.push(count(file, &args.psql).await?);
    }

    println!("| schema | tables | expressible | share | objects outside tables not expressible |");
    println!("|---|---:|---:|---:|---:|");
    let (mut tables, mut expressible) = (0, 0);
    let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for c in &counted {
        println!(
            "| {} | {} | {} | {} | {} |",
            c.name,
            c.tables,
            c.expressible,
            share(c.expressible, c.tables),
            c.schema_wide
        );
        tables += c.tables;
        expressible += c.expressible;
        for (kind, n) in &c.kinds {
            let entry = kinds.entry(kind.clone()).or_insert((0, 0));
            entry.0 += n;
            entry.1 += c.alone.get(kind).copied().unwrap_or(0);
        }
    }
    println!(
        "| **all {}** | {tables} | {expressible} | {} | {} |",
        counted.len(),
        share(expressible, tables),
        counted.iter().map(|c| c.schema_wide).sum::<usize>()
    );

    let mut ranked: Vec<(String, (usize, usize))> = kinds.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    println!();
    println!(
        "| what stops a table (top {} of {}) | tables | tables it alone stops |",
        args.top.min(ranked.len()),
        ranked.len()
    );
    println!("|---|---:|---:|");
    for (kind, (n, alone)) in ranked.iter().take(args.top) {
        println!("| {} | {n} | {alone} |", kind.replace('|', "\\|"));
    }
    Ok(())
}
