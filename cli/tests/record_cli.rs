//! `sla record show` prints a stored record (compact-encoded in the store) as JSON.

use std::process::{Command, Output};

use sla_store::{OutboxEntry, SqliteStore, TicketKey, TicketRecord, TicketStore};

fn sla(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sla"))
        .args(args)
        .output()
        .expect("running sla")
}

#[tokio::test]
async fn shows_a_stored_record_as_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("sla.db");
    let store = SqliteStore::open(&db).expect("store");
    let key = TicketKey::new("acme", "T-9");
    let mut record = TicketRecord::new(key.clone(), Default::default());
    let event = serde_json::from_value(serde_json::json!({
        "event_id": "e-1", "type": "met", "tenant": "acme", "ticket_id": "T-9",
        "metric": "first_response", "cycle": 1, "policy": "standard", "priority": "high",
        "target_seconds": 3600, "deadline": "2026-11-02T10:00:00Z",
        "at": "2026-11-02T09:00:00Z", "elapsed_seconds": 1800
    }))
    .expect("an SLA event");
    record.outbox.push(OutboxEntry::new(event));
    store.save(&record).await.expect("save");
    let db_arg = db.to_str().expect("UTF-8 path");

    let shown = sla(&["record", "show", "--db", db_arg, "acme", "T-9"]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
    let printed: TicketRecord =
        serde_json::from_value(shown["record"].clone()).expect("a ticket record");
    let stored = store.load(&key).await.expect("load").expect("stored");
    assert_eq!(printed, stored);
    assert_eq!(shown["record"]["outbox"][0]["event"]["event_id"], "e-1");
    assert_eq!(
        shown["stored_bytes"],
        serde_json::json!(stored.stored_bytes().expect("size"))
    );

    let missing = sla(&["record", "show", "--db", db_arg, "acme", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no record for acme/nope"));
}
