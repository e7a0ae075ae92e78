//! Signature checks, driven by every fixture case that carries a `secret`: the case as
//! written verifies; a tampered body, a wrong secret, a missing signature header, a stale
//! or future timestamp, and an oversized body are refused.

mod common;

use std::time::Duration;

use chrono::TimeDelta;
use common::{load_cases, Case, Expect};
use sla_helpdesk::{verify_and_parse, Secret, Vendor, VendorConfig, WebhookRequest};

fn signed_cases() -> Vec<Case> {
    let cases: Vec<Case> = load_cases()
        .into_iter()
        .filter(|c| c.secret.is_some() && matches!(c.expect, Expect::Events(_)))
        .collect();
    for vendor in Vendor::ALL {
        assert!(
            cases.iter().any(|c| c.vendor() == vendor),
            "no signed fixture case for {vendor}"
        );
    }
    cases
}

fn secret(case: &Case) -> &str {
    case.secret.as_deref().expect("signed case")
}

#[test]
fn signed_cases_verify_as_written() {
    for case in signed_cases() {
        assert!(case.run().is_ok(), "{}: {:?}", case.name, case.run());
    }
}

#[test]
fn a_tampered_body_is_refused() {
    // Freshdesk cannot sign: its shared secret authenticates the sender, not the body.
    for case in signed_cases()
        .into_iter()
        .filter(|c| c.vendor() != Vendor::Freshdesk)
    {
        let mut body = case.payload.clone();
        let last = body
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .expect("non-empty body");
        body.insert(last, b' ');
        let error = case
            .run_with(&case.header_list(), &body, Some(secret(&case)), case.now)
            .expect_err(&case.name);
        assert_eq!(error.http_status(), 401, "{}: {error}", case.name);
    }
}

#[test]
fn a_wrong_secret_is_refused() {
    for case in signed_cases() {
        let wrong = format!("{}x", secret(&case));
        let error = case
            .run_with(&case.header_list(), &case.payload, Some(&wrong), case.now)
            .expect_err(&case.name);
        assert_eq!(error.http_status(), 401, "{}: {error}", case.name);
    }
}

#[test]
fn a_missing_signature_header_is_refused_and_named() {
    for case in signed_cases() {
        assert!(
            !case.signature_headers.is_empty(),
            "{}: list its signature_headers",
            case.name
        );
        for header in &case.signature_headers {
            let headers: Vec<(String, String)> = case
                .header_list()
                .into_iter()
                .filter(|(name, _)| name != header)
                .collect();
            let error = case
                .run_with(&headers, &case.payload, Some(secret(&case)), case.now)
                .expect_err(&case.name);
            assert_eq!(error.http_status(), 401, "{}: {error}", case.name);
            assert!(
                error.to_string().contains(header.as_str()),
                "{}: {error}",
                case.name
            );
        }
    }
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    let cases: Vec<Case> = signed_cases()
        .into_iter()
        .filter(|c| c.timestamped)
        .collect();
    assert!(
        cases.len() >= 4,
        "timestamped cases: zendesk, front, hubspot, canonical"
    );
    for case in cases {
        for shift in [TimeDelta::minutes(10), TimeDelta::minutes(-10)] {
            let error = case
                .run_with(
                    &case.header_list(),
                    &case.payload,
                    Some(secret(&case)),
                    case.now + shift,
                )
                .expect_err(&case.name);
            assert_eq!(error.http_status(), 401, "{}: {error}", case.name);
            assert!(
                error.to_string().contains("tolerance"),
                "{}: {error}",
                case.name
            );
        }
    }
}

#[test]
fn the_timestamp_tolerance_is_configurable() {
    for case in signed_cases().into_iter().filter(|c| c.timestamped) {
        let mut config = case.config(secret(&case));
        config.limits.timestamp_tolerance = Duration::from_secs(3600);
        let uri = case.uri();
        let headers = case.header_list();
        let request = WebhookRequest {
            method: &case.method,
            uri: &uri,
            headers: &headers,
            body: &case.payload,
        };
        let later = case.now + TimeDelta::minutes(10);
        assert!(
            verify_and_parse(case.vendor(), &case.tenant, &config, &request, later).is_ok(),
            "{}",
            case.name
        );
    }
}

#[test]
fn an_oversized_body_is_refused_before_verification() {
    for case in signed_cases() {
        let mut config = case.config("not even the right secret");
        config.limits.max_body_bytes = case.payload.len() - 1;
        let uri = case.uri();
        let headers = case.header_list();
        let request = WebhookRequest {
            method: &case.method,
            uri: &uri,
            headers: &headers,
            body: &case.payload,
        };
        let error = verify_and_parse(case.vendor(), &case.tenant, &config, &request, case.now)
            .expect_err(&case.name);
        assert_eq!(error.http_status(), 413, "{}: {error}", case.name);
    }
}

fn case_named(name: &str) -> Case {
    load_cases()
        .into_iter()
        .find(|c| c.name == name)
        .expect(name)
}

#[test]
fn canonical_accepts_any_of_several_v1_signatures_during_rotation() {
    let case = case_named("canonical/one_event.case.yaml");
    let headers: Vec<(String, String)> = case
        .header_list()
        .into_iter()
        .map(|(name, value)| match name.as_str() {
            "X-Sla-Signature" => (name, format!("v1=00ff, {value}")),
            _ => (name, value),
        })
        .collect();
    assert!(case
        .run_with(&headers, &case.payload, Some(secret(&case)), case.now)
        .is_ok());
}

#[test]
fn hubspot_signs_the_uri_and_method() {
    let case = case_named("hubspot/ticket_batch.case.yaml");
    let headers = case.header_list();
    let config = VendorConfig::new(Secret::new(secret(&case)));
    for (method, uri) in [
        (
            "POST",
            "https://sla.example.com/webhooks/acme/hubspot?portal=62515&note=a%3Ac",
        ),
        (
            "PUT",
            "https://sla.example.com/webhooks/acme/hubspot?portal=62515&note=a%3Ab",
        ),
    ] {
        let request = WebhookRequest {
            method,
            uri,
            headers: &headers,
            body: &case.payload,
        };
        let error =
            verify_and_parse(Vendor::Hubspot, "acme", &config, &request, case.now).unwrap_err();
        assert_eq!(error.http_status(), 401, "{method} {uri}");
    }
}

#[test]
fn header_names_match_case_insensitively() {
    let case = case_named("zendesk/ticket_comment_added.case.yaml");
    let headers: Vec<(String, String)> = case
        .header_list()
        .into_iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .collect();
    assert!(case
        .run_with(&headers, &case.payload, Some(secret(&case)), case.now)
        .is_ok());
}
