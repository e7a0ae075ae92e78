//! The executors against fake helpdesk and chat servers on loopback (see `fakes/`): each
//! step hits the documented endpoint with the documented auth and body; retries honour
//! `Retry-After` and back off on 5xx/409 with a virtual sleeper; 4xx fail unretried.

mod fakes;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sla_actions::{ActionStep, Assignee, PlannedAction};
use sla_actions_http::{
    limitation, ActionMetric, ApiCredentials, Channel, Counters, Executor, HttpRequest,
    HttpResponse, HttpTransport, HyperTransport, Outcome, OutcomeKind, RetryPolicy, Sleeper,
    StepKind, TenantActionsConfig, TransportError,
};
use sla_core::Priority;
use sla_helpdesk::{Secret, Vendor};

use fakes::{rate_limited, Fake, Reply};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn executor() -> Executor<HyperTransport> {
    Executor::new(HyperTransport::new()).with_clock(now)
}

/// Records the delays instead of sleeping.
#[derive(Default)]
struct VirtualSleeper(Mutex<Vec<Duration>>);

impl VirtualSleeper {
    fn slept(&self) -> Vec<u64> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(Duration::as_secs)
            .collect()
    }
}

impl Sleeper for VirtualSleeper {
    async fn sleep(&self, delay: Duration) {
        self.0.lock().unwrap().push(delay);
    }
}

fn credentials(
    base_url: &str,
    email: Option<&str>,
    token: &str,
    admin: Option<&str>,
) -> ApiCredentials {
    ApiCredentials {
        base_url: base_url.to_string(),
        email: email.map(Secret::new),
        token: Secret::new(token),
        admin_id: admin.map(str::to_string),
        app_id: None,
    }
}

fn config(vendor: Vendor, api: ApiCredentials) -> TenantActionsConfig {
    TenantActionsConfig {
        api: BTreeMap::from([(vendor, api)]),
        channels: BTreeMap::new(),
    }
}

fn action(vendor: Vendor, ticket: &str, step: ActionStep) -> PlannedAction {
    PlannedAction {
        id: "zendesk:evt-1:0.0".into(),
        event_id: "zendesk:evt-1".into(),
        tenant: "acme".into(),
        ticket_id: ticket.into(),
        vendor: Some(vendor.name().to_string()),
        step,
    }
}

/// Every ticket step, with ids the fakes know.
fn all_steps(group: &str, agent: &str) -> Vec<ActionStep> {
    vec![
        ActionStep::Tag("sla_at_risk".into()),
        ActionStep::Untag("vip".into()),
        ActionStep::RaisePriority(Priority::High),
        ActionStep::Assign(Assignee::Group(group.into())),
        ActionStep::Assign(Assignee::Agent(agent.into())),
        ActionStep::Note("First response due 10:30 <CET>".into()),
    ]
}

async fn run_all(
    vendor: Vendor,
    ticket: &str,
    config: &TenantActionsConfig,
    steps: Vec<ActionStep>,
) -> Vec<Outcome> {
    let executor = executor();
    let mut outcomes = Vec::new();
    for step in steps {
        outcomes.push(
            executor
                .execute(&action(vendor, ticket, step), config)
                .await,
        );
    }
    outcomes
}

fn unsupported(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Unsupported { .. })
}

async fn zendesk() -> (Fake, TenantActionsConfig) {
    let fake = Fake::start(fakes::zendesk::handle, fakes::zendesk::state()).await;
    let api = credentials(
        &fake.base_url,
        Some(fakes::zendesk::EMAIL),
        fakes::zendesk::TOKEN,
        None,
    );
    let config = config(Vendor::Zendesk, api);
    (fake, config)
}

#[tokio::test]
async fn zendesk_steps_call_the_tags_and_tickets_apis() {
    let (fake, config) = zendesk().await;
    let outcomes = run_all(Vendor::Zendesk, "42", &config, all_steps("3", "5")).await;
    assert!(outcomes.iter().all(|o| *o == Outcome::Done), "{outcomes:?}");
    assert_eq!(
        fake.lines(),
        [
            "PUT /api/v2/tickets/42/tags",
            "DELETE /api/v2/tickets/42/tags",
            "GET /api/v2/tickets/42",
            "PUT /api/v2/tickets/42",
            "PUT /api/v2/tickets/42",
            "PUT /api/v2/tickets/42",
            "PUT /api/v2/tickets/42",
        ]
    );
    let priority_update = &fake.calls()[3].body["ticket"];
    assert_eq!(priority_update["safe_update"], true);
    assert_eq!(priority_update["updated_stamp"], "2026-03-02T09:00:00Z");
    let state = fake.state();
    assert_eq!(state["tags"], json!(["sla_at_risk"]));
    assert_eq!(state["priority"], "high");
    assert_eq!(
        (state["group_id"].clone(), state["assignee_id"].clone()),
        (json!(3), json!(5))
    );
    assert_eq!(state["comments"][0]["public"], false);
}

