//! The tenants file: parsing, validation, secret resolution and lookup.

use std::path::Path;

use sla_core::event::{Priority, Status};
use sla_helpdesk::{
    resolve_tenants, EnvSecretResolver, SecretSource, SecretUnavailable, TenantsFile, Vendor,
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
fn an_unreadable_secret_fails_resolution_and_names_it() {
    let yaml =
        "tenants:\n  acme:\n    vendors:\n      canonical: {secret_env: SLA_TEST_UNSET_SECRET}\n";
    let file = TenantsFile::from_yaml("tenants.yaml", yaml).unwrap();
    let error = resolve_tenants(&file, &EnvSecretResolver).unwrap_err();
    assert_eq!(
        error.to_string(),
        "tenants.acme.vendors.canonical: cannot read secret secret_env SLA_TEST_UNSET_SECRET: \
         environment variable SLA_TEST_UNSET_SECRET is not set"
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
fn the_example_tenants_file_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tenants.yaml");
    let file = TenantsFile::load(&path).unwrap();
    assert!(file.tenants().count() >= 1);
}
