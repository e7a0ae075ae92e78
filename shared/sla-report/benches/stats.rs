//! Percentiles and Kaplan-Meier over 100,000 business durations (a large row of a report).

use criterion::{criterion_group, criterion_main, Criterion};
use sla_report::stats::{nearest_rank, Counts, KaplanMeier, Observation};

/// Deterministic durations: SplitMix64 over a seed, up to 5 business days, 10% open.
fn observations(count: usize) -> Vec<Observation> {
    let mut state: u64 = 1;
    (0..count)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            Observation {
                seconds: (z % 144_000) as i64,
                done: !z.is_multiple_of(10),
            }
        })
        .collect()
}

fn stats(c: &mut Criterion) {
    let observations = observations(100_000);
    let seconds: Vec<i64> = observations.iter().map(|o| o.seconds).collect();
    c.bench_function("sort + p50/p90/p95, 100k durations", |b| {
        b.iter(|| {
            let mut sorted = seconds.clone();
            sorted.sort_unstable();
            [50.0, 90.0, 95.0].map(|p| nearest_rank(&sorted, p))
        })
    });
    let mut counts: Counts = seconds.iter().copied().collect();
    counts.compact();
    let distinct = counts.iter().count();
    eprintln!(
        "Counts of 100k durations: {distinct} distinct values in {} heap bytes ({:.2} a value)",
        counts.heap_bytes(),
        counts.heap_bytes() as f64 / distinct as f64
    );
    c.bench_function("count + p50/p90/p95, 100k durations", |b| {
        b.iter(|| {
            let mut counts: Counts = seconds.iter().copied().collect();
            counts.compact();
            [50.0, 90.0, 95.0].map(|p| counts.nearest_rank(p))
        })
    });
    c.bench_function(
        "Kaplan-Meier fit + p90, 100k durations (10% censored)",
        |b| b.iter(|| KaplanMeier::fit(&observations).quantile(90.0)),
    );
}

criterion_group!(benches, stats);
criterion_main!(benches);
