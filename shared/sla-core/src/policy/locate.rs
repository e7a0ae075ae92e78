//! Finds the YAML line of a field path such as `policies[1].targets.urgent.calendar`,
//! for errors found after deserialization (unknown calendar names, calendar errors).
//!
//! Best effort over block and flow style: it returns the line of the deepest path
//! segment it can find.

use std::ops::Range;

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// 1-based line of the deepest segment of `path` found in `yaml`.
pub fn line_of(yaml: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = yaml.lines().map(strip_comment).collect();
    let mut range = 0..lines.len();
    let mut found = None;
    for segment in segments(path) {
        let hit = match segment {
            Segment::Key(key) => find_key(&lines, range.clone(), key),
            Segment::Index(index) => find_item(&lines, range.clone(), index),
        };
        let Some((line, end)) = hit else { break };
        found = Some(line + 1);
        range = line..end;
    }
    found
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        for index in rest.split('[').map(|s| s.trim_end_matches(']')) {
            if let Ok(index) = index.parse() {
                out.push(Segment::Index(index));
            }
        }
    }
    out
}

fn strip_comment(line: &str) -> &str {
    match line.find(" #") {
        Some(pos) => &line[..pos],
        None if line.trim_start().starts_with('#') => "",
        None => line,
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// End of the block opened at `line`: the next non-blank line indented no deeper.
fn block_end(lines: &[&str], line: usize, limit: usize, depth: usize) -> usize {
    (line + 1..limit)
        .find(|&i| !lines[i].trim().is_empty() && indent(lines[i]) <= depth)
        .unwrap_or(limit)
}

fn key_depth(line: &str, key: &str) -> Option<usize> {
    let patterns = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    let body = line.trim_start();
    let body_start = indent(line);
    let unlisted = body.trim_start_matches("- ");
    if patterns.iter().any(|p| unlisted.starts_with(p.as_str())) {
        return Some(body_start + (body.len() - unlisted.len()));
    }
    patterns.iter().find_map(|p| {
        line.match_indices(p.as_str())
            .find(|(pos, _)| {
                let before = line[..*pos].trim_end();
                before.ends_with('{') || before.ends_with(',')
            })
            .map(|_| body_start)
    })
}

fn find_key(lines: &[&str], range: Range<usize>, key: &str) -> Option<(usize, usize)> {
    let (line, depth) = range
        .clone()
        .filter_map(|i| key_depth(lines[i], key).map(|depth| (i, depth)))
        .min_by_key(|&(i, depth)| (depth, i))?;
    Some((line, block_end(lines, line, range.end, depth)))
}

fn find_item(lines: &[&str], range: Range<usize>, index: usize) -> Option<(usize, usize)> {
    let items: Vec<usize> = range
        .clone()
        .filter(|&i| {
            let body = lines[i].trim_start();
            body.starts_with("- ") || body == "-"
        })
        .collect();
    let depth = items.iter().map(|&i| indent(lines[i])).min()?;
    let items: Vec<usize> = items
        .into_iter()
        .filter(|&i| indent(lines[i]) == depth)
        .collect();
    let line = *items.get(index)?;
    let end = items.get(index + 1).copied().unwrap_or(range.end);
    Some((line, end))
}

#[cfg(test)]
mod tests {
    use super::line_of;

    const YAML: &str = "calendars:\n  paris:\n    timezone: Europe/Paris\n    hours: 24x7\npolicies:\n  - name: a\n    calendar: paris\n    targets:\n      normal: {calendar: nowhere, first_response: 1h}\n  - name: b # second\n    targets:\n      urgent:\n        calendar: lyon\n    calendar: london\n";

    #[test]
    fn finds_block_and_flow_keys() {
        assert_eq!(line_of(YAML, "calendars.paris.timezone"), Some(3));
        assert_eq!(line_of(YAML, "policies[0].calendar"), Some(7));
        assert_eq!(
            line_of(YAML, "policies[0].targets.normal.calendar"),
            Some(9)
        );
        assert_eq!(
            line_of(YAML, "policies[1].targets.urgent.calendar"),
            Some(13)
        );
        assert_eq!(line_of(YAML, "policies[1].calendar"), Some(14));
        assert_eq!(line_of(YAML, "policies[1]"), Some(10));
    }

    #[test]
    fn stops_at_the_deepest_known_segment() {
        assert_eq!(line_of(YAML, "calendars.paris.hours.mon[0]"), Some(4));
        assert_eq!(line_of(YAML, "nothing.here"), None);
    }
}
