//! Jira Service Management: issues with `expand=changelog` (a search page
//! `{"issues": [...]}` or one issue), their comments (`fields.comment.comments`, with
//! `jsdPublic`), changelogs longer than an issue response holds (pages of
//! `GET /rest/api/3/issue/{key}/changelog`, or `POST /rest/api/3/changelog/bulkfetch`
//! answers), and who the agents are (`{"agents": [accountId, ...]}` or a project role
//! `GET /rest/api/3/project/{key}/role/{id}`: `actors[].actorUser.accountId`).
//!
//! Event ids: `jira:issue:<issue id>:created`, `jira:changelog:<history id>`,
//! `jira:comment:<comment id>`. The ticket id is the issue id, as in webhooks.
//!
//! Comment authors: `accountType` `customer` is a customer and `app` the system; an
//! account in the agent list is an agent; otherwise the reporter is the customer and
//! anyone else an agent (counted as inferred).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sla_core::event::Author;

use crate::error::Location;
use crate::fields::{self, flag, text};
use crate::model::{Change, Fields, Happened, RawComment, Writer};
use crate::report::Report;
use crate::vendors::Parsed;

/// Issues and changelog pages, kept until every file is read (a changelog page may come
/// before its issue).
#[derive(Debug, Default)]
pub(crate) struct Collected {
    issues: Vec<(Location, Value)>,
    /// Histories by issue id or key, with where each was read.
    histories: HashMap<String, Vec<(Location, Value)>>,
    /// The largest changelog `total` a page states, by issue id or key.
    totals: HashMap<String, u64>,
}

/// Reads one JSON record (a whole response or one JSON line).
pub(crate) fn record(value: &Value, at: &Location, out: &mut Parsed, report: &mut Report) {
    let jira = &mut out.jira;
    if let Some(issues) = value.get("issues").and_then(Value::as_array) {
        for (index, one) in issues.iter().enumerate() {
            let place = at.within(format!("issues[{index}]"));
            jira.issues.push((place, one.clone()));
        }
    } else if value.get("fields").is_some() {
        jira.issues.push((at.clone(), value.clone()));
    } else if let Some(logs) = value.get("issueChangeLogs").and_then(Value::as_array) {
        for (index, log) in logs.iter().enumerate() {
            let place = at.within(format!("issueChangeLogs[{index}]"));
            match text(log, "issueId") {
                Some(issue) => jira.page(&issue, log, "changeHistories", &place),
                None => report.skip("bulk changelog without issueId", &place),
            }
        }
    } else if let (Some(_), Some(url)) = (value.get("values"), text(value, "self")) {
        match changelog_key(&url) {
            Some(key) => jira.page(&key, value, "values", at),
            None => report.skip("changelog page whose self URL names no issue", at),
        }
    } else if let Some(agents) = value.get("agents").and_then(Value::as_array) {
        for id in agents.iter().filter_map(fields::as_text) {
            out.directory.insert(id, Author::Agent);
        }
    } else if let Some(actors) = value.get("actors").and_then(Value::as_array) {
        for actor in actors {
            if let Some(id) = actor.get("actorUser").and_then(|u| text(u, "accountId")) {
                out.directory.insert(id, Author::Agent);
            }
        }
    } else {
        report.skip("not a Jira issue, search page, changelog or agent list", at);
    }
}

impl Collected {
    fn page(&mut self, issue: &str, page: &Value, key: &str, at: &Location) {
        let list = page.get(key).and_then(Value::as_array);
        let entry = self.histories.entry(issue.to_string()).or_default();
        for (index, history) in list.into_iter().flatten().enumerate() {
            entry.push((at.within(format!("{key}[{index}]")), history.clone()));
        }
        if let Some(total) = page.get("total").and_then(Value::as_u64) {
            let known = self.totals.entry(issue.to_string()).or_default();
            *known = (*known).max(total);
        }
    }
}

/// The issue key of `.../rest/api/3/issue/SD-1/changelog?startAt=0`.
fn changelog_key(url: &str) -> Option<String> {
    let rest = url.split("/issue/").nth(1)?;
    let (key, tail) = rest.split_once('/')?;
    (tail.starts_with("changelog") && !key.is_empty()).then(|| key.to_string())
}

/// Turns every issue read into changes, with its changelog pages.
pub(crate) fn finish(out: &mut Parsed, report: &mut Report) {
    let collected = std::mem::take(&mut out.jira);
    for (at, value) in &collected.issues {
        issue(value, &collected, at, out, report);
    }
}

/// Tracked changelog fields, as Jira names them.
const TRACKED: [&str; 4] = ["status", "priority", "assignee", "labels"];

