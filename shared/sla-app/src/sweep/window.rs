//! Announcing on time: a sweep run that, after the ordinary sweep, waits for what falls
//! due before the run ends and visits each ticket at its instant.
//!
//! The run reads the due index up to `until` (the next run's start, plus a margin where
//! runs are started by a scheduler), sleeps until the earliest instant found, and then
//! records, claims, publishes and settles that ticket exactly as the ordinary sweep
//! does. The engine folds at the instant itself, so an announcement is never published
//! before its `at`, and a webhook that arrives before the instant (a reply that meets
//! the target) is folded in. Nothing is claimed ahead of time: a run that dies while
//! waiting leaves the tickets in the due index for the next run, and two runs visiting
//! one ticket at once publish it once (the claim is a conditional write).
//!
//! The index is read again every `rescan`, for timers set during the run (webhooks
//! arriving meanwhile). A ticket is visited at most once per `(ticket, due_at)` in a run:
//! one the visit leaves due at the same instant (a ticket that keeps failing) waits for
//! the next run's ordinary sweep, as it did before.

use std::collections::{HashSet, VecDeque};
use std::future::Future;

use chrono::{DateTime, Utc};
use sla_events::EventSink;
use sla_store::{DueTicket, StoreError, TicketKey, TicketStore};

use super::{sweep, visit, SweepError, SweepReport, SweepSettings};
use crate::policies::TenantPolicies;
use crate::record;
use crate::Clock;

/// The shortest `rescan` honoured (a zero one would spin).
const MIN_RESCAN: std::time::Duration = std::time::Duration::from_millis(50);

/// How a run waits for what falls due before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookahead {
    /// How often the due index is read again for timers set during the run.
    pub rescan: std::time::Duration,
    /// Stay until the run's end even when nothing is planned (catching timers set in
    /// the meantime), or end as soon as nothing is planned (a Lambda bills the wait).
    pub wait_when_idle: bool,
}

impl Default for Lookahead {
    fn default() -> Self {
        Self {
            rescan: std::time::Duration::from_secs(1),
            wait_when_idle: true,
        }
    }
}

/// How a run waits between instants.
pub trait Pause: Sync {
    /// Waits `duration`; false when the host wants the run to end now (shutdown).
    fn pause(&self, duration: std::time::Duration) -> impl Future<Output = bool> + Send;
}

/// Waits on the tokio timer, never interrupted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sleep;

impl Pause for Sleep {
    async fn pause(&self, duration: std::time::Duration) -> bool {
        tokio::time::sleep(duration).await;
        true
    }
}

/// One run of [`sweep_window`].
pub struct Window<'a> {
    /// Where "now" comes from (read again at every instant).
    pub clock: &'a dyn Clock,
    /// The run announces what falls due up to this instant, then returns.
    pub until: DateTime<Utc>,
    /// False when time is up (the Lambda deadline) or the host is stopping.
    pub keep_going: &'a (dyn Fn() -> bool + Sync),
    /// Rescans and idling.
    pub lookahead: Lookahead,
}

/// Sweeps what is due now (as [`sweep`]), then announces what falls due up to
/// `window.until`, each ticket at its instant. Errors reading the index after the first
/// sweep end the run early and are listed in the report (the next run resumes).
pub async fn sweep_window<S: TicketStore, K: EventSink, P: Pause>(
    store: &S,
    sink: &K,
    policies: &TenantPolicies,
    settings: &SweepSettings,
    window: &Window<'_>,
    pause: &P,
) -> Result<SweepReport, SweepError> {
    let start = window.clock.now();
    let mut report = sweep(store, sink, policies, start, window.keep_going, settings).await?;
    if !report.complete || start >= window.until {
        return Ok(report);
    }
    let mut run = Run {
        store,
        sink,
        policies,
        settings,
        window,
        floor: start,
        visited: HashSet::new(),
    };
    if let Err(err) = run.wait_and_visit(pause, &mut report).await {
        tracing::warn!(error = %err, "reading the due index ahead failed; the next sweep resumes");
        report.errors.push(format!("looking ahead: {err}"));
    }
    Ok(report)
}

