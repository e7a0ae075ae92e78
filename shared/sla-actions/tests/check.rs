//! `sla_actions::check`: rules that can never fire, and steps a tenant's helpdesks or
//! channels cannot carry out.

use sla_actions::check::{tenant_problems, warnings};
use sla_core::PolicySet;
use sla_helpdesk::TenantsFile;

fn policies(yaml: &str) -> PolicySet {
    PolicySet::from_yaml("policy.yaml", yaml).unwrap()
}

fn listed(problems: Vec<sla_actions::check::ActionProblem>) -> Vec<String> {
    problems
        .into_iter()
        .map(|p| format!("{}: {}", p.field, p.reason))
        .collect()
}

#[test]
fn warns_about_rules_that_never_fire() {
    let set = policies(
        r#"actions:
  - on: {type: warning, threshold: "50%"}
    do: [{tag: half}]
  - on: {type: breached, threshold: "75%"}
    do: [{tag: odd}]
  - on: {type: warning, threshold: "75%", metric: first_response}
    do: [{tag: fine}]
policies:
  - name: support
    targets: {normal: {first_response: 1h}}
    warn_at: ["75%"]
    actions:
      - on: {type: met, metric: resolution}
        do: [{tag: never}]
  - name: other
    targets: {normal: {resolution: 8h}}
"#,
    );
    assert_eq!(
        listed(warnings(&set)),
        [
            "actions[0].on.threshold: no policy it applies to warns at 50%, so this rule never fires",
            "actions[1].on.threshold: only warnings (and their retractions) carry a threshold, not breached, so this rule never fires",
            "policies[0].actions[0].on.metric: no policy it applies to has a resolution target, so this rule never fires",
        ]
    );
}

#[test]
fn tenant_problems_name_the_vendor_the_channel_and_the_step() {
    let set = policies(
        r#"actions:
  - on: {type: breached}
    do: [{priority: {raise_to: urgent}}, {assign: {group: tier2}}, {notify: {channel: leads}}]
policies: []
"#,
    );
    let file = TenantsFile::from_yaml(
        "tenants.yaml",
        "tenants:\n  acme:\n    vendors:\n      front: {secret_env: A}\n      jira: {secret_env: B}\n      canonical: {secret_env: C}\n    channels:\n      leads: {slack_webhook_env: D}\n",
    )
    .unwrap();
    let acme = file.tenant("acme").unwrap();
    assert_eq!(
        listed(tenant_problems(&set, "acme", acme)),
        [
            "actions[0].do[0]: tenant acme: front cannot raise priority: Front conversations have no priority",
            "actions[0].do[1]: tenant acme: jira cannot assign to a group: a Jira issue has no assignable group; assign an agent (accountId)",
            "actions[0].do[1]: tenant acme: front cannot assign to a group: Front assigns conversations to teammates only",
        ]
    );
}
