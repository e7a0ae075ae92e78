//! Criterion benchmarks: `add` and `between` on a Europe/Paris calendar with two intervals a day
//! and 12 holidays a year, for 1 hour and 2,000 business hours; also `compile`. The same
//! operations on a follow-the-sun union (Paris, New York, Sydney, each with holidays) and on a
//! `timezone: requester` calendar resolved for a Sydney requester (and the resolution itself)
//! must stay within 2x of the plain calendar.
//! Run: `cargo bench -p sla-calendar --bench calendar -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::BTreeMap;

use sla_calendar::{compile_calendars, Calendar, CalendarSpec, IcsSources};

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

/// The Paris office in another zone (same hours and holidays).
fn office_in(zone: &str) -> CalendarSpec {
    CalendarSpec {
        timezone: Some(zone.into()),
        ..paris_office()
    }
}

/// Follow-the-sun: Paris, New York and Sydney offices.
fn follow_the_sun() -> Calendar {
    let mut specs = BTreeMap::from([
        ("paris".to_string(), paris_office()),
        ("new_york".to_string(), office_in("America/New_York")),
        ("sydney".to_string(), office_in("Australia/Sydney")),
    ]);
    let union = serde_json::json!({"union": ["paris", "new_york", "sydney"]});
    specs.insert(
        "sun".into(),
        serde_json::from_value(union).expect("union spec"),
    );
    let mut calendars = compile_calendars(&specs, &IcsSources::new()).expect("union compiles");
    calendars.remove("sun").expect("compiled union")
}

/// The Paris office read in the requester's zone (default Europe/Paris).
fn requester_office() -> Calendar {
    let spec = CalendarSpec {
        timezone: Some("requester".into()),
        default_timezone: Some("Europe/Paris".into()),
        ..paris_office()
    };
    Calendar::compile(&spec).expect("requester calendar compiles")
}

/// Start instants spread over a year so the benchmark does not hit one cache-friendly path.
fn starts() -> Vec<DateTime<Utc>> {
    let first: DateTime<Utc> = "2026-01-05T08:17:00Z".parse().expect("instant");
    (0..64)
        .map(|i| first + Duration::minutes(i * 8_219))
        .collect()
}

fn operations(c: &mut Criterion) {
    let plain = Calendar::compile(&paris_office()).expect("benchmark calendar compiles");
    let (sydney, _) = requester_office().for_requester(Some("Australia/Sydney"));
    for (prefix, calendar) in [
        ("", &plain),
        ("union ", &follow_the_sun()),
        ("requester ", sydney.as_ref()),
    ] {
        arithmetic(c, prefix, calendar);
    }
    let requester = requester_office();
    let zones = [
        "Australia/Sydney",
        "America/New_York",
        "Asia/Tokyo",
        "Europe/Paris",
    ];
    let starts = starts();
    let mut i = 0;
    c.bench_function("requester for_requester+add 1h", |b| {
        b.iter(|| {
            i = (i + 1) % starts.len();
            let (calendar, _) = requester.for_requester(black_box(Some(zones[i % zones.len()])));
            black_box(calendar.add(black_box(starts[i]), black_box(Duration::hours(1))))
        })
    });
    let spec = paris_office();
    c.bench_function("compile", |b| {
        b.iter(|| black_box(Calendar::compile(black_box(&spec))))
    });
    c.bench_function("union compile", |b| b.iter(|| black_box(follow_the_sun())));
}

/// `add`, `between` and `is_open`, named with `prefix`.
fn arithmetic(c: &mut Criterion, prefix: &str, calendar: &Calendar) {
    let starts = starts();
    for (name, d) in [("1h", Duration::hours(1)), ("2000h", Duration::hours(2000))] {
        let mut i = 0;
        c.bench_function(&format!("{prefix}add {name}"), |b| {
            b.iter(|| {
                i = (i + 1) % starts.len();
                black_box(calendar.add(black_box(starts[i]), black_box(d)))
            })
        });
        let ends: Vec<_> = starts.iter().map(|&s| s + d * 2).collect();
        let mut i = 0;
        c.bench_function(&format!("{prefix}between {name}"), |b| {
            b.iter(|| {
                i = (i + 1) % starts.len();
                black_box(calendar.between(black_box(starts[i]), black_box(ends[i])))
            })
        });
    }
    let mut i = 0;
    c.bench_function(&format!("{prefix}is_open"), |b| {
        b.iter(|| {
            i = (i + 1) % starts.len();
            black_box(calendar.is_open(black_box(starts[i])))
        })
    });
}

criterion_group!(benches, operations);
criterion_main!(benches);
