//! The tenants file: parsing, validation, secret resolution and lookup.

use std::path::Path;

use sla_core::event::{Priority, Status};
use sla_helpdesk::{
    resolve_tenant_actions, resolve_tenants, SecretSource, SecretUnavailable, TenantsFile, Vendor,
};

const EXAMPLE: &str = r#"
tenants:
  acme:
    policy: policy.yaml
    vendors:
      canonical: {secret_env: ACME_CANONICAL_SECRET}
      zendesk:
        secret_env: ACME_ZENDESK_SECRET
        statuses: {"Waiting on vendor": on_hold}
        priorities: {P1: urgent}
        segment_from: organization
        timestamp_tolerance_secs: 120
  globex.eu:
    vendors:
      jira: {secret_arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:globex-jira"}
      hubspot: {secret_ssm: /sla/globex/hubspot}
"#;

fn fake_resolver(source: &SecretSource) -> Result<String, SecretUnavailable> {
    Ok(format!("value of {source}"))
}

#[test]
fn parses_the_documented_shape() {
    let file = TenantsFile::from_yaml("/etc/sla/tenants.yaml", EXAMPLE).unwrap();
    let acme = file.tenant("acme").unwrap();
    assert_eq!(
        acme.policy.as_deref(),
        Some(Path::new("/etc/sla/policy.yaml"))
    );
    let zendesk = &acme.vendors[&Vendor::Zendesk];
    assert_eq!(
        zendesk.secret,
        SecretSource::Env("ACME_ZENDESK_SECRET".into())
    );
    assert_eq!(
        zendesk.mapping.status_override("waiting ON vendor"),
        Some(Status::OnHold)
    );
    assert_eq!(
        zendesk.mapping.priority_override("p1"),
        Some(Priority::Urgent)
    );
    assert_eq!(zendesk.limits.timestamp_tolerance.as_secs(), 120);
    let globex = file.tenant("globex.eu").unwrap();
    assert!(matches!(
        globex.vendors[&Vendor::Jira].secret,
        SecretSource::SecretsManager(_)
    ));
    assert_eq!(
        globex.vendors[&Vendor::Hubspot].secret,
        SecretSource::Ssm("/sla/globex/hubspot".into())
    );
}

#[test]
fn resolved_tenants_answer_lookups() {
    let file = TenantsFile::from_yaml("tenants.yaml", EXAMPLE).unwrap();
    let resolved = resolve_tenants(&file, &fake_resolver).unwrap();
    let config = resolved.vendor("acme", Vendor::Zendesk).unwrap();
    assert_eq!(
        config.secret.expose(),
        b"value of secret_env ACME_ZENDESK_SECRET"
    );
    assert!(
        resolved.vendor("acme", Vendor::Front).is_none(),
        "vendor not configured"
    );
    assert!(
        resolved.vendor("nobody", Vendor::Zendesk).is_none(),
        "unknown tenant"
    );
    assert_eq!(resolved.policy("acme"), Some(Path::new("policy.yaml")));
    assert_eq!(
        resolved.tenant_names().collect::<Vec<_>>(),
        ["acme", "globex.eu"]
    );
}

#[test]
fn invalid_files_are_refused_with_the_field_named() {
    let cases = [
        ("tenants:\n  'a b':\n    vendors: {}\n", "tenants.a b: tenant names"),
        ("tenants:\n  acme:\n    vendors:\n      zendesk: {}\n", "tenants.acme.vendors.zendesk: exactly one of"),
        (
            "tenants:\n  acme:\n    vendors:\n      zendesk: {secret_env: A, secret_ssm: B}\n",
            "exactly one of secret_env",
        ),
        ("tenants:\n  acme:\n    vendors:\n      zendsk: {secret_env: A}\n", "unknown vendor \"zendsk\""),
        (
            "tenants:\n  acme:\n    vendors:\n      zendesk: {secret_env: A, segment_from: planet}\n",
            "tenants.acme.vendors.zendesk.segment_from",
        ),
        (
            "tenants:\n  acme:\n    vendors:\n      zendesk: {secret_env: A, statuses: {x: waiting}}\n",
            "unknown variant `waiting`",
        ),
        ("tenants:\n  acme:\n    polcy: p.yaml\n", "unknown field `polcy`"),
        (
            "tenants:\n  acme:\n    vendors:\n      zendesk: {secret_env: A, max_body_bytes: 0}\n",
            "max_body_bytes: must be positive",
        ),
        (
            "tenants:\n  acme:\n    vendors:\n      zendesk: {secret_env: A, timestamp_tolerance_secs: 86401}\n",
            "tenants.acme.vendors.zendesk.timestamp_tolerance_secs: must be 1 to 86400 (one day)",
        ),
        (
            "tenants:\n  acme:\n    vendors:\n      zendesk: {secret_env: A, timestamp_tolerance_secs: 18446744073709551615}\n",
            "timestamp_tolerance_secs: must be 1 to 86400",
        ),
        (
            "tenants:\n  acme:\n    vendors:\n      canonical: {secret_env: A, max_events_per_request: 0}\n",
            "max_events_per_request: must be positive",
        ),
        (
            "tenants:\n  acme:\n    vendors:\n      helpscout: {secret_env: A, account: '85'}\n",
            "tenants.acme.vendors.helpscout.account: helpscout payloads do not identify the account",
        ),
        (
            "tenants:\n  acme:\n    vendors:\n      canonical: {secret_env: A, account: x}\n",
            "canonical payloads do not identify the account",
        ),
        (
            "tenants:\n  acme:\n    vendors:\n      intercom: {secret_env: A, account: ' '}\n",
            "tenants.acme.vendors.intercom.account: is empty",
        ),
    ];
    for (yaml, expected) in cases {
        let error = TenantsFile::from_yaml("t.yaml", yaml)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("t.yaml: "), "{error}");
        assert!(
            error.contains(expected),
            "{yaml}\n-> {error}\n(expected {expected:?})"
        );
    }
}

