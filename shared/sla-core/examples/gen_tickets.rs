//! Generates a realistic week of support tickets as canonical events (JSON lines),
//! deterministically from a seed: `examples/tickets.jsonl` and the replay benchmark input.
//!
//! ```text
//! cargo run -p sla-core --example gen_tickets -- --tickets 300 --seed 7 > examples/tickets.jsonl
//! cargo run --release -p sla-core --example gen_tickets -- --tickets 100000 --seed 1 > /tmp/1m.jsonl
//! ```
//!
//! `--first N` numbers the tickets from N, so runs with distinct seeds and ranges
//! concatenate into a bigger history without holding it all (`scripts/replay-memory.sh`).
//!
//! The week is Monday 23 to Sunday 29 November 2026 (Thanksgiving on Thursday 26 for the
//! New York team). Tickets belong to two segments (enterprise, smb) and two groups (emea
//! on Paris hours, americas on New York hours), with every priority, pending pauses,
//! priority changes, reopens, private notes, automatic replies, and webhooks that arrive
//! late, out of order or twice. Lines are written in arrival order.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use sla_core::{Author, Comment, EventKind, Priority, Status, TicketEvent, TicketSnapshot};

/// SplitMix64: a small deterministic generator (no dependency, stable across versions).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low) as u64) as i64
    }
    /// A skewed delay in minutes: mostly short, sometimes long (log-uniform).
    fn delay(&mut self, min_minutes: f64, max_minutes: f64) -> Duration {
        let (a, b) = (min_minutes.ln(), max_minutes.ln());
        Duration::seconds(((a + (b - a) * self.unit()).exp() * 60.0) as i64)
    }
    fn pick<T: Copy>(&mut self, weighted: &[(T, u32)]) -> T {
        let total: u32 = weighted.iter().map(|(_, w)| w).sum();
        let mut roll = (self.next() % u64::from(total)) as u32;
        for (value, weight) in weighted {
            if roll < *weight {
                return *value;
            }
            roll -= weight;
        }
        weighted[0].0
    }
}

struct Options {
    tickets: usize,
    seed: u64,
    first: usize,
}

fn options() -> Options {
    let mut options = Options {
        tickets: 300,
        seed: 7,
        first: 0,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or("");
        match pair[0].as_str() {
            "--tickets" => options.tickets = value.parse().expect("--tickets N"),
            "--seed" => options.seed = value.parse().expect("--seed N"),
            "--first" => options.first = value.parse().expect("--first N"),
            other => panic!("unknown option {other}; use --tickets N --seed N [--first N]"),
        }
    }
    options
}

/// Builds one ticket's events.
struct TicketWriter<'a> {
    rng: &'a mut Rng,
    id: String,
    next: usize,
    events: Vec<TicketEvent>,
    end: DateTime<Utc>,
}

/// The next instant the ticket's team is at work (Mon-Fri, Paris 08:00-17:00Z or New
/// York 13:00-22:00Z in November; New York off on Thanksgiving), plus a few minutes.
/// Urgent tickets go to the on-call engineer, who answers at any hour.
fn at_work(rng: &mut Rng, at: DateTime<Utc>, americas: bool, on_call: bool) -> DateTime<Utc> {
    if on_call {
        return at;
    }
    let (open, close) = if americas { (13, 22) } else { (8, 17) };
    let mut t = at;
    for _ in 0..14 {
        let weekday = t.weekday().num_days_from_monday();
        let thanksgiving = americas && t.month() == 11 && t.day() == 26;
        let hour = t.hour();
        if weekday < 5 && !thanksgiving && (open..close).contains(&hour) {
            return t;
        }
        let day_start = t
            .date_naive()
            .and_hms_opt(open, 0, 0)
            .expect("valid hour")
            .and_utc();
        t = if hour < open && weekday < 5 && !thanksgiving {
            day_start
        } else {
            day_start + Duration::days(1)
        };
        t += Duration::minutes(rng.range(0, 40));
    }
    t
}

impl TicketWriter<'_> {
    fn push(
        &mut self,
        at: DateTime<Utc>,
        kind: EventKind,
        ticket: TicketSnapshot,
        comment: Option<Comment>,
    ) -> bool {
        if at > self.end {
            return false;
        }
        self.next += 1;
        self.events.push(TicketEvent {
            tenant: "acme".into(),
            ticket_id: self.id.clone(),
            event_id: format!("gen:{}:{}", self.id, self.next),
            at,
            kind,
            ticket,
            comment,
            vendor: Some("zendesk".into()),
        });
        true
    }

    fn status(&mut self, at: DateTime<Utc>, status: Status, comment: Option<Author>) -> bool {
        let snapshot = TicketSnapshot {
            status: Some(status),
            ..TicketSnapshot::default()
        };
        let kind = if comment.is_some() {
            EventKind::Comment
        } else {
            EventKind::Updated
        };
        self.push(
            at,
            kind,
            snapshot,
            comment.map(|author| Comment {
                author,
                public: true,
            }),
        )
    }

    fn note(&mut self, at: DateTime<Utc>, author: Author, public: bool) -> bool {
        self.push(
            at,
            EventKind::Comment,
            TicketSnapshot::default(),
            Some(Comment { author, public }),
        )
    }
}

