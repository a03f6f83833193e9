//! Generation at scale: validation, planning, rendering and the schema diff, on the
//! question-bank schema and on synthetic schemas of 10, 100 and 1,000 tables.
//!
//! ```text
//! cargo bench --bench generation
//! ```
//!
//! Throughput is reported per table, so linear growth shows as a flat per-table figure.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use question_bank_db::synthetic;
use schema::SCHEMA as QUESTION_BANK;
use schema_core::diff::{self, DiffOptions};
use schema_core::model::Schema;
use schema_core::plan::plan_create;
use schema_core::registry::validate;
use schema_core::render;

const SIZES: [usize; 3] = [10, 100, 1_000];

fn inputs() -> Vec<(String, Schema)> {
    let mut all = vec![("question_bank".to_string(), QUESTION_BANK)];
    all.extend(SIZES.map(|n| (format!("synthetic_{n}"), synthetic::schema(n))));
    all
}

fn generation(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("generation");
    for (name, schema) in &inputs {
        group.throughput(Throughput::Elements(schema.tables.len() as u64));
        group.bench_with_input(BenchmarkId::new("validate", name), schema, |b, s| {
            b.iter(|| validate(black_box(s)))
        });
        group.bench_with_input(BenchmarkId::new("plan", name), schema, |b, s| {
            b.iter(|| plan_create(black_box(s)))
        });
        let plan = plan_create(schema);
        group.bench_with_input(BenchmarkId::new("render", name), &plan, |b, p| {
            b.iter(|| render::migration(black_box(p), false))
        });
        group.bench_with_input(BenchmarkId::new("plan_and_render", name), schema, |b, s| {
            b.iter(|| render::migration(&plan_create(black_box(s)), false))
        });
    }
    group.finish();
}

fn evolution(c: &mut Criterion) {
    let mut group = c.benchmark_group("diff");
    for n in SIZES {
        let old = synthetic::schema(n);
        let new = synthetic::evolved(&old);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("synthetic", n),
            &(old, new),
            |b, (old, new)| {
                b.iter(|| diff::steps(Some(black_box(old)), new, &DiffOptions::default()))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, generation, evolution);
criterion_main!(benches);