/// The state of one run after its first sweep.
struct Run<'a, S, K> {
    store: &'a S,
    sink: &'a K,
    policies: &'a TenantPolicies,
    settings: &'a SweepSettings,
    window: &'a Window<'a>,
    /// Tickets due at or before this were the first sweep's.
    floor: DateTime<Utc>,
    /// `(ticket, due_at)` pairs already visited in this run.
    visited: HashSet<(TicketKey, DateTime<Utc>)>,
}

impl<S: TicketStore, K: EventSink> Run<'_, S, K> {
    /// Sleeps to each planned instant and visits what is due then, until the window ends.
    async fn wait_and_visit<P: Pause>(
        &mut self,
        pause: &P,
        report: &mut SweepReport,
    ) -> Result<(), StoreError> {
        let rescan = chrono::Duration::from_std(self.window.lookahead.rescan.max(MIN_RESCAN))
            .unwrap_or(chrono::Duration::seconds(1));
        let mut plan = VecDeque::new();
        let mut next_rescan = self.floor;
        while (self.window.keep_going)() {
            let now = self.window.clock.now();
            if now >= next_rescan {
                plan = self.upcoming().await?;
                next_rescan = record::later(now, rescan);
            }
            let due = take_due(&mut plan, now);
            if !due.is_empty() {
                self.visit_all(&due, now, report).await;
                continue;
            }
            if now >= self.window.until {
                break;
            }
            let next = plan.front().map(|t| t.due_at);
            if next.is_none() && !self.window.lookahead.wait_when_idle {
                break;
            }
            let wake = next
                .unwrap_or(self.window.until)
                .min(next_rescan)
                .min(self.window.until);
            let wait = (wake - now).to_std().unwrap_or_default();
            if !pause.pause(wait).await {
                break;
            }
        }
        Ok(())
    }

    /// Tickets due after the floor and up to the window's end not yet visited at that
    /// instant, earliest first.
    async fn upcoming(&self) -> Result<VecDeque<DueTicket>, StoreError> {
        let mut found = Vec::new();
        for shard in 0..self.store.shards().max(1) {
            let mut cursor = None;
            loop {
                let page = self
                    .store
                    .query_due(shard, self.window.until, self.settings.page_size, cursor)
                    .await?;
                found.extend(page.tickets.into_iter().filter(|t| {
                    t.due_at > self.floor && !self.visited.contains(&(t.key.clone(), t.due_at))
                }));
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        found.sort_by_key(|t| t.due_at);
        Ok(found.into())
    }

    /// Visits `due` at `now`, a chunk of `concurrency` tickets at a time.
    async fn visit_all(&mut self, due: &[DueTicket], now: DateTime<Utc>, report: &mut SweepReport) {
        for chunk in due.chunks(self.settings.concurrency.max(1)) {
            let visits = chunk
                .iter()
                .map(|t| visit(self.store, self.sink, self.policies, t, now, self.settings));
            for tally in futures_util::future::join_all(visits).await {
                report.merge(tally);
            }
        }
        self.visited
            .extend(due.iter().map(|t| (t.key.clone(), t.due_at)));
    }
}

/// Removes and returns the planned tickets due at or before `now` (the plan is sorted).
fn take_due(plan: &mut VecDeque<DueTicket>, now: DateTime<Utc>) -> Vec<DueTicket> {
    let count = plan.iter().take_while(|t| t.due_at <= now).count();
    plan.drain(..count).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use chrono::Duration;
    use sla_core::{PolicySet, SlaEvent, SlaEventType, TicketEvent};
    use sla_events::{PublishReport, SinkError};
    use sla_store::MemoryStore;

    use super::*;
    use crate::{ingest, IngestSettings, ManualClock};

    const POLICY: &str = r#"
policies:
  - name: standard
    when: {}
    calendar: 24x7
    targets:
      normal: {first_response: 1h}
    warn_at: ["75%"]
"#;

    fn t0() -> DateTime<Utc> {
        "2026-11-02T12:00:00Z".parse().unwrap()
    }

    fn policy() -> Arc<PolicySet> {
        Arc::new(PolicySet::from_yaml("policy.yaml", POLICY).unwrap())
    }

    fn created(ticket: &str, at: DateTime<Utc>) -> TicketEvent {
        serde_json::from_value(serde_json::json!({
            "tenant": "acme", "ticket_id": ticket, "event_id": format!("{ticket}-c"),
            "at": at, "kind": "created", "ticket": {"status": "new", "priority": "normal"}
        }))
        .unwrap()
    }

    fn reply(ticket: &str, at: DateTime<Utc>) -> TicketEvent {
        serde_json::from_value(serde_json::json!({
            "tenant": "acme", "ticket_id": ticket, "event_id": format!("{ticket}-r"),
            "at": at, "kind": "comment", "ticket": {"status": "open", "priority": "normal"},
            "comment": {"author": "agent", "public": true}
        }))
        .unwrap()
    }

    /// Records each event with the clock's instant when it was published.
    struct StampingSink {
        clock: Arc<ManualClock>,
        seen: Mutex<Vec<(SlaEvent, DateTime<Utc>)>>,
    }

    impl EventSink for StampingSink {
        async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
            let now = self.clock.now();
            let mut seen = self.seen.lock().unwrap();
            seen.extend(events.iter().map(|e| (e.clone(), now)));
            Ok(PublishReport {
                published: events.iter().map(|e| e.event_id.clone()).collect(),
                failed: Vec::new(),
            })
        }
    }

    /// Virtual time: a pause moves the manual clock, delivering the webhooks whose
    /// instant it passes (ingested at that instant).
    struct Virtual {
        clock: Arc<ManualClock>,
        store: Arc<MemoryStore>,
        arrivals: Mutex<Vec<(DateTime<Utc>, TicketEvent)>>,
        pauses: Mutex<Vec<DateTime<Utc>>>,
    }

    impl Pause for Virtual {
        async fn pause(&self, duration: std::time::Duration) -> bool {
            let until = self.clock.now() + Duration::from_std(duration).unwrap();
            let arriving: Vec<_> = {
                let mut arrivals = self.arrivals.lock().unwrap();
                let (now, later): (Vec<_>, Vec<_>) =
                    arrivals.drain(..).partition(|(when, _)| *when <= until);
                *arrivals = later;
                now
            };
            for (when, event) in arriving {
                self.clock.set(when);
                let settings = IngestSettings::default();
                ingest(
                    &*self.store,
                    &policy(),
                    vec![event],
                    self.clock.now(),
                    &settings,
                )
                .await
                .unwrap();
            }
            self.clock.set(until);
            self.pauses.lock().unwrap().push(until);
            true
        }
    }

    struct Setup {
        store: Arc<MemoryStore>,
        clock: Arc<ManualClock>,
        sink: StampingSink,
        policies: TenantPolicies,
    }

    async fn setup(tickets: Vec<TicketEvent>) -> Setup {
        let store = Arc::new(MemoryStore::with_shards(4));
        let clock = Arc::new(ManualClock::new(t0()));
        ingest(
            &*store,
            &policy(),
            tickets,
            t0(),
            &IngestSettings::default(),
        )
        .await
        .unwrap();
        let mut policies = TenantPolicies::new(None);
        policies.insert("acme", policy());
        let sink = StampingSink {
            clock: clock.clone(),
            seen: Mutex::new(Vec::new()),
        };
        Setup {
            store,
            clock,
            sink,
            policies,
        }
    }

    impl Setup {
        async fn run(
            &self,
            pause: &Virtual,
            until: DateTime<Utc>,
            lookahead: Lookahead,
        ) -> SweepReport {
            let window = Window {
                clock: &*self.clock,
                until,
                keep_going: &|| true,
                lookahead,
            };
            let settings = SweepSettings::default();
            sweep_window(
                &*self.store,
                &self.sink,
                &self.policies,
                &settings,
                &window,
                pause,
            )
            .await
            .unwrap()
        }

        fn virtual_time(&self, arrivals: Vec<(DateTime<Utc>, TicketEvent)>) -> Virtual {
            Virtual {
                clock: self.clock.clone(),
                store: Arc::clone(&self.store),
                arrivals: Mutex::new(arrivals),
                pauses: Mutex::new(Vec::new()),
            }
        }

        fn published(&self) -> Vec<(String, SlaEventType, DateTime<Utc>, DateTime<Utc>)> {
            let seen = self.sink.seen.lock().unwrap();
            seen.iter()
                .map(|(e, when)| (e.ticket_id.clone(), e.kind, e.at, *when))
                .collect()
        }
    }

    /// Created `before` the breach instant `t0 + offset`: the breach falls at `t0 + offset`.
    fn breaching_at(ticket: &str, offset: i64) -> TicketEvent {
        created(
            ticket,
            t0() + Duration::seconds(offset) - Duration::hours(1),
        )
    }

    #[tokio::test]
    async fn each_announcement_is_published_at_its_instant() {
        let s = setup(vec![
            breaching_at("b10", 10),
            breaching_at("b25", 25),
            breaching_at("b40", 40),
            // Its warning (75% of 1h) at t0 + 30 s; its breach after the window.
            created("w30", t0() + Duration::seconds(30) - Duration::minutes(45)),
            // Replied to before its breach instant: never breached.
            breaching_at("met", 15),
        ])
        .await;
        let at = |offset| t0() + Duration::seconds(offset);
        let pause = s.virtual_time(vec![
            (at(5), reply("met", at(5))),
            // Delivered mid-run, 15 s before its breach: found by a rescan.
            (at(20), breaching_at("mid", 35)),
        ]);
        s.run(&pause, t0() + Duration::seconds(60), Lookahead::default())
            .await;

        let published = s.published();
        let breaches: Vec<_> = published
            .iter()
            .filter(|(_, kind, at, _)| *kind == SlaEventType::Breached && *at > t0())
            .map(|(ticket, _, at, when)| (ticket.as_str(), *at, *when))
            .collect();
        assert_eq!(
            breaches,
            vec![
                ("b10", at(10), at(10)),
                ("b25", at(25), at(25)),
                ("mid", at(35), at(35)),
                ("b40", at(40), at(40)),
            ],
            "each breach at its instant, not a sweep interval later: {published:#?}"
        );
        let warning = published
            .iter()
            .find(|(ticket, kind, _, _)| ticket == "w30" && *kind == SlaEventType::Warning)
            .expect("the warning");
        assert_eq!((warning.2, warning.3), (at(30), at(30)));
        assert!(
            published.iter().all(|(_, _, at, when)| when >= at),
            "nothing before its instant: {published:#?}"
        );
        assert!(
            !published
                .iter()
                .any(|(ticket, kind, _, _)| ticket == "met" && *kind == SlaEventType::Breached),
            "the reply before the instant is folded in: {published:#?}"
        );
        let mut ids: Vec<_> = s
            .sink
            .seen
            .lock()
            .unwrap()
            .iter()
            .map(|(e, _)| e.event_id.clone())
            .collect();
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "each event once");
    }

    #[tokio::test]
    async fn a_run_that_need_not_wait_ends_when_nothing_is_planned() {
        let s = setup(vec![breaching_at("b90", 90)]).await;
        let pause = s.virtual_time(Vec::new());
        let idle = Lookahead {
            wait_when_idle: false,
            ..Lookahead::default()
        };
        s.run(&pause, t0() + Duration::seconds(60), idle).await;
        assert_eq!(s.clock.now(), t0(), "nothing due before the end: no wait");
        assert!(pause.pauses.lock().unwrap().is_empty());

        s.run(&pause, t0() + Duration::seconds(120), idle).await;
        assert_eq!(
            s.clock.now(),
            t0() + Duration::seconds(90),
            "stays until the last planned instant, then ends"
        );
        assert_eq!(
            s.published().len(),
            1 + 1,
            "the past warning and the breach"
        );
    }

    #[tokio::test]
    async fn a_waiting_run_rescans_until_its_end() {
        let s = setup(Vec::new()).await;
        let pause = s.virtual_time(Vec::new());
        s.run(&pause, t0() + Duration::seconds(3), Lookahead::default())
            .await;
        let pauses = pause.pauses.lock().unwrap().clone();
        let at = |offset| t0() + Duration::seconds(offset);
        assert_eq!(pauses, vec![at(1), at(2), at(3)], "one index read a second");
    }

    #[tokio::test]
    async fn a_ticket_left_due_is_visited_once_per_run() {
        let s = setup(Vec::new()).await;
        let mut stuck = record::new_record(TicketKey::new("ghost", "1"));
        stuck.due_at = Some(t0() + Duration::seconds(5));
        s.store.save(&stuck).await.unwrap();
        let pause = s.virtual_time(Vec::new());
        let report = s
            .run(&pause, t0() + Duration::seconds(10), Lookahead::default())
            .await;
        assert_eq!(report.errors.len(), 1, "{report:?}");
        assert!(report.errors[0].contains("no policy"), "{report:?}");
        assert_eq!(s.clock.now(), t0() + Duration::seconds(10));
    }
}
