//! Peak heap memory of generation (validate, plan, render; and the diff of an evolved
//! schema) on the question-bank schema and on synthetic schemas of 10, 100 and 1,000 tables.
//!
//! ```text
//! cargo run --release --example bench_generation_memory
//! ```
//!
//! A counting global allocator records the live heap; each figure is the highest it went
//! above what was live before the step (the input schema is built beforehand and not counted).

use question_bank_db::synthetic;
use schema::SCHEMA as QUESTION_BANK;
use schema_core::diff::{self, DiffOptions};
use schema_core::model::Schema;
use schema_core::plan::plan_create;
use schema_core::registry::validate;
use schema_core::render;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed straight to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grow(new_size);
        }
        p
    }
}

fn grow(size: usize) {
    let live = LIVE.fetch_add(size, Relaxed) + size;
    PEAK.fetch_max(live, Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak heap above the live heap at the start, while `f` runs (its result included).
fn peak_of<T>(f: impl FnOnce() -> T) -> usize {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    let peak = PEAK.load(Relaxed) - before;
    drop(out);
    peak
}

fn row(label: &str, tables: usize, bytes: usize) {
    println!(
        "| {label:<26} | {tables:>6} | {bytes:>12} | {:>11.0} |",
        bytes as f64 / tables as f64
    );
}

fn measure(name: &str, schema: &Schema) {
    let tables = schema.tables.len();
    row(
        &format!("validate {name}"),
        tables,
        peak_of(|| validate(schema)),
    );
    row(
        &format!("plan+render {name}"),
        tables,
        peak_of(|| render::migration(&plan_create(schema), false)),
    );
}

fn main() {
    println!("| step                       | tables |   peak bytes | bytes/table |");
    println!("|----------------------------|-------:|-------------:|------------:|");
    measure("question_bank", &QUESTION_BANK);
    for n in [10, 100, 1_000] {
        measure(&format!("synthetic_{n}"), &synthetic::schema(n));
    }
    for n in [10, 100, 1_000] {
        let old = synthetic::schema(n);
        let new = synthetic::evolved(&old);
        let peak = peak_of(|| diff::steps(Some(&old), &new, &DiffOptions::default()));
        row(&format!("diff synthetic_{n}"), n, peak);
    }
}