fn issue(
    value: &Value,
    collected: &Collected,
    at: &Location,
    out: &mut Parsed,
    report: &mut Report,
) {
    let Some(id) = text(value, "id") else {
        return report.skip("issue without id", at);
    };
    let f = &value["fields"];
    let Some(created) = f.get("created").and_then(fields::instant) else {
        return report.skip(
            "issue without a readable fields.created",
            &at.within("fields.created"),
        );
    };
    let names = [Some(id.clone()), text(value, "key")];
    let mut given: Vec<(Location, &Value)> = value["changelog"]["histories"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, h)| (at.within(format!("changelog.histories[{index}]")), h))
        .collect();
    let mut total = value["changelog"]["total"].as_u64().unwrap_or(0);
    for name in names.iter().flatten() {
        given.extend(
            collected
                .histories
                .get(name)
                .into_iter()
                .flatten()
                .map(|(l, h)| (l.clone(), h)),
        );
        total = total.max(collected.totals.get(name).copied().unwrap_or(0));
    }
    let histories = histories(given, report);
    if total > histories.len() as u64 {
        report.skip(
            "issue whose changelog is cut short (total > histories given): save its changelog pages",
            &at.within("changelog.total"),
        );
    }
    let mut initial = current_fields(f);
    for name in TRACKED {
        let first = histories
            .iter()
            .flat_map(|h| h.items.iter())
            .find(|item| text(item, "field").as_deref() == Some(name));
        if let Some(item) = first {
            set(&mut initial, name, item, "from", "fromString");
        }
    }
    if initial.status != text(&f["status"], "name") {
        initial.status_category = None;
    }
    let current_status = text(&f["status"], "name");
    let category = text(&f["status"]["statusCategory"], "key");
    push(
        out,
        &id,
        format!("jira:issue:{id}:created"),
        created,
        Happened::Created,
        initial,
        at,
    );
    for history in &histories {
        let mut changed = Fields::default();
        for item in history.items {
            if let Some(name) = text(item, "field").filter(|n| TRACKED.contains(&n.as_str())) {
                set(&mut changed, &name, item, "to", "toString");
            }
        }
        if changed.is_empty() {
            report.note("changelog entry without status, priority, assignee or labels");
            continue;
        }
        if changed.status.is_some() && changed.status == current_status {
            changed.status_category.clone_from(&category);
        }
        let event = format!("jira:changelog:{}", history.id);
        push(
            out,
            &id,
            event,
            history.at,
            Happened::Updated,
            changed,
            &history.origin,
        );
    }
    comments(value, &id, at, out, report);
}

/// The attributes an issue has now (the start, for fields never changed).
fn current_fields(f: &Value) -> Fields {
    Fields {
        status: text(&f["status"], "name"),
        status_category: text(&f["status"]["statusCategory"], "key"),
        priority: text(&f["priority"], "name"),
        group: text(&f["project"], "key"),
        assignee: account(&f["assignee"]),
        requester: account(&f["reporter"]),
        tags: f.get("labels").and_then(fields::words),
        ..Fields::default()
    }
}

/// Cloud's `accountId`, or Server's `name`.
fn account(user: &Value) -> Option<String> {
    text(user, "accountId").or_else(|| text(user, "name"))
}

/// Sets a tracked field from a changelog item's `from`/`to` side.
fn set(fields: &mut Fields, name: &str, item: &Value, raw: &str, shown: &str) {
    match name {
        "status" => fields.status = text(item, shown),
        "priority" => fields.priority = text(item, shown),
        "assignee" => fields.assignee = text(item, raw).or_else(|| text(item, shown)),
        "labels" => fields.tags = Some(item.get(shown).and_then(fields::words).unwrap_or_default()),
        _ => {}
    }
}

struct History<'a> {
    id: String,
    at: DateTime<Utc>,
    items: &'a [Value],
    origin: Location,
}

/// The changelog's histories (each id once), oldest first; unreadable ones are counted.
fn histories<'a>(given: Vec<(Location, &'a Value)>, report: &mut Report) -> Vec<History<'a>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (origin, history) in given {
        let id = text(history, "id");
        let when = history.get("created").and_then(fields::instant);
        let items = history.get("items").and_then(Value::as_array);
        match (id, when, items) {
            (Some(id), Some(at), Some(items)) => {
                if seen.insert(id.clone()) {
                    out.push(History {
                        id,
                        at,
                        items,
                        origin,
                    });
                }
            }
            _ => report.skip(
                "changelog entry without id, readable created or items",
                &origin,
            ),
        }
    }
    out.sort_by_key(|h| h.at);
    out
}

fn comments(issue: &Value, id: &str, at: &Location, out: &mut Parsed, report: &mut Report) {
    let list = issue["fields"]["comment"]["comments"].as_array();
    for (index, comment) in list.into_iter().flatten().enumerate() {
        let origin = at.within(format!("fields.comment.comments[{index}]"));
        let cid = text(comment, "id");
        let when = comment.get("created").and_then(fields::instant);
        let (Some(cid), Some(when)) = (cid, when) else {
            report.skip("comment without id or readable created", &origin);
            continue;
        };
        let public =
            flag(comment, "jsdPublic").unwrap_or_else(|| comment.get("visibility").is_none());
        let author = &comment["author"];
        let writer = match text(author, "accountType").as_deref() {
            Some("customer") => Writer::Known(Author::Customer),
            Some("app") => Writer::Known(Author::System),
            _ => match account(author) {
                Some(account) => Writer::User(account),
                None => Writer::Known(Author::System),
            },
        };
        let happened = Happened::Comment(RawComment { public, writer });
        push(
            out,
            id,
            format!("jira:comment:{cid}"),
            when,
            happened,
            Fields::default(),
            &origin,
        );
    }
}

fn push(
    out: &mut Parsed,
    ticket: &str,
    id: String,
    at: DateTime<Utc>,
    happened: Happened,
    fields: Fields,
    origin: &Location,
) {
    out.changes.push(Change {
        ticket: ticket.to_string(),
        id,
        at,
        happened,
        fields,
        origin: origin.clone(),
    });
}
