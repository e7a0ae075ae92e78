//! The pipeline scenarios on the embedded SQLite store (a new file per test).

sla_tests::pipeline_tests!(@guarded async {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sla_store::SqliteStore::open(dir.path().join("sla.db")).expect("open sqlite store");
    (store, dir)
});
