//! Loads the fixture cases: `fixtures/<vendor>/<name>.case.yaml` next to the payload it names.
//! (Each test binary uses part of this module.)
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sla_core::event::{Priority, Status, TicketEvent};
use sla_helpdesk::{
    parse_unverified, verify_and_parse, Mapping, Secret, Vendor, VendorConfig, WebhookError,
    WebhookRequest,
};

/// One fixture case, as written in its YAML file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Where the payload comes from (documentation page or repository).
    #[allow(dead_code)]
    pub source: String,
    /// Payload file, relative to the case file.
    pub body: String,
    #[serde(default = "default_tenant")]
    pub tenant: String,
    #[serde(default = "default_method")]
    pub method: String,
    pub uri: Option<String>,
    pub now: DateTime<Utc>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// When present, the request is verified with this secret first.
    pub secret: Option<String>,
    /// The tenant's `account:` binding (applies with `secret`).
    pub account: Option<String>,
    /// Headers whose absence must make verification fail.
    #[serde(default)]
    pub signature_headers: Vec<String>,
    /// The signature covers a timestamp checked against a window.
    #[serde(default)]
    pub timestamped: bool,
    #[serde(default)]
    pub mapping: CaseMapping,
    pub expect: Expect,
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub vendor: Option<Vendor>,
    #[serde(skip)]
    pub payload: Vec<u8>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseMapping {
    #[serde(default)]
    statuses: BTreeMap<String, Status>,
    #[serde(default)]
    priorities: BTreeMap<String, Priority>,
    segment_from: Option<String>,
}

/// The expected outcome, as written: `events:` (possibly empty) or `error:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    events: Option<Vec<TicketEvent>>,
    error: Option<ExpectedError>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedError {
    pub status: u16,
    /// A part of the error message.
    pub contains: String,
}

/// The expected outcome: events (possibly none) or an error.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawExpect")]
pub enum Expect {
    Events(Vec<TicketEvent>),
    Error(ExpectedError),
}

impl TryFrom<RawExpect> for Expect {
    type Error = String;

    fn try_from(raw: RawExpect) -> Result<Self, String> {
        match (raw.events, raw.error) {
            (Some(events), None) => Ok(Expect::Events(events)),
            (None, Some(error)) => Ok(Expect::Error(error)),
            _ => Err("expect: give exactly one of events, error".to_string()),
        }
    }
}

fn default_tenant() -> String {
    "acme".to_string()
}

fn default_method() -> String {
    "POST".to_string()
}

impl Case {
    pub fn vendor(&self) -> Vendor {
        self.vendor.expect("vendor set by the loader")
    }

    pub fn uri(&self) -> String {
        self.uri.clone().unwrap_or_else(|| {
            format!(
                "https://sla.example.com/webhooks/{}/{}",
                self.tenant,
                self.vendor()
            )
        })
    }

    pub fn header_list(&self) -> Vec<(String, String)> {
        self.headers.clone().into_iter().collect()
    }

    pub fn mapping(&self) -> Mapping {
        let segment = self
            .mapping
            .segment_from
            .as_ref()
            .map(|s| s.parse().expect("valid segment_from in case file"));
        Mapping::new(
            self.mapping.statuses.clone(),
            self.mapping.priorities.clone(),
            segment,
        )
    }

    pub fn config(&self, secret: &str) -> VendorConfig {
        let mut config = VendorConfig::new(Secret::new(secret));
        config.mapping = self.mapping();
        config.account = self.account.clone();
        config
    }

    /// Runs the case with the given pieces replaced.
    pub fn run_with(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        secret: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, WebhookError> {
        let uri = self.uri();
        let request = WebhookRequest {
            method: &self.method,
            uri: &uri,
            headers,
            body,
        };
        match secret {
            Some(secret) => verify_and_parse(
                self.vendor(),
                &self.tenant,
                &self.config(secret),
                &request,
                now,
            ),
            None => parse_unverified(self.vendor(), &self.tenant, &self.mapping(), &request, now),
        }
    }

    /// Runs the case as written.
    pub fn run(&self) -> Result<Vec<TicketEvent>, WebhookError> {
        self.run_with(
            &self.header_list(),
            &self.payload,
            self.secret.as_deref(),
            self.now,
        )
    }
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every case of every vendor, sorted by path.
pub fn load_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for vendor in Vendor::ALL {
        let dir = fixtures_dir().join(vendor.name());
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|p| p.to_string_lossy().ends_with(".case.yaml"))
            .collect();
        paths.sort();
        for path in paths {
            cases.push(load_case(vendor, &path));
        }
    }
    cases
}

fn load_case(vendor: Vendor, path: &Path) -> Case {
    let text = std::fs::read_to_string(path).expect("case file readable");
    let mut case: Case =
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body_path = path.parent().expect("case in a directory").join(&case.body);
    case.payload =
        std::fs::read(&body_path).unwrap_or_else(|e| panic!("{}: {e}", body_path.display()));
    case.name = format!(
        "{}/{}",
        vendor,
        path.file_name().expect("file name").to_string_lossy()
    );
    case.vendor = Some(vendor);
    case
}
