//! `sla serve` on the system clock announces each warning and breach at its instant,
//! although its sweep interval (`--sweep-every 1h` here) is far longer: each run waits
//! for what falls due before the next one. Included by `serve.rs` (shares its helpers).

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use super::*;

/// Delivers a ticket created `before` its announcement instant `instant`.
fn create_before(server: &Server, id: &str, instant: DateTime<Utc>, before: TimeDelta) {
    let at = (instant - before).to_rfc3339();
    let (status, reply) = server.post_signed(
        "/webhooks/acme/canonical",
        &created(id, &at),
        SECRET,
        Utc::now().timestamp(),
    );
    assert_eq!(status, 200, "{reply}");
}

#[test]
fn warnings_and_breaches_are_announced_at_their_instant_not_at_the_next_sweep() {
    let ws = Workspace::new();
    let log = ws.path("serve-on-time.log");
    let mut command = ws.command(&log);
    command.arg("--events").arg(ws.events_file());
    let server = Server::start(command, log);
    let whole = Utc::now()
        .duration_trunc(TimeDelta::seconds(1))
        .expect("whole second");
    let breach_at = whole + TimeDelta::seconds(4);
    let warning_at = whole + TimeDelta::seconds(5);
    // First response 1 h, warned at 75 %: created 1 h (45 min) before the instant.
    create_before(&server, "b", breach_at, TimeDelta::hours(1));
    create_before(&server, "w", warning_at, TimeDelta::minutes(45));

    let mut first_seen: Vec<(String, DateTime<Utc>)> = Vec::new();
    let deadline = Instant::now() + WAIT;
    while first_seen.len() < 2 {
        let now = Utc::now();
        for event in ws.delivered() {
            let key = format!("{}/{}", event["ticket_id"], event["type"]);
            let wanted = key == r#""b"/"breached""# || key == r#""w"/"warning""#;
            if wanted && !first_seen.iter().any(|(k, _)| *k == key) {
                first_seen.push((key, now));
            }
        }
        assert!(
            Instant::now() < deadline,
            "not announced within {WAIT:?} (the next sweep is an hour away): {first_seen:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let delivered = ws.delivered();
    for (ticket, kind, instant) in [("b", "breached", breach_at), ("w", "warning", warning_at)] {
        let events = of_type(&delivered, ticket, kind);
        assert_eq!(events.len(), 1, "{ticket} {kind} once: {delivered:#?}");
        let at: DateTime<Utc> = events[0]["at"]
            .as_str()
            .and_then(|at| at.parse().ok())
            .expect("the event's at");
        assert_eq!(at, instant, "{delivered:#?}");
        let (_, seen) = first_seen
            .iter()
            .find(|(key, _)| key.contains(&format!("\"{ticket}\"")))
            .expect("seen");
        assert!(*seen >= at, "{ticket} {kind} seen at {seen}, before {at}");
        println!(
            "{ticket} {kind}: seen {} ms after its instant",
            (*seen - at).num_milliseconds()
        );
    }
    let (status, logs) = server.terminate();
    assert!(
        status.success(),
        "graceful stop while waiting: {status}\n{logs}"
    );
}
