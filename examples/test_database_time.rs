//! How long a test waits for a database of its own with a migration folder applied: from the
//! folder's template (`TestDatabase::migrated`: a spare taken by renaming it, or with
//! `SCHEMA_TEST_SPARES=0` a copy made on the spot) against migrated on the spot
//! (`TestDatabase::migrated_slowly`). Each round times one of each, in alternating order;
//! dropping the databases is not counted. Before each timed step the process waits for its
//! refill of the spares to finish, so that no step shares the server with a copy. Prints the
//! medians and the ratio.
//!
//! ```text
//! cargo run --release --example test_database_time -- --dir migrations --rounds 21
//! SCHEMA_TEST_SPARES=0 cargo run --release --example test_database_time -- --dir migrations
//! ```
//!
//! Runs against `TEST_DATABASE_URL` (default: the local server), like the tests.

use std::time::{Duration, Instant};

use schema_core::migrate::Migrator;
use schema_core::testing::{refills_settled, TestDatabase, SPARES_VAR};

/// Longer than any refill of a few spares takes.
const SETTLE: Duration = Duration::from_secs(60);

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut dir = String::from("migrations");
    let mut rounds = 21usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dir" => dir = args.next().ok_or("--dir needs a folder")?,
            "--rounds" => rounds = args.next().ok_or("--rounds needs a number")?.parse()?,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let migrator = Migrator::from_dir(&dir)?;
    let how = match std::env::var(SPARES_VAR).as_deref() {
        Ok("0") => "copied",
        _ => "claimed",
    };

    // The first one builds the template (or finds it built): timed, but apart.
    let started = Instant::now();
    drop(TestDatabase::migrated(&migrator).await?);
    let first = started.elapsed();

    let (mut cloned, mut migrated) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        for slow in [round % 2 == 1, round % 2 == 0] {
            if !refills_settled(SETTLE).await {
                return Err("the spares' refill did not finish within a minute".into());
            }
            let started = Instant::now();
            let db = if slow {
                TestDatabase::migrated_slowly(&migrator).await?
            } else {
                TestDatabase::migrated(&migrator).await?
            };
            let took = started.elapsed();
            drop(db);
            if slow { &mut migrated } else { &mut cloned }.push(took);
        }
    }
    let (c, m) = (median(&mut cloned), median(&mut migrated));
    println!(
        "{dir}: {} migrations, {rounds} rounds; first (template built or found) {}",
        migrator.migrations().len(),
        ms(first)
    );
    println!(
        "{how} {} (min {}, max {}), migrated {} (min {}, max {}), migrated/{how} {:.1}x",
        ms(c),
        ms(cloned[0]),
        ms(cloned[cloned.len() - 1]),
        ms(m),
        ms(migrated[0]),
        ms(migrated[migrated.len() - 1]),
        m.as_secs_f64() / c.as_secs_f64()
    );
    Ok(())
}

/// Sorts `times` and returns the median.
fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    let n = times.len();
    if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
