//! Test support (feature `testkit`): an SDK configuration for the moto server of
//! `scripts/moto.sh`, a bus whose rule routes matching events to a new SQS queue, and
//! reading that queue. Helpers panic with a clear message: they are for tests only.

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_eventbridge::types::Target;
use aws_sdk_sqs::types::{Message, QueueAttributeName};
use sla_store::testkit::{moto, unique_name};

/// An SDK configuration pointing at the moto server of `scripts/moto.sh`.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto::endpoint())
        .region(moto::region())
        .credentials_provider(moto::credentials())
        .load()
        .await
}

/// A new bus, and a rule on it with `pattern` targeting a new queue. Returns (bus, queue URL).
pub async fn bus_with_rule_to_queue(config: &SdkConfig, pattern: &str) -> (String, String) {
    let events = aws_sdk_eventbridge::Client::new(config);
    let sqs = aws_sdk_sqs::Client::new(config);
    let bus = unique_name("bus");
    events
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .expect("CreateEventBus");
    let queue_url = sqs
        .create_queue()
        .queue_name(unique_name("queue"))
        .send()
        .await
        .expect("CreateQueue")
        .queue_url()
        .expect("queue URL")
        .to_string();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("GetQueueAttributes");
    let queue_arn = attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .expect("queue ARN")
        .clone();
    let rule = unique_name("rule");
    events
        .put_rule()
        .name(&rule)
        .event_bus_name(&bus)
        .event_pattern(pattern)
        .send()
        .await
        .expect("PutRule");
    let target = Target::builder()
        .id("queue")
        .arn(queue_arn)
        .build()
        .expect("target");
    events
        .put_targets()
        .rule(&rule)
        .event_bus_name(&bus)
        .targets(target)
        .send()
        .await
        .expect("PutTargets");
    (bus, queue_url)
}

/// Receives messages until `expected` arrived or 10 s passed; returns their bodies as JSON.
pub async fn receive(
    config: &SdkConfig,
    queue_url: &str,
    expected: usize,
) -> Vec<serde_json::Value> {
    receive_messages(config, queue_url, expected)
        .await
        .iter()
        .map(|message| {
            let body = message.body().expect("message body");
            serde_json::from_str(body).expect("message body is JSON")
        })
        .collect()
}

/// Receives messages until `expected` arrived or 10 s passed, deleting each from the
/// queue (as a consumer that handled it would); returns them whole (ids, bodies).
pub async fn receive_messages(
    config: &SdkConfig,
    queue_url: &str,
    expected: usize,
) -> Vec<Message> {
    let sqs = aws_sdk_sqs::Client::new(config);
    let mut messages = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while messages.len() < expected && std::time::Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("ReceiveMessage");
        for message in out.messages() {
            sqs.delete_message()
                .queue_url(queue_url)
                .set_receipt_handle(message.receipt_handle().map(str::to_owned))
                .send()
                .await
                .expect("DeleteMessage");
            messages.push(message.clone());
        }
    }
    messages
}
