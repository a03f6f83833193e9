//! The `generate` command as a function, so the example stays a thin shell over it and tests
//! can run it against a directory of their own.

use super::{
    check, generate_report, unregistered_messages, GenerateError, GenerateOptions, Generated,
};
use crate::migrations_dir::MigrationsDir;
use crate::model::Schema;
use std::io::Write;
use std::path::PathBuf;

/// What the user asked for on the command line.
#[derive(Clone, Debug)]
pub struct CommandArgs {
    /// The migrations directory.
    pub dir: PathBuf,
    /// Only compare; write nothing; fail if anything differs.
    pub check: bool,
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
        let mut problems = unregistered;
        problems.extend(check(schema, &dir)?);
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
        return Ok(false);
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
    if !report.hazards.is_empty() {
        say(out, report.to_string().trim_end());
    }
    Ok(true)
}

fn say(out: &mut dyn Write, line: &str) {
    // Output is a courtesy; a closed stdout must not turn a written migration into a failure.
    let _ = writeln!(out, "{line}");
}
