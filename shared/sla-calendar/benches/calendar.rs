//! Criterion benchmarks: `add` and `between` on a Europe/Paris calendar with two intervals a day
//! and 12 holidays a year, for 1 hour and 2,000 business hours; also `compile`.
//! Run: `cargo bench -p sla-calendar --bench calendar -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use sla_calendar::{Calendar, CalendarSpec};

/// Europe/Paris, 09:00-12:30 and 13:30-18:00 on weekdays, 12 holidays a year (yearly dates).
fn paris_office() -> CalendarSpec {
    let day = serde_json::json!([["09:00", "12:30"], ["13:30", "18:00"]]);
    serde_json::from_value(serde_json::json!({
        "timezone": "Europe/Paris",
        "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
        "holidays": [
            {"yearly": "01-01"}, {"yearly": "04-06"}, {"yearly": "05-01"}, {"yearly": "05-08"},
            {"yearly": "05-14"}, {"yearly": "05-25"}, {"yearly": "07-14"}, {"yearly": "08-15"},
            {"yearly": "11-01"}, {"yearly": "11-11"}, {"yearly": "12-25"}, {"yearly": "12-26"}
        ]
    }))
    .expect("benchmark calendar parses")
}

/// Start instants spread over a year so the benchmark does not hit one cache-friendly path.
fn starts() -> Vec<DateTime<Utc>> {
    let first: DateTime<Utc> = "2026-01-05T08:17:00Z".parse().expect("instant");
    (0..64)
        .map(|i| first + Duration::minutes(i * 8_219))
        .collect()
}

fn operations(c: &mut Criterion) {
    let calendar = Calendar::compile(&paris_office()).expect("benchmark calendar compiles");
    let starts = starts();
    for (name, d) in [("1h", Duration::hours(1)), ("2000h", Duration::hours(2000))] {
        let mut i = 0;
        c.bench_function(&format!("add {name}"), |b| {
            b.iter(|| {
                i = (i + 1) % starts.len();
                black_box(calendar.add(black_box(starts[i]), black_box(d)))
            })
        });
        let ends: Vec<_> = starts.iter().map(|&s| s + d * 2).collect();
        let mut i = 0;
        c.bench_function(&format!("between {name}"), |b| {
            b.iter(|| {
                i = (i + 1) % starts.len();
                black_box(calendar.between(black_box(starts[i]), black_box(ends[i])))
            })
        });
    }
    let mut i = 0;
    c.bench_function("is_open", |b| {
        b.iter(|| {
            i = (i + 1) % starts.len();
            black_box(calendar.is_open(black_box(starts[i])))
        })
    });
    let spec = paris_office();
    c.bench_function("compile", |b| {
        b.iter(|| black_box(Calendar::compile(black_box(&spec))))
    });
}

criterion_group!(benches, operations);
criterion_main!(benches);