fn ticket(rng: &mut Rng, number: usize, week: DateTime<Utc>) -> Vec<TicketEvent> {
    let end = week + Duration::days(7);
    let americas = rng.chance(0.5);
    let segment = if rng.chance(0.3) { "enterprise" } else { "smb" };
    let priority = rng.pick(&[
        (Priority::Urgent, 5),
        (Priority::High, 20),
        (Priority::Normal, 55),
        (Priority::Low, 20),
    ]);
    let channel = rng.pick(&[("email", 5), ("web", 3), ("chat", 2)]);
    // Mostly during the team's working day (Paris 08:00-17:00Z, New York 13:00-22:00Z), some at night.
    let day = rng.pick(&[(0, 20), (1, 20), (2, 20), (3, 18), (4, 17), (5, 3), (6, 2)]);
    let hour = if rng.chance(0.85) {
        rng.range(0, 9) + if americas { 13 } else { 8 }
    } else {
        rng.range(0, 24)
    };
    let created =
        week + Duration::days(day) + Duration::hours(hour) + Duration::minutes(rng.range(0, 60));
    let mut w = TicketWriter {
        rng,
        id: (1000 + number).to_string(),
        next: 0,
        events: Vec::new(),
        end,
    };
    let snapshot = TicketSnapshot {
        status: Some(Status::New),
        priority: Some(priority),
        channel: Some(channel.into()),
        group: Some(if americas { "americas" } else { "emea" }.into()),
        segment: Some(segment.into()),
        tags: Some(vec![channel.into()]),
        requester_timezone: Some(
            if americas {
                "America/New_York"
            } else {
                "Europe/Paris"
            }
            .into(),
        ),
        ..TicketSnapshot::default()
    };
    let customer = Some(Comment {
        author: Author::Customer,
        public: true,
    });
    w.push(created, EventKind::Created, snapshot, customer);
    let mut at = created + Duration::seconds(5);
    w.note(at, Author::System, true); // the automatic acknowledgement never counts
    let on_call = priority == Priority::Urgent;
    let speed = match priority {
        Priority::Urgent => 0.3,
        Priority::High => 0.6,
        _ => 1.0,
    };
    if w.rng.chance(0.1) {
        at += w.rng.delay(10.0, 240.0);
        let raised = if priority == Priority::Urgent {
            Priority::High
        } else {
            Priority::Urgent
        };
        let snapshot = TicketSnapshot {
            priority: Some(raised),
            ..TicketSnapshot::default()
        };
        if !w.push(at, EventKind::Updated, snapshot, None) {
            return w.events;
        }
    }
    at += w.rng.delay(3.0 * speed, 600.0 * speed);
    at = at_work(w.rng, at, americas, on_call);
    if w.rng.chance(0.2) {
        w.note(at - Duration::minutes(2), Author::Agent, false);
    }
    if !w.status(at, Status::Open, Some(Author::Agent)) {
        return w.events;
    }
    for _ in 0..w.rng.range(0, 4) {
        if w.rng.chance(0.5) {
            at += Duration::minutes(1);
            if !w.status(at, Status::Pending, None) {
                return w.events;
            }
        }
        at += w.rng.delay(20.0, 2000.0);
        if !w.status(at, Status::Open, Some(Author::Customer)) {
            return w.events;
        }
        at += w.rng.delay(5.0 * speed, 600.0 * speed);
        at = at_work(w.rng, at, americas, on_call);
        if !w.note(at, Author::Agent, true) {
            return w.events;
        }
    }
    if w.rng.chance(0.1) {
        return w.events; // still open at the end of the week
    }
    at += w.rng.delay(10.0, 600.0);
    at = at_work(w.rng, at, americas, on_call);
    if !w.status(at, Status::Solved, Some(Author::Agent)) {
        return w.events;
    }
    if w.rng.chance(0.15) {
        at += w.rng.delay(60.0, 2880.0);
        if !w.status(at, Status::Open, Some(Author::Customer)) {
            return w.events;
        }
        at += w.rng.delay(10.0, 600.0);
        at = at_work(w.rng, at, americas, on_call);
        if !w.status(at, Status::Solved, Some(Author::Agent)) {
            return w.events;
        }
    }
    at += Duration::hours(w.rng.range(24, 96));
    w.status(at, Status::Closed, None);
    w.events
}

fn main() {
    let options = options();
    let mut rng = Rng(options.seed);
    let week = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let mut deliveries: Vec<(DateTime<Utc>, usize, TicketEvent)> = Vec::new();
    for number in options.first..options.first + options.tickets {
        for event in ticket(&mut rng, number, week) {
            // Webhooks arrive within seconds; a few minutes late now and then; some twice.
            let mut arrival = event.at + Duration::seconds(rng.range(0, 30));
            if rng.chance(0.02) {
                arrival += Duration::minutes(rng.range(5, 90));
            }
            if rng.chance(0.01) {
                let again = arrival + Duration::seconds(rng.range(1, 600));
                deliveries.push((again, deliveries.len(), event.clone()));
            }
            deliveries.push((arrival, deliveries.len(), event));
        }
    }
    deliveries.sort_by_key(|(arrival, order, _)| (*arrival, *order));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (_, _, event) in deliveries {
        serde_json::to_writer(&mut out, &event).expect("write");
        std::io::Write::write_all(&mut out, b"\n").expect("write");
    }
}
