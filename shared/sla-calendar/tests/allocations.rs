//! Queries on a compiled calendar allocate nothing: counted with a global allocator wrapper.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use sla_calendar::{Calendar, CalendarSpec, DeadlineRule};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn queries_do_not_allocate() {
    let day = serde_json::json!([["09:00", "12:30"], ["13:30", "18:00"]]);
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "timezone": "Europe/Paris",
        "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
        "holidays": [{"yearly": "01-01"}, {"yearly": "05-01"}, {"yearly": "12-25"}],
        "exclusions": [["2026-02-02T10:00:00Z", "2026-02-03T10:00:00Z"]]
    }))
    .unwrap();
    let calendar = Calendar::compile(&spec).unwrap();
    let next_opening = calendar.with_deadline_rule(DeadlineRule::NextOpening);
    let start: DateTime<Utc> = "2026-01-05T08:17:00Z".parse().unwrap();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut sink = 0i64;
    for i in 0..1_000 {
        let s = start + Duration::minutes(i * 731);
        for d in [Duration::hours(1), Duration::hours(2000), Duration::zero()] {
            sink += next_opening.add(s, d).timestamp();
            sink += calendar.add(s, d).timestamp();
            sink += calendar.subtract(s, d).timestamp();
            sink += calendar.between(s, s + d).num_seconds();
        }
        sink += i64::from(calendar.is_open(s));
        sink += calendar.next_open(s).map_or(0, |t| t.timestamp());
        sink += calendar.next_close(s).map_or(0, |t| t.timestamp());
    }
    let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert!(sink != 0);
    assert_eq!(allocated, 0, "queries allocated {allocated} times");
}
