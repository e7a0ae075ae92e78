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

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e`, mimalloc.h; the
/// Rust bindings name no constant for it). `return_freed_memory`'s test checks it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Has the allocator (mimalloc) return freed memory to the system at once instead of
/// after its delay (1 s by default). The offline commands allocate and free buffers of
/// megabytes per bucket; held for the delay they raised `sla replay`'s peak for a million
/// events from 102–110 MB to 162–194 MB (docs/benchmarks.md). `sla serve` keeps the
/// default: its allocations are small and reused.
pub(crate) fn return_freed_memory() {
    // SAFETY: mi_option_set stores one option value; mimalloc reads options atomically,
    // from any thread, and memory already allocated is unaffected.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
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

#[cfg(test)]
mod allocator_tests {
    use super::*;

    /// The option position is mimalloc's purge delay: its default (1000 ms in mimalloc
    /// v3), then the value set.
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reading and storing option values (see `return_freed_memory`).
        let default = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(default, 1000, "mimalloc v3's purge delay");
        }
        return_freed_memory();
        let set = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(set, 0);
    }
}
