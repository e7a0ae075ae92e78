//! Our CSV layout, one row per event, for helpdesks without an importer.
//!
//! A header row names the columns, in any order; unknown columns are ignored.
//! Required: `ticket_id`, `at` (RFC 3339), `kind` (`created`, `updated`, `comment`).
//! Optional: `event_id` (default `csv:<ticket_id>:<at>:<kind>:<row>`), `status`, `priority`
//! (canonical words, or words the tenant's mapping knows), `channel`, `group`, `segment`,
//! `tags` (separated by spaces or `;`), `assignee`, `organization`, `requester`,
//! `comment_author` (`agent`, `customer`, `system`) and `comment_public` (`true`/`false`,
//! default `true`) for comments. An empty cell leaves the attribute unchanged.

use csv::StringRecord;
use sla_core::event::Author;

use crate::error::{ImportError, Location};
use crate::fields;
use crate::input::Source;
use crate::model::{Change, Fields, Happened, RawComment, Writer};
use crate::report::Report;
use crate::vendors::Parsed;

/// Columns that must be present.
const REQUIRED: [&str; 3] = ["ticket_id", "at", "kind"];

/// Reads every row of a CSV source.
pub(crate) fn read(
    source: &Source,
    out: &mut Parsed,
    report: &mut Report,
) -> Result<(), ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(source.bytes.as_slice());
    let malformed = |record: usize, field: &str, reason: String| ImportError::Malformed {
        at: Location {
            file: source.name.clone(),
            record,
            field: field.to_string(),
        },
        reason,
    };
    let header = reader
        .headers()
        .map_err(|e| malformed(0, "", format!("unreadable CSV header: {e}")))?
        .clone();
    for column in REQUIRED {
        if !header.iter().any(|h| h == column) {
            return Err(malformed(
                0,
                column,
                "required column missing from the header".into(),
            ));
        }
    }
    for (index, row) in reader.records().enumerate() {
        let row = row.map_err(|e| malformed(index + 1, "", format!("unreadable CSV row: {e}")))?;
        let at = Location {
            file: source.name.clone(),
            record: index + 1,
            field: String::new(),
        };
        match change(&header, &row, index + 1, &at) {
            Ok(change) => out.changes.push(change),
            Err((field, reason)) => report.skip(reason, &at.within(field)),
        }
    }
    Ok(())
}

fn change(
    header: &StringRecord,
    row: &StringRecord,
    number: usize,
    at: &Location,
) -> Result<Change, (&'static str, String)> {
    let cell = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let required = |name: &'static str| cell(name).ok_or((name, format!("row without {name}")));
    let ticket = required("ticket_id")?;
    let when_text = required("at")?;
    let when = fields::parse_instant(&when_text)
        .filter(|t| sla_helpdesk::instant_in_range(*t))
        .ok_or((
            "at",
            "row whose `at` is not an RFC 3339 time in range".to_string(),
        ))?;
    let kind = required("kind")?;
    let happened = match kind.as_str() {
        "created" => Happened::Created,
        "updated" => Happened::Updated,
        "comment" => Happened::Comment(comment(cell("comment_author"), cell("comment_public"))?),
        _ => {
            return Err((
                "kind",
                "row whose kind is not created, updated or comment".into(),
            ))
        }
    };
    let id =
        cell("event_id").unwrap_or_else(|| format!("csv:{ticket}:{when_text}:{kind}:{number}"));
    Ok(Change {
        ticket,
        id,
        at: when,
        happened,
        fields: Fields {
            status: cell("status"),
            priority: cell("priority"),
            channel: cell("channel"),
            group: cell("group"),
            segment: cell("segment"),
            assignee: cell("assignee"),
            organization: cell("organization"),
            requester: cell("requester"),
            tags: cell("tags").map(|t| {
                t.split([' ', ';'])
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            }),
            ..Fields::default()
        },
        origin: at.clone(),
    })
}

fn comment(
    author: Option<String>,
    public: Option<String>,
) -> Result<RawComment, (&'static str, String)> {
    let author = match author.as_deref() {
        Some("agent") => Author::Agent,
        Some("customer") => Author::Customer,
        Some("system") => Author::System,
        _ => {
            return Err((
                "comment_author",
                "comment row whose comment_author is not agent, customer or system".into(),
            ))
        }
    };
    let public = match public.as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err((
                "comment_public",
                "comment row whose comment_public is not true or false".into(),
            ))
        }
    };
    Ok(RawComment {
        public,
        writer: Writer::Known(author),
    })
}
