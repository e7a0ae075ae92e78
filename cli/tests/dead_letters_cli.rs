//! `sla dead-letters list|redrive` on a SQLite file of `sla serve`.

use std::process::Command;

use sla_store::{DeadLetter, SqliteStore, TicketKey, TicketRecord, TicketStore};

fn dead_letter(key: &TicketKey, id: &str) -> DeadLetter {
    let event = serde_json::from_value(serde_json::json!({
        "event_id": id, "type": "breached", "tenant": key.tenant, "ticket_id": key.ticket_id,
        "metric": "first_response", "cycle": 1, "policy": "standard", "priority": "high",
        "target_seconds": 3600, "deadline": "2026-11-02T10:00:00Z",
        "at": "2026-11-02T10:00:00Z", "elapsed_seconds": 3600
    }))
    .expect("an SLA event");
    DeadLetter {
        event,
        attempts: 20,
        last_error: "connection refused".into(),
        dead_at: "2026-11-02T12:00:00Z".parse().expect("instant"),
    }
}

fn sla(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("running sla");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[tokio::test]
async fn lists_then_redrives_dead_letters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("sla.db");
    let db_arg = db.to_str().expect("UTF-8 path");
    let key = TicketKey::new("acme", "T-9");
    let store = SqliteStore::open(&db).expect("open");
    let mut record = TicketRecord::new(key.clone(), Default::default());
    record.dead_letters = vec![dead_letter(&key, "e-1"), dead_letter(&key, "e-2")];
    store.save(&record).await.expect("save");

    let listed = sla(&["dead-letters", "list", "--db", db_arg]);
    let lines: Vec<serde_json::Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert_eq!(lines[0]["tenant"], "acme");
    assert_eq!(lines[0]["ticket_id"], "T-9");
    assert_eq!(lines[0]["attempts"], 20);
    assert_eq!(lines[0]["last_error"], "connection refused");
    assert_eq!(lines[0]["event"]["event_id"], "e-1");

    let only = sla(&[
        "dead-letters",
        "redrive",
        "--db",
        db_arg,
        "--event-id",
        "e-2",
    ]);
    assert_eq!(only.trim(), r#"{"redriven":1}"#);
    let record = store.load(&key).await.expect("load").expect("stored");
    assert_eq!(record.dead_letters.len(), 1);
    assert_eq!(record.outbox.len(), 1);
    assert_eq!(record.outbox[0].attempts, 0);
    assert!(record.due_at.is_some(), "due at once");
    assert_eq!(
        sla(&["dead-letters", "list", "--db", db_arg, "--tenant", "other"]),
        ""
    );
}
