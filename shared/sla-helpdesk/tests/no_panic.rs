//! Arbitrary bytes (and arbitrary JSON) never panic any parser or verifier.

use proptest::prelude::*;
use sla_helpdesk::Vendor;

fn exercise(body: &[u8]) {
    for vendor in Vendor::ALL {
        sla_helpdesk::fuzzing::exercise(vendor, body);
    }
}

/// JSON values shaped like webhook payloads, with vendor field names as keys.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let key = prop::sample::select(vec![
        "type",
        "id",
        "time",
        "detail",
        "event",
        "comment",
        "is_public",
        "author",
        "is_staff",
        "status",
        "priority",
        "ticketID",
        "ticket_id",
        "topic",
        "data",
        "item",
        "created_at",
        "issue",
        "fields",
        "name",
        "webhookEvent",
        "timestamp",
        "payload",
        "conversation",
        "emitted_at",
        "objectId",
        "occurredAt",
        "subscriptionType",
        "eventId",
        "subscriptionId",
        "propertyName",
        "propertyValue",
        "tenant",
        "at",
        "kind",
        "event_id",
        "tags",
        "jsdPublic",
        "changelog",
        "items",
        "userUpdatedAt",
        "freshdesk_webhook",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "[a-z:._0-9 +-]{0,24}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from(
            "zen:event-type:ticket.comment_added"
        )),
        Just(serde_json::Value::from("notification_event")),
        Just(serde_json::Value::from("2025-01-01T00:00:00.000+0000")),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6).prop_map(|m| {
                serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// Every fixture payload, for mutation.
fn fixture_bodies() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut bodies = Vec::new();
    for vendor in Vendor::ALL {
        for entry in std::fs::read_dir(root.join(vendor.name())).expect("fixture dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                bodies.push(std::fs::read(path).expect("fixture"));
            }
        }
    }
    bodies
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        exercise(&body);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        index in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let bodies = fixture_bodies();
        let mut body = bodies[index.index(bodies.len())].clone();
        for (at, byte) in edits {
            let position = at.index(body.len());
            body[position] = byte;
        }
        exercise(&body);
        body.truncate(cut.index(body.len() + 1));
        exercise(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        exercise(value.to_string().as_bytes());
        exercise(serde_json::Value::Array(vec![value]).to_string().as_bytes());
    }
}
