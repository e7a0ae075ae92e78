//! Payload in, canonical events out: every `fixtures/<vendor>/*.case.yaml`.

mod common;

use common::{load_cases, Expect};

#[test]
fn every_fixture_case_produces_its_expected_outcome() {
    let cases = load_cases();
    assert!(
        cases.len() >= 8,
        "expected fixture cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = case.run();
        match (&case.expect, outcome) {
            (Expect::Events(expected), Ok(actual)) if *expected == actual => {}
            (Expect::Error(expected), Err(error))
                if error.http_status() == expected.status
                    && error.to_string().contains(expected.contains.as_str()) => {}
            (expected, Ok(actual)) => failures.push(format!(
                "{}: expected {expected:?}\n got events:\n{}",
                case.name,
                serde_norway::to_string(&actual).expect("events serialize")
            )),
            (expected, Err(error)) => failures.push(format!(
                "{}: expected {expected:?}\n got error {} {error}",
                case.name,
                error.http_status()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_vendor_has_fixture_cases() {
    let cases = load_cases();
    for vendor in sla_helpdesk::Vendor::ALL {
        assert!(
            cases.iter().any(|c| c.vendor() == vendor),
            "no fixture case for {vendor}"
        );
    }
}

#[test]
fn every_vendor_has_a_case_for_the_people_fields() {
    // Issue 11: assignee, organization, requester, where the vendor's payload has them.
    let cases = load_cases();
    for vendor in sla_helpdesk::Vendor::ALL {
        let mapped = cases
            .iter()
            .filter(|c| c.vendor() == vendor)
            .filter_map(|c| match &c.expect {
                Expect::Events(events) => Some(events),
                Expect::Error(_) => None,
            })
            .flatten()
            .any(|e| {
                e.ticket.assignee.is_some()
                    || e.ticket.organization.is_some()
                    || e.ticket.requester.is_some()
            });
        assert!(
            mapped,
            "no fixture case maps assignee/organization/requester for {vendor}"
        );
    }
}
