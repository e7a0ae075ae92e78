//! `sla calc`: business-time arithmetic as JSON lines, for scripts and other test suites.
//!
//! Reads one request per line on stdin and writes one response per line on stdout, in order
//! (see [`sla_calendar::calc`] for the format). A bad line gets an `{"error": ...}` line and the
//! run goes on; the exit code is 1 when any line failed, else 0.

use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Write};
use std::process::ExitCode;

use anyhow::Context;
use sla_calendar::calc::{Evaluator, Response};

/// Arguments of `sla calc` (none: it reads stdin and writes stdout).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  echo '{\"calendar\": {\"timezone\": \"Europe/Paris\", \"hours\": \"24x7\"}, \
\"op\": \"add_business_duration\", \"start\": \"2026-01-05T09:00:00Z\", \"duration_seconds\": 3600}' | sla calc"
)]
pub struct Args {}

/// Answers every stdin line; I/O failures end the run with an error.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    match answer_lines(
        BufReader::with_capacity(1 << 16, stdin),
        BufWriter::with_capacity(1 << 16, stdout),
    ) {
        Ok(0) => Ok(ExitCode::SUCCESS),
        Ok(_) => Ok(ExitCode::from(1)),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("sla calc: reading stdin or writing stdout"),
    }
}

/// Writes one response per input line; returns how many lines were errors.
fn answer_lines(mut input: impl BufRead, mut output: impl Write) -> std::io::Result<usize> {
    let mut evaluator = Evaluator::new();
    let mut line = Vec::with_capacity(1024);
    let mut errors = 0;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let response = match std::str::from_utf8(&line) {
            Ok(text) => evaluator.evaluate(text.trim_end_matches(['\n', '\r'])),
            Err(_) => Response::Error("line: not valid UTF-8".into()),
        };
        errors += usize::from(matches!(response, Response::Error(_)));
        response.write_line(&mut output)?;
    }
    output.flush()?;
    Ok(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_response_per_line_including_bad_ones() {
        let input = concat!(
            r#"{"calendar":{"timezone":"UTC","hours":"24x7"},"op":"is_open","start":"2026-01-05T09:00:00Z"}"#,
            "\n\n",
            "not json\n",
            r#"{"calendar":{"timezone":"UTC","hours":"24x7"},"op":"next_open","start":"2026-01-05T09:00:00Z"}"#,
        );
        let mut out = Vec::new();
        let errors = answer_lines(input.as_bytes(), &mut out).unwrap();
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(errors, 2);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], r#"{"result":true}"#);
        assert_eq!(
            lines[1],
            r#"{"error":"line: empty; expected a JSON object"}"#
        );
        assert!(
            lines[2].starts_with(r#"{"error":"line: expected ident"#),
            "{}",
            lines[2]
        );
        assert_eq!(lines[3], r#"{"result":"2026-01-05T09:00:00Z"}"#);
    }

    #[test]
    fn invalid_utf8_is_an_error_line() {
        let mut out = Vec::new();
        assert_eq!(answer_lines(&b"\xff\xfe\n"[..], &mut out).unwrap(), 1);
        assert_eq!(out, b"{\"error\":\"line: not valid UTF-8\"}\n");
    }
}
