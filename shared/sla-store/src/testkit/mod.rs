//! Test support shared by this crate's tests and the application's: the store contract
//! suite ([`contract`], run per backend with [`store_contract_tests!`](crate::store_contract_tests)),
//! raw access to stored fields ([`RawAccess`]), a due index that lags ([`LaggingIndex`]) and
//! the moto harness client helpers ([`moto`]). Helpers panic with a clear message instead
//! of returning errors: they are for tests only.

pub mod contract;
mod lagging;
pub mod ledger_contract;
#[cfg(feature = "dynamodb")]
pub mod moto;
mod raw;

pub use lagging::LaggingIndex;
pub use raw::RawAccess;

/// A name no other test uses (tests run in parallel against one moto: tables, buses,
/// queues, secrets).
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Generates one `#[tokio::test]` per contract case, each on a fresh store built by the
/// async expression `$make` (evaluated once per test).
///
/// With `@guarded`, `$make` yields `(store, guard)`: the guard (e.g. the `TempDir` a
/// SQLite file lives in) is held until the test ends and dropped even when it panics.
/// `@cases` / `@guarded_cases` run only the listed cases.
///
/// ```no_run
/// mod memory {
///     sla_store::store_contract_tests!(async { sla_store::MemoryStore::new() });
/// }
/// ```
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@guarded async { ($make.await, ()) });
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $crate::store_contract_tests!(@guarded_cases async { ($make.await, ()) }; $($case),*);
    };
    (@guarded $make:expr) => {
        $crate::store_contract_tests!(@guarded_cases $make;
            load_missing_is_none,
            save_new_round_trips,
            save_increments_the_version,
            stale_version_conflicts,
            double_create_conflicts,
            concurrent_read_modify_write_loses_no_update,
            due_query_returns_only_due_tickets_in_order,
            due_query_pages_with_small_limits,
            cleared_or_postponed_due_drops_out,
            ttl_attribute_is_written_and_cleared,
            outbox_claims_round_trip,
            corrupt_json_is_reported_as_corrupt,
            oversized_record_is_refused,
            dead_letters_round_trip_and_are_indexed,
            delivery_digests_are_new_once_per_window,
            sweep_cursor_round_trips,
            queue_orders_by_deadline_then_paused,
            queue_pages_with_a_cursor,
            queue_windows_and_filters,
            closed_cycles_leave_the_queue,
            records_without_a_projection_are_not_listed,
            completions_since_an_instant
        );
    };
    (@guarded_cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, _guard) = $make.await;
                $crate::testkit::contract::$case(::std::sync::Arc::new(store)).await;
            }
        )*
    };
}

/// Generates one `#[tokio::test]` per action ledger contract case, each on a fresh ledger
/// built by the async expression `$make`; with `@guarded`, `$make` yields
/// `(ledger, guard)` and the guard is held until the test ends (as in
/// [`store_contract_tests!`](crate::store_contract_tests)).
#[macro_export]
macro_rules! ledger_contract_tests {
    ($make:expr) => {
        $crate::ledger_contract_tests!(@guarded async { ($make.await, ()) });
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $crate::ledger_contract_tests!(@guarded_cases async { ($make.await, ()) }; $($case),*);
    };
    (@guarded $make:expr) => {
        $crate::ledger_contract_tests!(@guarded_cases $make;
            enqueue_is_idempotent,
            an_action_is_acquired_once,
            a_lapsed_lease_is_due_again,
            a_retry_waits_for_its_next_attempt,
            dead_actions_are_listed_and_redriven,
            due_lists_in_enqueue_order,
            concurrent_claims_acquire_once
        );
    };
    (@guarded_cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (ledger, _guard) = $make.await;
                $crate::testkit::ledger_contract::$case(::std::sync::Arc::new(ledger)).await;
            }
        )*
    };
}
