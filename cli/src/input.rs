//! Reading the inputs the offline commands share: a policy file and a file of canonical
//! ticket events (JSON lines), with a progress bar for long runs.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
pub(crate) use sla_core::replay::group_by_ticket;
use sla_core::{PolicySet, TicketEvent};

mod buckets;
#[cfg(test)]
pub(crate) mod fixtures;
mod runs;
mod scratch;

pub(crate) use buckets::{Buckets, Tickets};
pub(crate) use runs::{merge, sort_key, RunBuffer, SortKey};

/// Hands buffers of 1 MiB and more straight back to the system when freed (glibc's
/// `M_MMAP_THRESHOLD`, which otherwise rises with the first such buffer freed). The
/// offline commands allocate and free buffers of megabytes per bucket; kept in the heap
/// they fragment it, and the peak grew with the number of buckets (10M events: 161–173 MB
/// instead of 114–115 MB), for about 0.5 s more system CPU per million events.
pub(crate) fn return_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator threshold; glibc serialises it with
    // allocations (thread-safe), and memory already allocated is unaffected.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Reads a policy file, naming it in errors.
pub(crate) fn load_policies(path: &Path) -> anyhow::Result<PolicySet> {
    let yaml =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(sla_app::tenants::compile_policy_file(path, &yaml)?.0)
}

/// Reads canonical events, one per non-blank line, parsing on all cores; errors name
/// the first bad line. Holds the whole history: `sla replay` and `sla report` read
/// through [`Buckets`] instead.
pub(crate) fn read_events(path: &Path) -> anyhow::Result<Vec<TicketEvent>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = lines.len().div_ceil(workers).max(1);
    let parsed: Vec<Result<Vec<TicketEvent>, (usize, serde_json::Error)>> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = lines
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|(number, line)| {
                                serde_json::from_str(line).map_err(|err| (*number, err))
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("parser panicked"))
                .collect()
        });
    let mut events = Vec::with_capacity(lines.len());
    for part in parsed {
        let part = part.map_err(|(number, err)| {
            anyhow::anyhow!(
                "{}: line {}: not a canonical ticket event: {err}",
                path.display(),
                number + 1
            )
        })?;
        events.extend(part);
    }
    Ok(events)
}

/// A progress bar on stderr when it is a terminal (hidden otherwise).
pub(crate) fn progress_bar(total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} events {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}
