//! Tests as data: each `tests/cases/*.yaml` gives a policy file and an SLA event, and
//! either the actions planned from them or the error the policy file gets.
//!
//! ```yaml
//! policy: |            # the policy file
//!   actions: ...
//! ticket_url: "https://acme.zendesk.com/agent/tickets/{id}"   # optional
//! event: {...}         # an SLA event as published
//! expected: [...]      # planned actions, in order
//! error: "line 3: ..." # instead of event/expected: part of the policy error
//! ```

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use sla_actions::{PlannedAction, Planner};
use sla_core::{PolicySet, SlaEvent};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code)]
    description: String,
    policy: String,
    #[serde(default)]
    ticket_url: Option<String>,
    #[serde(default)]
    event: Option<SlaEvent>,
    /// Planned actions, read through JSON (YAML reads enums as `!tags`).
    #[serde(default)]
    expected: serde_json::Value,
    #[serde(default)]
    error: Option<String>,
}

fn run(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path)?;
    let case: Case = serde_norway::from_str(&text)?;
    let compiled = PolicySet::from_yaml("policy.yaml", &case.policy);
    let policies = match (compiled, &case.error) {
        (Err(err), Some(wanted)) if err.to_string().contains(wanted.as_str()) => return Ok(()),
        (Err(err), _) => return Err(format!("policy error: {err}").into()),
        (Ok(_), Some(wanted)) => return Err(format!("expected the error {wanted:?}").into()),
        (Ok(policies), None) => policies,
    };
    let event = case
        .event
        .ok_or("a case without `error` needs an `event`")?;
    let planner = Planner {
        policies: &policies,
        ticket_url: case.ticket_url.as_deref(),
    };
    let planned = planner.plan(&event);
    let expected: Vec<PlannedAction> = match case.expected {
        serde_json::Value::Null => Vec::new(),
        value => serde_json::from_value(value)?,
    };
    if planned != expected {
        return Err(format!(
            "planned:\n{}\nexpected:\n{}",
            serde_json::to_string_pretty(&planned)?,
            serde_json::to_string_pretty(&expected)?
        )
        .into());
    }
    if planner.plan(&event) != planned {
        return Err("a second plan of the same event differs".into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/cases")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    let trials = paths
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || run(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
