//! The `generate` command as a function, so the example stays a thin shell over it and tests
//! can run it against a directory of their own.

use super::{
    carry, check_report, generate_report, prove, unregistered_messages, write_missing_downs,
    GenerateError, GenerateOptions, Generated, Proof, ProveError,
};
use crate::connection::DatabaseConfig;
use crate::files::journal::MigrationsDir;
use crate::model::Schema;
use std::io::Write;
use std::path::PathBuf;

/// What the user asked for on the command line.
#[derive(Clone, Debug, Default)]
pub struct CommandArgs {
    /// The migrations directory.
    pub dir: PathBuf,
    /// Only compare; write nothing; fail if anything differs.
    pub check: bool,
    /// Read the objects the carried migrations make on a shadow database into their
    /// snapshots (`--carry`), instead of generating.
    pub carry: bool,
    /// The server on which `check` proves the migrations in a temporary database
    /// (`--shadow-database-url`); else the one `DATABASE_URL` names (see
    /// [`DatabaseConfig::from_env`]).
    pub shadow_database_url: Option<String>,
    /// The server used when neither the shadow URL nor the environment names one: the
    /// program's default database (see [`DatabaseConfig::from_env_or`]).
    pub default_database_url: Option<String>,
    /// With `check`: check the files among themselves and against the code only, without
    /// proving their SQL on a shadow database (`--no-prove`). Without it, a check that cannot
    /// reach a server fails with [`GenerateError::NotProved`].
    pub no_prove: bool,
    /// The migration's name and what it may contain (`--name`, `--allow-destructive`,
    /// `--allow`, `--custom`, `--adopt`).
    pub options: GenerateOptions,
}

/// Runs `generate` (or `--check`), printing what it did to `out`. `Ok(true)` means success
/// (exit status 0); `Ok(false)` means `--check` found differences, listed in `out`.
pub fn run(
    schema: &Schema,
    args: &CommandArgs,
    out: &mut dyn Write,
) -> Result<bool, GenerateError> {
    let dir = MigrationsDir::new(&args.dir);
    // A table left out of the schema is never created; that is worth failing for in both modes.
    let unregistered = unregistered_messages(schema);
    if args.check {
        return run_check(schema, &dir, args, unregistered, out);
    }
    if args.carry {
        let report = on_shadow_server(args, async |server| carry(&dir, server).await).map_err(
            |e| match e {
                ProveError::Files(e) => e,
                e => GenerateError::NoShadow {
                    source: Box::new(e),
                },
            },
        )?;
        say(out, &report.to_string());
        return Ok(report.problems.is_empty());
    }
    if !unregistered.is_empty() {
        for problem in &unregistered {
            say(out, &format!("error: {problem}"));
        }
        return Ok(false);
    }
    let report = generate_report(schema, &dir, &args.options)?;
    match report.generated {
        Generated::UpToDate => say(
            out,
            &format!(
                "no schema change: `{}` already matches the code, nothing written",
                dir.root().display()
            ),
        ),
        Generated::Written(ref entries) => {
            for (entry, statements) in entries {
                if *statements == 0 {
                    say(
                        out,
                        &format!(
                            "`{}` is a custom migration (snapshot `{}`, the previous one): \
                             write its SQL, then `generate --check` proves it",
                            dir.sql_path(&entry.tag).display(),
                            dir.snapshot_path(entry.idx).display()
                        ),
                    );
                    continue;
                }
                say(
                    out,
                    &format!(
                        "wrote `{}` ({statements} statements) and `{}`",
                        dir.sql_path(&entry.tag).display(),
                        dir.snapshot_path(entry.idx).display()
                    ),
                );
            }
        }
    }
    if !report.changes.is_empty() {
        say(
            out,
            "the change, in the words `verify` uses for a database without it:",
        );
        for change in &report.changes {
            say(out, &format!("  - {change}"));
        }
    }
    // Downs of migrations written before downs existed, or deleted: written from their
    // snapshots, never over a file that is there.
    for path in write_missing_downs(&dir)? {
        say(out, &format!("wrote `{}`", path.display()));
    }
    if !report.hazards.is_empty() {
        say(out, report.to_string().trim_end());
    }
    Ok(true)
}

/// `--check`: the files among themselves and against the code, then the SQL itself on a
/// shadow database. A check that cannot prove fails ([`GenerateError::NotProved`]) unless
/// `--no-prove` says to skip the proof on purpose; a difference found without a proof is
/// still reported as one.
fn run_check(
    schema: &Schema,
    dir: &MigrationsDir,
    args: &CommandArgs,
    mut problems: Vec<String>,
    out: &mut dyn Write,
) -> Result<bool, GenerateError> {
    let report = check_report(schema, dir)?;
    problems.extend(report.problems);
    let mut notes = Vec::new();
    let not_proved = |notes: &mut Vec<String>, why: String| {
        notes.push(format!(
            "the SQL of the migrations was NOT proved: {why}\n  (only the journal, the snapshot \
             chain and the code against the last snapshot were checked)"
        ));
        for file in &report.edited {
            notes.push(format!(
                "not proved: `{file}` is not what generation writes for its snapshots \
                 (edited, or written by hand)"
            ));
        }
    };
    if args.no_prove {
        not_proved(&mut notes, "`--no-prove` was given".into());
    } else {
        match prove_on_server(schema, dir, args) {
            Ok(proof) if proof.is_proved() => notes.push(proof.to_string()),
            Ok(proof) => problems.push(proof.to_string()),
            Err(ProveError::Files(e)) => return Err(e),
            Err(e) if problems.is_empty() => {
                return Err(GenerateError::NotProved {
                    source: Box::new(e),
                    edited: report.edited,
                })
            }
            Err(e) => not_proved(&mut notes, crate::errors::error_chain(&e)),
        }
    }
    for note in &notes {
        say(out, note);
    }
    if problems.is_empty() {
        say(
            out,
            &format!(
                "`{}` is in step with the schema in code",
                dir.root().display()
            ),
        );
        return Ok(true);
    }
    for problem in &problems {
        say(out, &format!("error: {problem}"));
    }
    Ok(false)
}

/// The proof runs on a thread with a runtime of its own, so that the command can be called
/// from sync code and from inside an async runtime alike.
fn prove_on_server(
    schema: &Schema,
    dir: &MigrationsDir,
    args: &CommandArgs,
) -> Result<Proof, ProveError> {
    on_shadow_server(args, async |server| prove(schema, dir, server).await)
}

/// Runs `work` on the server of the shadow database (`--shadow-database-url`, else the
/// environment's or the program's default), on a thread with a runtime of its own.
fn on_shadow_server<T: Send>(
    args: &CommandArgs,
    work: impl AsyncFnOnce(&DatabaseConfig) -> Result<T, ProveError> + Send,
) -> Result<T, ProveError> {
    let server = match &args.shadow_database_url {
        Some(url) => DatabaseConfig::from_url_with_origin(url, "--shadow-database-url")?,
        None => DatabaseConfig::from_env_or(args.default_database_url.as_deref())?,
    };
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(ProveError::Runtime)?;
                runtime.block_on(work(&server))
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn say(out: &mut dyn Write, line: &str) {
    // Output is a courtesy; a closed stdout must not turn a written migration into a failure.
    let _ = writeln!(out, "{line}");
}
