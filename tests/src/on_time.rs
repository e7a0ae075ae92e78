//! Announcing on time, on the real clock: tickets whose breach or warning falls at
//! spread instants a few seconds ahead, some delivered before the sweep run starts and
//! some while it waits. Each announcement is delivered once, never before its instant,
//! in the order of the instants; the lateness (delivered minus instant) is printed, not
//! asserted (the machine is shared and noisy; `scripts/announce-latency.sh` measures it).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, DurationRound, Utc};
use sla_app::{sweep_window, Lookahead, Sleep, SweepSettings, SystemClock, WebhookService, Window};
use sla_core::{SlaEvent, SlaEventType};
use sla_events::{EventSink, PublishReport, SinkError};
use sla_store::TicketStore;

use crate::fixtures::{self, event, route, signed_request};

/// Accepts everything, noting the wall-clock instant each event arrived.
#[derive(Default)]
pub struct StampingSink {
    seen: Mutex<Vec<(SlaEvent, DateTime<Utc>)>>,
}

impl StampingSink {
    /// Each event received with its arrival instant, in arrival order.
    pub fn received(&self) -> Vec<(SlaEvent, DateTime<Utc>)> {
        self.seen.lock().expect("sink lock").clone()
    }
}

impl EventSink for StampingSink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        let now = Utc::now();
        let mut seen = self.seen.lock().expect("sink lock");
        seen.extend(events.iter().map(|e| (e.clone(), now)));
        Ok(PublishReport {
            published: events.iter().map(|e| e.event_id.clone()).collect(),
            failed: Vec::new(),
        })
    }
}

/// One ticket of the scenario: when its announcement falls, which kind, when delivered.
#[derive(Clone)]
struct Planned {
    ticket: String,
    instant: DateTime<Utc>,
    kind: SlaEventType,
    deliver_at: DateTime<Utc>,
}

/// The policy's normal first response is 1 h with a warning at 75 %: a ticket created
/// `1 h` (breach) or `45 min` (warning) before `instant` announces at `instant`.
fn created_for(planned: &Planned) -> serde_json::Value {
    let before = match planned.kind {
        SlaEventType::Warning => Duration::minutes(45),
        _ => Duration::hours(1),
    };
    let id = format!("{}-created", planned.ticket);
    event(&planned.ticket, &id, planned.instant - before, "created")
}

/// Six announcements one second apart from `base`, breaches and warnings alternating;
/// the first three delivered before the run, the last three during it, each at least
/// 1.5 s before its instant.
fn plan(start: DateTime<Utc>, base: DateTime<Utc>) -> Vec<Planned> {
    (0..6)
        .map(|k| {
            let instant = base + Duration::seconds(k);
            Planned {
                ticket: format!("ON-TIME-{k}"),
                instant,
                kind: if k % 2 == 0 {
                    SlaEventType::Breached
                } else {
                    SlaEventType::Warning
                },
                deliver_at: if k < 3 {
                    start
                } else {
                    instant - Duration::milliseconds(1500)
                },
            }
        })
        .collect()
}

/// Delivers each planned ticket's creation at its delivery instant (real clock).
async fn deliver_all<S: TicketStore>(service: &WebhookService<S>, planned: &[Planned]) {
    for ticket in planned {
        if let Ok(wait) = (ticket.deliver_at - Utc::now()).to_std() {
            tokio::time::sleep(wait).await;
        }
        let body = created_for(ticket);
        let reply = service
            .handle(&route(true), &signed_request(&body, Utc::now()))
            .await;
        assert_eq!(reply.status, 200, "{body}: {}", reply.body);
    }
}

/// The scenario; see the module documentation.
pub async fn announced_on_time<S: TicketStore>(store: S) {
    let service = WebhookService::new(store, fixtures::tenants(), Arc::new(SystemClock));
    let start = Utc::now();
    let whole = start
        .duration_trunc(Duration::seconds(1))
        .expect("whole second");
    let planned = plan(start, whole + Duration::seconds(3));
    let (first, later): (Vec<Planned>, Vec<Planned>) =
        planned.iter().cloned().partition(|p| p.deliver_at == start);
    deliver_all(&service, &first).await;

    let sink = StampingSink::default();
    let last = planned.last().expect("planned").instant;
    let window = Window {
        clock: &SystemClock,
        until: last + Duration::seconds(1),
        keep_going: &|| true,
        lookahead: Lookahead::default(),
    };
    let policies = fixtures::policies();
    let settings = SweepSettings::default();
    let run = sweep_window(
        service.store(),
        &sink,
        &policies,
        &settings,
        &window,
        &Sleep,
    );
    let (report, ()) = tokio::join!(run, deliver_all(&service, &later));
    let report = report.expect("sweep run");
    assert!(report.errors.is_empty(), "{report:?}");

    let on_time: Vec<(SlaEvent, DateTime<Utc>)> = sink
        .received()
        .into_iter()
        .filter(|(e, _)| e.at > start)
        .collect();
    let got: Vec<(String, SlaEventType, DateTime<Utc>)> = on_time
        .iter()
        .map(|(e, _)| (e.ticket_id.clone(), e.kind, e.at))
        .collect();
    let expected: Vec<(String, SlaEventType, DateTime<Utc>)> = planned
        .iter()
        .map(|p| (p.ticket.clone(), p.kind, p.instant))
        .collect();
    assert_eq!(
        got, expected,
        "each announcement once, in the order of its instant"
    );
    for (event, delivered) in &on_time {
        assert!(
            *delivered >= event.at,
            "{} {:?} delivered at {delivered}, before its instant {}",
            event.ticket_id,
            event.kind,
            event.at
        );
    }
    print_lateness(&on_time);
}

/// Prints delivered-minus-instant: median and maximum, in milliseconds.
fn print_lateness(on_time: &[(SlaEvent, DateTime<Utc>)]) {
    let mut late: Vec<i64> = on_time
        .iter()
        .map(|(e, delivered)| (*delivered - e.at).num_milliseconds())
        .collect();
    late.sort_unstable();
    if let (Some(median), Some(max)) = (late.get(late.len() / 2), late.last()) {
        println!(
            "announcement lateness over {} events: median {median} ms, max {max} ms",
            late.len()
        );
    }
}
