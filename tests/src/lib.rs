//! Pipeline scenarios (webhook → ingest → store → sweep → sink) written once, generic
//! over the store, and run against memory, SQLite and DynamoDB-on-moto by the test files
//! in `tests/tests/`. Helpers panic with a clear message: they are for tests only.

pub mod failures;
pub mod fixtures;
pub mod long_ticket;
pub mod on_time;
pub mod scenarios;
pub mod secrets;
pub mod stores;

/// Generates one `#[tokio::test]` per pipeline scenario, each on a fresh store built by
/// the async expression `$make`. With `@guarded`, `$make` yields `(store, guard)`: the
/// guard (e.g. the `TempDir` a SQLite file lives in) is held until the test ends and
/// dropped even when it panics.
#[macro_export]
macro_rules! pipeline_tests {
    ($make:expr) => {
        $crate::pipeline_tests!(@guarded async { ($make.await, ()) });
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $crate::pipeline_tests!(@guarded_cases async { ($make.await, ()) }; $($case),*);
    };
    (@guarded $make:expr) => {
        $crate::pipeline_tests!(@guarded_cases $make;
            webhook_to_breach,
            duplicates_and_shuffles_converge,
            concurrent_ingests_lose_nothing,
            concurrent_sweeps_publish_once,
            failed_publish_is_retried,
            crash_between_record_and_publish,
            late_reply_retracts_breach,
            one_read_one_write_per_webhook,
            lagging_index_is_tolerated,
            ten_thousand_comments_stay_small,
            persistent_publish_failure_is_dead_lettered,
            sweep_serves_every_shard_within_two_runs,
            sweep_lag_covers_every_shard,
            events_older_than_retention_are_ignored,
            solved_ticket_expires,
            replayed_delivery_is_a_duplicate,
            unsaveable_record_is_422,
            announced_on_time
        );
    };
    (@guarded_cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, _guard) = $make.await;
                $crate::scenarios::$case(store).await;
            }
        )*
    };
}
