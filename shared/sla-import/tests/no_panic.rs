//! No importer panics, whatever the bytes: arbitrary input, and JSON shaped like each
//! vendor's records with arbitrary values in them.

use proptest::prelude::*;
use serde_json::{json, Value};
use sla_import::{import, read_metric_events, Format, Options, Source};

fn run_all(bytes: Vec<u8>) {
    let Ok(source) = Source::from_bytes("fuzz", bytes) else {
        return;
    };
    let _ = read_metric_events(std::slice::from_ref(&source));
    for format in Format::ALL {
        for strict in [false, true] {
            let options = Options {
                strict,
                ..Options::new("acme")
            };
            let _ = import(format, std::slice::from_ref(&source), &options);
        }
    }
}

/// Any JSON leaf: what a record's field may hold.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "[a-zA-Z0-9 :+.-]{0,24}".prop_map(Value::from),
        Just(json!("2025-03-03T09:00:00Z")),
        Just(json!("open")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "id",
                    "ticket_id",
                    "created_at",
                    "events",
                    "child_events",
                    "type",
                    "field_name",
                    "value",
                    "public",
                    "author_id",
                    "users",
                    "role",
                    "issues",
                    "fields",
                    "changelog",
                    "histories",
                    "items",
                    "field",
                    "toString",
                    "comment",
                    "comments",
                    "incoming",
                    "private",
                    "activities_data",
                    "activity",
                    "performed_at",
                    "stats",
                    "status",
                    "audits",
                ]),
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        run_all(bytes);
    }

    #[test]
    fn vendor_shaped_json_never_panics(record in value()) {
        run_all(serde_json::to_vec(&record).unwrap());
        let wrapped = json!({"audits": [record.clone()], "issues": [record.clone()], "activities_data": [record]});
        run_all(serde_json::to_vec(&wrapped).unwrap());
    }

    #[test]
    fn arbitrary_csv_never_panics(rows in prop::collection::vec("[a-z0-9,:T\"-]{0,40}", 0..6)) {
        let text = format!("ticket_id,at,kind,status,comment_author\n{}", rows.join("\n"));
        run_all(text.into_bytes());
    }
}