#[test]
fn tenant_names_are_storage_safe() {
    for good in ["acme", "a", "ACME_eu-1.prod", &"x".repeat(64)] {
        assert!(sla_helpdesk::is_valid_tenant_name(good), "{good}");
    }
    for bad in ["", "a/b", "a#b", "ümlaut", "a b", &"x".repeat(65)] {
        assert!(!sla_helpdesk::is_valid_tenant_name(bad), "{bad}");
    }
}

#[test]
fn limits_and_account_are_read() {
    let yaml = "tenants:\n  acme:\n    vendors:\n      hubspot: {secret_env: A, timestamp_tolerance_secs: 86400, max_events_per_request: 5, account: ' 62515 '}\n";
    let file = TenantsFile::from_yaml("t.yaml", yaml).unwrap();
    let entry = &file.tenant("acme").unwrap().vendors[&Vendor::Hubspot];
    assert_eq!(entry.limits.timestamp_tolerance.as_secs(), 86_400);
    assert_eq!(entry.limits.max_events, 5);
    assert_eq!(entry.account.as_deref(), Some("62515"));
    let resolved = resolve_tenants(&file, &fake_resolver).unwrap();
    let config = resolved.vendor("acme", Vendor::Hubspot).unwrap();
    assert_eq!(config.account.as_deref(), Some("62515"));
    assert_eq!(config.limits.max_events, 5);
}

#[test]
fn tenants_sharing_a_secret_without_account_are_warned_about() {
    let yaml = r#"
tenants:
  acme:
    vendors:
      intercom: {secret_env: SHARED}
      zendesk: {secret_env: SHARED_Z, account: "1"}
  globex:
    vendors:
      intercom: {secret_env: SHARED_TOO}
      zendesk: {secret_env: SHARED_Z, account: "2"}
  initech:
    vendors:
      intercom: {secret_env: OWN}
"#;
    let file = TenantsFile::from_yaml("t.yaml", yaml).unwrap();
    // SHARED and SHARED_TOO hold the same value: the warning compares values, not names.
    let resolver = |source: &SecretSource| -> Result<String, SecretUnavailable> {
        Ok(match source {
            SecretSource::Env(name) if name.starts_with("SHARED_Z") => "zendesk-app".into(),
            SecretSource::Env(name) if name.starts_with("SHARED") => "intercom-app".into(),
            other => format!("{other}"),
        })
    };
    let warnings = resolve_tenants(&file, &resolver).unwrap().warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("tenants acme, globex share one intercom secret"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("set `account:` (app_id)"),
        "{}",
        warnings[0]
    );
    assert!(!warnings[0].contains("intercom-app"), "never the secret");
}

#[test]
fn a_host_that_only_acts_reads_only_the_action_secrets() {
    let yaml = "\
tenants:
  acme:
    vendors:
      zendesk:
        secret_arn: webhook-secret
        api: {base_url: \"https://acme.zendesk.com\", email_env: ZD_EMAIL, token_env: ZD_TOKEN}
    channels:
      leads: {slack_webhook_env: SLACK_LEADS}
";
    let file = TenantsFile::from_yaml("tenants.yaml", yaml).unwrap();
    let only_env = |source: &SecretSource| match source {
        SecretSource::Env(name) => Ok(format!("https://hooks.example/{name}")),
        other => Err(SecretUnavailable {
            reason: format!("{other} must not be read"),
        }),
    };
    assert!(
        resolve_tenants(&file, &only_env).is_err(),
        "the full resolution reads the webhook secret"
    );
    let resolved = resolve_tenant_actions(&file, &only_env).unwrap();
    assert!(resolved.vendor("acme", Vendor::Zendesk).is_none());
    let actions = resolved.actions("acme").unwrap();
    assert!(actions.api.contains_key(&Vendor::Zendesk));
    assert!(actions.channels.contains_key("leads"));
}
