//! `sla actions list|redrive --table` on the Lambda deployment's DynamoDB table (moto,
//! started by `scripts/moto.sh run`, whose AWS_* variables the `sla` process inherits).

use std::process::Command;
use std::time::Duration;

use sla_store::testkit::moto;
use sla_store::{ActionKey, ActionLedger, ActionState, ActionUpdate, DynamoLedger, NewAction};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_then_redrives_dead_actions_in_the_table() {
    let store = moto::fresh_store(moto::dynamodb_client(), 4).await;
    let table = store.table_name().to_owned();
    let ledger = DynamoLedger::new(store.client().clone(), &table, 4);
    let now = chrono::Utc::now();
    let actions: Vec<NewAction> = ["ev1:0.0", "ev1:0.1"]
        .into_iter()
        .map(|id| NewAction {
            key: ActionKey::new("acme", "42", id),
            payload: "{}".into(),
        })
        .collect();
    ledger.enqueue(&actions, now).await.expect("enqueue");
    let refused = &actions[0].key;
    ledger
        .claim(refused, now, Duration::from_secs(60))
        .await
        .expect("claim");
    let dead = ActionUpdate::Dead {
        attempts: 1,
        error: "PUT /api/v2/tickets/42/tags answered 403: forbidden".into(),
    };
    ledger.record(refused, &dead, now).await.expect("record");

    let target = ["--table", table.as_str(), "--shards", "4"];
    let listed = sla(&[&["actions", "list"], &target[..]].concat());
    let lines: Vec<serde_json::Value> = listed
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 1, "{listed}");
    assert_eq!(lines[0]["key"]["action_id"], "ev1:0.0");
    assert_eq!(
        lines[0]["last_error"],
        "PUT /api/v2/tickets/42/tags answered 403: forbidden"
    );
    let other_tenant = sla(&[&["actions", "list", "--tenant", "globex"], &target[..]].concat());
    assert!(other_tenant.is_empty(), "{other_tenant}");

    let redriven = sla(&[&["actions", "redrive", "--id", "ev1:0.0"], &target[..]].concat());
    assert_eq!(redriven.trim(), r#"{"redriven":1}"#);
    let records = ledger.ticket_actions("acme", "42").await.expect("actions");
    assert_eq!(records[0].state, ActionState::Pending);
    assert_eq!(records[0].attempts, 0, "attempts reset");
    assert!(ledger.dead(None, 10).await.expect("dead").is_empty());
}
