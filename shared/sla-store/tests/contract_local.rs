//! The store contract against the in-process stores.

mod memory {
    sla_store::store_contract_tests!(async { sla_store::MemoryStore::new() });
}

mod sqlite_in_memory {
    sla_store::store_contract_tests!(async {
        sla_store::SqliteStore::open_in_memory().expect("opening an in-memory SQLite store")
    });
}

mod sqlite_file {
    /// A database file in a fresh temporary directory (WAL needs a real file).
    async fn store() -> sla_store::SqliteStore {
        let dir = std::env::temp_dir().join(sla_store::testkit::unique_name("sla-store-contract"));
        std::fs::create_dir_all(&dir).expect("creating the temp dir");
        sla_store::SqliteStore::open(dir.join("tickets.db")).expect("opening the SQLite file")
    }
    sla_store::store_contract_tests!(store());
}