#[tokio::test]
async fn zendesk_priority_is_never_lowered() {
    let (fake, config) = zendesk().await;
    fake.update_state(|s| s["priority"] = json!("urgent"));
    let outcome = executor()
        .execute(
            &action(
                Vendor::Zendesk,
                "42",
                ActionStep::RaisePriority(Priority::High),
            ),
            &config,
        )
        .await;
    assert_eq!(outcome, Outcome::Done);
    assert_eq!(fake.lines(), ["GET /api/v2/tickets/42"]);
    assert_eq!(fake.state()["priority"], "urgent");
}

#[tokio::test]
async fn a_safe_update_conflict_rereads_and_retries() {
    let (fake, config) = zendesk().await;
    fake.pass(1);
    fake.force([Reply::status(409, json!({"error": "UpdateConflict"}))]);
    let sleeper = VirtualSleeper::default();
    let step = ActionStep::RaisePriority(Priority::Urgent);
    let report = executor()
        .execute_with_retries(
            &action(Vendor::Zendesk, "42", step),
            &config,
            &RetryPolicy::default(),
            &sleeper,
        )
        .await;
    assert_eq!((report.outcome, report.attempts), (Outcome::Done, 2));
    assert_eq!(sleeper.slept(), [1]);
    assert_eq!(
        fake.lines(),
        [
            "GET /api/v2/tickets/42",
            "PUT /api/v2/tickets/42",
            "GET /api/v2/tickets/42",
            "PUT /api/v2/tickets/42"
        ]
    );
    assert_eq!(fake.state()["priority"], "urgent");
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after() {
    let (fake, config) = zendesk().await;
    fake.force([rate_limited(7)]);
    let sleeper = VirtualSleeper::default();
    let report = executor()
        .execute_with_retries(
            &action(
                Vendor::Zendesk,
                "42",
                ActionStep::Tag("sla_breached".into()),
            ),
            &config,
            &RetryPolicy::default(),
            &sleeper,
        )
        .await;
    assert_eq!(report.outcome, Outcome::Done);
    assert_eq!(sleeper.slept(), [7]);
    assert_eq!(
        report.metric,
        ActionMetric {
            target: "zendesk",
            step: StepKind::Tag,
            outcome: OutcomeKind::Done,
            attempts: 2
        }
    );
    assert_eq!(fake.lines().len(), 2);
    assert_eq!(fake.state()["tags"], json!(["vip", "sla_breached"]));
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_allows_goes_back_to_the_host() {
    let (fake, config) = zendesk().await;
    fake.force([rate_limited(3600)]);
    let sleeper = VirtualSleeper::default();
    let report = executor()
        .execute_with_retries(
            &action(Vendor::Zendesk, "42", ActionStep::Tag("x".into())),
            &config,
            &RetryPolicy::default(),
            &sleeper,
        )
        .await;
    assert!(matches!(report.outcome, Outcome::Retry { after: Some(d), .. } if d.as_secs() == 3600));
    assert_eq!((report.attempts, sleeper.slept().len()), (1, 0));
}

#[tokio::test]
async fn a_403_is_a_failure_and_is_not_retried() {
    let (fake, config) = zendesk().await;
    fake.force([Reply::status(403, json!({"error": "Forbidden"}))]);
    let sleeper = VirtualSleeper::default();
    let mut counters = Counters::default();
    let report = executor()
        .execute_with_retries(
            &action(Vendor::Zendesk, "42", ActionStep::Tag("x".into())),
            &config,
            &RetryPolicy::default(),
            &sleeper,
        )
        .await;
    counters.record(&report.metric);
    match &report.outcome {
        Outcome::Failed { status, message } => {
            assert_eq!(*status, Some(403));
            assert!(
                message.contains("PUT /api/v2/tickets/42/tags answered 403"),
                "{message}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!((report.attempts, fake.lines().len()), (1, 1));
    assert!(sleeper.slept().is_empty());
    assert_eq!(
        counters.get("zendesk", StepKind::Tag, OutcomeKind::Failed),
        1
    );
}

#[tokio::test]
async fn a_500_is_retried_with_exponential_backoff() {
    let (fake, config) = zendesk().await;
    fake.force([
        Reply::status(500, Value::Null),
        Reply::status(502, Value::Null),
    ]);
    let sleeper = VirtualSleeper::default();
    let report = executor()
        .execute_with_retries(
            &action(Vendor::Zendesk, "42", ActionStep::Note("late".into())),
            &config,
            &RetryPolicy::default(),
            &sleeper,
        )
        .await;
    assert_eq!((report.outcome, report.attempts), (Outcome::Done, 3));
    assert_eq!(sleeper.slept(), [1, 2]);
    assert_eq!(fake.state()["comments"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn retries_stop_at_the_attempt_limit() {
    let (fake, config) = zendesk().await;
    fake.force((0..5).map(|_| Reply::status(503, Value::Null)));
    let sleeper = VirtualSleeper::default();
    let policy = RetryPolicy {
        max_attempts: 3,
        ..RetryPolicy::default()
    };
    let report = executor()
        .execute_with_retries(
            &action(Vendor::Zendesk, "42", ActionStep::Tag("x".into())),
            &config,
            &policy,
            &sleeper,
        )
        .await;
    assert!(
        matches!(report.outcome, Outcome::Retry { .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!((report.attempts, sleeper.slept()), (3, vec![1, 2]));
}

#[tokio::test]
async fn an_unreachable_api_is_a_transport_error_retried_with_backoff() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let api = credentials(&format!("http://{closed}"), Some("a@b.test"), "t", None);
    let sleeper = VirtualSleeper::default();
    let policy = RetryPolicy {
        max_attempts: 2,
        ..RetryPolicy::default()
    };
    let report = executor()
        .execute_with_retries(
            &action(Vendor::Zendesk, "42", ActionStep::Tag("x".into())),
            &config(Vendor::Zendesk, api),
            &policy,
            &sleeper,
        )
        .await;
    assert!(
        matches!(report.outcome, Outcome::Retry { after: None, .. }),
        "{:?}",
        report.outcome
    );
    assert_eq!(sleeper.slept(), [1]);
}

#[tokio::test]
async fn freshdesk_steps_read_the_tag_set_and_write_it_whole() {
    let fake = Fake::start(fakes::freshdesk::handle, fakes::freshdesk::state()).await;
    let config = config(
        Vendor::Freshdesk,
        credentials(&fake.base_url, None, fakes::freshdesk::API_KEY, None),
    );
    let outcomes = run_all(Vendor::Freshdesk, "9", &config, all_steps("12", "34")).await;
    assert!(outcomes.iter().all(|o| *o == Outcome::Done), "{outcomes:?}");
    assert_eq!(
        fake.lines(),
        [
            "GET /api/v2/tickets/9",
            "PUT /api/v2/tickets/9",
            "GET /api/v2/tickets/9",
            "PUT /api/v2/tickets/9",
            "GET /api/v2/tickets/9",
            "PUT /api/v2/tickets/9",
            "PUT /api/v2/tickets/9",
            "PUT /api/v2/tickets/9",
            "POST /api/v2/tickets/9/notes",
        ]
    );
    assert_eq!(
        fake.calls()[1].body,
        json!({"tags": ["vip", "sla_at_risk"]})
    );
    let state = fake.state();
    assert_eq!(state["tags"], json!(["sla_at_risk"]));
    assert_eq!(
        (state["priority"].clone(), state["group_id"].clone()),
        (json!(3), json!(12))
    );
    assert_eq!(state["responder_id"], 34);
    assert_eq!(
        state["notes"][0],
        json!({"body": "First response due 10:30 &lt;CET&gt;", "private": true})
    );
}

#[tokio::test]
async fn jira_steps_edit_labels_priority_assignee_and_comment_internally() {
    let fake = Fake::start(fakes::jira::handle, fakes::jira::state()).await;
    let api = credentials(
        &fake.base_url,
        Some(fakes::jira::EMAIL),
        fakes::jira::TOKEN,
        None,
    );
    let config = config(Vendor::Jira, api);
    let outcomes = run_all(
        Vendor::Jira,
        fakes::jira::KEY,
        &config,
        all_steps("tier2", "5b10ac8d82e05b22cc7d4ef5"),
    )
    .await;
    assert!(unsupported(&outcomes[3]), "{outcomes:?}");
    outcomes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .for_each(|(_, o)| assert_eq!(*o, Outcome::Done));
    assert_eq!(
        fake.lines(),
        [
            "PUT /rest/api/3/issue/SUP-7",
            "PUT /rest/api/3/issue/SUP-7",
            "GET /rest/api/3/issue/SUP-7?fields=priority",
            "PUT /rest/api/3/issue/SUP-7",
            "PUT /rest/api/3/issue/SUP-7/assignee",
            "POST /rest/servicedeskapi/request/SUP-7/comment",
        ]
    );
    let state = fake.state();
    assert_eq!(state["labels"], json!(["sla_at_risk"]));
    assert_eq!(state["priority"], "High");
    assert_eq!(state["assignee"], "5b10ac8d82e05b22cc7d4ef5");
    assert_eq!(state["comments"][0]["public"], false);
}

#[tokio::test]
async fn intercom_steps_tag_by_id_note_and_assign_as_the_admin() {
    use fakes::intercom::{ADMIN, CONVERSATION, TOKEN};
    let fake = Fake::start(fakes::intercom::handle, fakes::intercom::state()).await;
    let config = config(
        Vendor::Intercom,
        credentials(&fake.base_url, None, TOKEN, Some(ADMIN)),
    );
    let mut steps = all_steps("6", "7");
    steps.insert(1, ActionStep::Tag("vip".into()));
    let outcomes = run_all(Vendor::Intercom, CONVERSATION, &config, steps).await;
    assert!(unsupported(&outcomes[3]), "{outcomes:?}");
    outcomes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .for_each(|(_, o)| assert_eq!(*o, Outcome::Done));
    let conversation = format!("/conversations/{CONVERSATION}");
    let vip_id = fake.state()["tag_ids"]["vip"].as_str().unwrap().to_string();
    assert_eq!(
        fake.lines(),
        [
            "POST /tags".to_string(),
            format!("POST {conversation}/tags"),
            "POST /tags".to_string(),
            format!("POST {conversation}/tags"),
            "POST /tags".to_string(),
            format!("DELETE {conversation}/tags/{vip_id}"),
            format!("POST {conversation}/parts"),
            format!("POST {conversation}/parts"),
            format!("POST {conversation}/reply"),
        ]
    );
    let state = fake.state();
    assert_eq!(state["tags"], json!(["sla_at_risk"]));
    let parts = state["parts"].as_array().unwrap();
    assert_eq!(
        (parts[0]["type"].clone(), parts[0]["assignee_id"].clone()),
        (json!("team"), json!("6"))
    );
    assert_eq!(
        (parts[1]["type"].clone(), parts[1]["assignee_id"].clone()),
        (json!("admin"), json!("7"))
    );
    assert_eq!(parts[2]["message_type"], "note");
}

#[tokio::test]
async fn helpscout_steps_replace_the_tag_set_note_and_patch_the_assignee() {
    let fake = Fake::start(fakes::helpscout::handle, fakes::helpscout::state()).await;
    let config = config(
        Vendor::HelpScout,
        credentials(&fake.base_url, None, fakes::helpscout::TOKEN, None),
    );
    let outcomes = run_all(Vendor::HelpScout, "5", &config, all_steps("1", "11")).await;
    let kinds: Vec<bool> = outcomes.iter().map(unsupported).collect();
    assert_eq!(
        kinds,
        [false, false, true, true, false, false],
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .filter(|o| !unsupported(o))
            .all(|o| *o == Outcome::Done),
        "{outcomes:?}"
    );
    assert_eq!(
        fake.lines(),
        [
            "GET /v2/conversations/5",
            "PUT /v2/conversations/5/tags",
            "GET /v2/conversations/5",
            "PUT /v2/conversations/5/tags",
            "PATCH /v2/conversations/5",
            "POST /v2/conversations/5/notes",
        ]
    );
    assert_eq!(
        fake.calls()[1].body,
        json!({"tags": ["vip", "sla_at_risk"]})
    );
    let state = fake.state();
    assert_eq!(state["tags"], json!([{"id": 1, "tag": "sla_at_risk"}]));
    assert_eq!(state["assignTo"], 11);
}

#[tokio::test]
async fn helpscout_app_credentials_get_a_token_once_and_reuse_it() {
    use fakes::helpscout::{APP_ID, APP_SECRET};
    let fake = Fake::start(fakes::helpscout::handle, fakes::helpscout::state()).await;
    let mut api = credentials(&fake.base_url, None, APP_SECRET, None);
    api.app_id = Some(Secret::new(APP_ID));
    let config = config(Vendor::HelpScout, api);
    let steps = vec![
        ActionStep::Note("one".into()),
        ActionStep::Note("two".into()),
    ];
    let outcomes = run_all(Vendor::HelpScout, "5", &config, steps).await;
    assert_eq!(outcomes, [Outcome::Done, Outcome::Done]);
    assert_eq!(
        fake.lines(),
        [
            "POST /v2/oauth2/token",
            "POST /v2/conversations/5/notes",
            "POST /v2/conversations/5/notes"
        ]
    );
}

#[tokio::test]
async fn front_steps_find_tags_across_pages_comment_and_assign() {
    use fakes::front::{CONVERSATION, TOKEN};
    let fake = Fake::start(fakes::front::handle, fakes::front::state()).await;
    let base = fake.base_url.clone();
    fake.update_state(|s| s["base_url"] = json!(base));
    let config = config(
        Vendor::Front,
        credentials(&fake.base_url, None, TOKEN, None),
    );
    let outcomes = run_all(
        Vendor::Front,
        CONVERSATION,
        &config,
        all_steps("tim_1", "tea_9"),
    )
    .await;
    let kinds: Vec<bool> = outcomes.iter().map(unsupported).collect();
    assert_eq!(
        kinds,
        [false, false, true, true, false, false],
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .filter(|o| !unsupported(o))
            .all(|o| *o == Outcome::Done),
        "{outcomes:?}"
    );
    let conversation = format!("/conversations/{CONVERSATION}");
    assert_eq!(
        fake.lines(),
        [
            "GET /tags".to_string(),
            "GET /tags?page_token=p2".to_string(),
            format!("POST {conversation}/tags"),
            "GET /tags".to_string(),
            format!("DELETE {conversation}/tags"),
            format!("PUT {conversation}/assignee"),
            format!("POST {conversation}/comments"),
        ]
    );
    let state = fake.state();
    assert_eq!(state["tags"], json!(["tag_2"]));
    assert_eq!(state["assignee"], "tea_9");
}

#[tokio::test]
async fn hubspot_steps_patch_properties_and_associate_notes() {
    use fakes::hubspot::{TICKET, TOKEN};
    let fake = Fake::start(fakes::hubspot::handle, fakes::hubspot::state()).await;
    let config = config(
        Vendor::Hubspot,
        credentials(&fake.base_url, None, TOKEN, None),
    );
    let outcomes = run_all(Vendor::Hubspot, TICKET, &config, all_steps("1", "77")).await;
    let kinds: Vec<bool> = outcomes.iter().map(unsupported).collect();
    assert_eq!(
        kinds,
        [true, true, false, true, false, false],
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .filter(|o| !unsupported(o))
            .all(|o| *o == Outcome::Done),
        "{outcomes:?}"
    );
    assert_eq!(
        fake.lines(),
        [
            "GET /crm/v3/objects/tickets/31?properties=hs_ticket_priority",
            "PATCH /crm/v3/objects/tickets/31",
            "PATCH /crm/v3/objects/tickets/31",
            "POST /crm/v3/objects/notes",
        ]
    );
    let state = fake.state();
    assert_eq!(state["hs_ticket_priority"], "HIGH");
    assert_eq!(state["hubspot_owner_id"], "77");
    assert_eq!(
        state["notes"][0]["properties"]["hs_timestamp"],
        "2026-03-02T10:00:00.000Z"
    );
}

/// Answers every call 200 `{}` without a network.
struct Always200;

impl HttpTransport for Always200 {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: b"{}".to_vec(),
        })
    }
}

/// Where the executors knowingly differ from `sla_actions::capability`: nowhere (the
/// matrix now says Intercom sets no priority, as its conversation update documents).
const KNOWN_MISMATCHES: [(Vendor, StepKind); 0] = [];

#[tokio::test]
async fn the_capability_matrix_matches_what_the_executors_do() {
    let executor = Executor::new(Always200).with_clock(now);
    let mut mismatches = Vec::new();
    for vendor in Vendor::ALL.into_iter().filter(|v| *v != Vendor::Canonical) {
        let config = config(
            vendor,
            credentials("https://api.test", Some("a@b.test"), "t", Some("1")),
        );
        for step in all_steps("1", "2") {
            let kind = StepKind::of(&step);
            let outcome = executor.execute(&action(vendor, "1", step), &config).await;
            if unsupported(&outcome) != limitation(vendor, kind).is_some() {
                mismatches.push((vendor, kind));
            }
        }
    }
    assert_eq!(mismatches, KNOWN_MISMATCHES);
}

#[tokio::test]
async fn missing_credentials_or_channels_fail_without_calling_anything() {
    let executor = Executor::new(Always200).with_clock(now);
    let empty = TenantActionsConfig::default();
    let tag = executor
        .execute(
            &action(Vendor::Zendesk, "42", ActionStep::Tag("x".into())),
            &empty,
        )
        .await;
    assert!(
        matches!(&tag, Outcome::Failed { status: None, message } if message.contains("no api: block"))
    );
    let notify = ActionStep::Notify {
        channel: "leads".into(),
        text: "hi".into(),
    };
    let outcome = executor
        .execute(&action(Vendor::Zendesk, "42", notify), &empty)
        .await;
    assert!(
        matches!(&outcome, Outcome::Failed { message, .. } if message.contains("no channel \"leads\""))
    );
}

async fn chat() -> (Fake, TenantActionsConfig) {
    use fakes::chat::{SIGNED_PATH, SIGNING_SECRET, SLACK_PATH, TEAMS_PATH};
    let fake = Fake::start(fakes::chat::handle, fakes::chat::state()).await;
    let url = |path: &str| Secret::new(format!("{}{path}", fake.base_url));
    let channels = BTreeMap::from([
        (
            "leads".to_string(),
            Channel::Slack {
                webhook_url: url(SLACK_PATH),
            },
        ),
        (
            "managers".to_string(),
            Channel::Teams {
                webhook_url: url(TEAMS_PATH),
            },
        ),
        (
            "pager".to_string(),
            Channel::Signed {
                url: format!("{}{SIGNED_PATH}", fake.base_url),
                secret: Secret::new(SIGNING_SECRET),
            },
        ),
        (
            "forged".to_string(),
            Channel::Signed {
                url: format!("{}{SIGNED_PATH}", fake.base_url),
                secret: Secret::new("wrong"),
            },
        ),
    ]);
    (
        fake,
        TenantActionsConfig {
            api: BTreeMap::new(),
            channels,
        },
    )
}

fn notify(channel: &str, text: &str) -> PlannedAction {
    let step = ActionStep::Notify {
        channel: channel.into(),
        text: text.into(),
    };
    PlannedAction {
        vendor: None,
        ..action(Vendor::Zendesk, "42", step)
    }
}

#[tokio::test]
async fn chat_payloads_reach_slack_teams_and_the_signed_endpoint() {
    let (fake, config) = chat().await;
    let executor = executor();
    for (channel, text) in [
        ("leads", "Ticket 42 breached"),
        ("managers", "Ticket 42 at risk"),
        ("pager", "Page me"),
    ] {
        assert_eq!(
            executor.execute(&notify(channel, text), &config).await,
            Outcome::Done
        );
    }
    let texts: Vec<Value> = fake.state()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(
        texts,
        [
            json!("Ticket 42 breached"),
            json!("Ticket 42 at risk"),
            json!("Page me")
        ]
    );
    let signed = &fake.calls()[2];
    assert_eq!(signed.header("x-sla-action-id"), Some("zendesk:evt-1:0.0"));
    assert_eq!(
        signed.header("x-sla-timestamp"),
        Some(now().timestamp().to_string().as_str())
    );
    assert_eq!(signed.body["channel"], "pager");
    assert_eq!(signed.body["ticket_id"], "42");
}

#[tokio::test]
async fn a_badly_signed_post_is_refused_and_not_retried() {
    let (fake, config) = chat().await;
    let sleeper = VirtualSleeper::default();
    let report = executor()
        .execute_with_retries(
            &notify("forged", "x"),
            &config,
            &RetryPolicy::default(),
            &sleeper,
        )
        .await;
    assert!(
        matches!(
            report.outcome,
            Outcome::Failed {
                status: Some(401),
                ..
            }
        ),
        "{:?}",
        report.outcome
    );
    assert_eq!(report.metric.target, "signed");
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test]
async fn no_helpdesk_lowers_a_higher_priority() {
    let high = ActionStep::RaisePriority(Priority::High);
    let freshdesk = Fake::start(fakes::freshdesk::handle, fakes::freshdesk::state()).await;
    freshdesk.update_state(|s| s["priority"] = json!(4));
    let fd = config(
        Vendor::Freshdesk,
        credentials(&freshdesk.base_url, None, fakes::freshdesk::API_KEY, None),
    );
    let jira = Fake::start(fakes::jira::handle, fakes::jira::state()).await;
    jira.update_state(|s| s["priority"] = json!("Highest"));
    let jira_api = credentials(
        &jira.base_url,
        Some(fakes::jira::EMAIL),
        fakes::jira::TOKEN,
        None,
    );
    let hubspot = Fake::start(fakes::hubspot::handle, fakes::hubspot::state()).await;
    hubspot.update_state(|s| s["hs_ticket_priority"] = json!("URGENT"));
    let hs = config(
        Vendor::Hubspot,
        credentials(&hubspot.base_url, None, fakes::hubspot::TOKEN, None),
    );
    let executor = executor();
    let runs = [
        (Vendor::Freshdesk, "9", &fd),
        (
            Vendor::Jira,
            fakes::jira::KEY,
            &config(Vendor::Jira, jira_api),
        ),
        (Vendor::Hubspot, fakes::hubspot::TICKET, &hs),
    ];
    for (vendor, ticket, config) in runs {
        let outcome = executor
            .execute(&action(vendor, ticket, high.clone()), config)
            .await;
        assert_eq!(outcome, Outcome::Done, "{vendor}");
    }
    for fake in [&freshdesk, &jira, &hubspot] {
        assert_eq!(fake.calls().len(), 1);
        assert_eq!(fake.calls()[0].method, "GET");
    }
}

#[tokio::test]
async fn a_jira_priority_outside_the_default_scheme_is_not_overwritten() {
    let fake = Fake::start(fakes::jira::handle, fakes::jira::state()).await;
    fake.update_state(|s| s["priority"] = json!("P2 - Major"));
    let api = credentials(
        &fake.base_url,
        Some(fakes::jira::EMAIL),
        fakes::jira::TOKEN,
        None,
    );
    let step = ActionStep::RaisePriority(Priority::Urgent);
    let outcome = executor()
        .execute(
            &action(Vendor::Jira, fakes::jira::KEY, step),
            &config(Vendor::Jira, api),
        )
        .await;
    assert!(
        matches!(&outcome, Outcome::Failed { status: None, message } if message.contains("P2 - Major")),
        "{outcome:?}"
    );
    assert_eq!(fake.state()["priority"], "P2 - Major");
}

#[tokio::test]
async fn ids_that_are_not_safe_in_a_path_fail_without_a_call() {
    let (fake, config) = zendesk().await;
    let executor = executor();
    for ticket in ["../admin", "42?x=1", "abc"] {
        let outcome = executor
            .execute(
                &action(Vendor::Zendesk, ticket, ActionStep::Tag("x".into())),
                &config,
            )
            .await;
        assert!(
            matches!(outcome, Outcome::Failed { status: None, .. }),
            "{ticket}: {outcome:?}"
        );
    }
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn an_unknown_front_tag_name_fails_and_tags_nothing() {
    let fake = Fake::start(fakes::front::handle, fakes::front::state()).await;
    let base = fake.base_url.clone();
    fake.update_state(|s| s["base_url"] = json!(base));
    let api = credentials(&fake.base_url, None, fakes::front::TOKEN, None);
    let outcome = executor()
        .execute(
            &action(
                Vendor::Front,
                fakes::front::CONVERSATION,
                ActionStep::Tag("nope".into()),
            ),
            &config(Vendor::Front, api),
        )
        .await;
    assert!(
        matches!(&outcome, Outcome::Failed { message, .. } if message.contains("create it in Front first")),
        "{outcome:?}"
    );
    assert_eq!(fake.lines(), ["GET /tags", "GET /tags?page_token=p2"]);
}
