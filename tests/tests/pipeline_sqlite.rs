//! The pipeline scenarios on the embedded SQLite store (a new file per test).

sla_tests::pipeline_tests!(async {
    let dir = std::env::temp_dir().join(sla_store::testkit::unique_name("pipeline"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    sla_store::SqliteStore::open(dir.join("sla.db")).expect("open sqlite store")
});
