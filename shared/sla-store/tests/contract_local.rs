//! The store contract against the in-process stores.

mod memory {
    sla_store::store_contract_tests!(async { sla_store::MemoryStore::new() });
    sla_store::store_contract_tests!(@cases async { sla_store::MemoryStore::new() };
        purge_deletes_only_expired);
}

mod memory_sharded {
    sla_store::store_contract_tests!(async { sla_store::MemoryStore::with_shards(4) });
}

mod sqlite_in_memory {
    async fn store() -> sla_store::SqliteStore {
        sla_store::SqliteStore::open_in_memory().expect("opening an in-memory SQLite store")
    }
    sla_store::store_contract_tests!(store());
    sla_store::store_contract_tests!(@cases store(); purge_deletes_only_expired);
}

mod sqlite_file {
    /// A database file in a fresh temporary directory (WAL needs a real file), removed
    /// when the test ends.
    async fn store() -> (sla_store::SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("creating the temp dir");
        let path = dir.path().join("tickets.db");
        let store = sla_store::SqliteStore::open(path).expect("opening the SQLite file");
        (store, dir)
    }
    sla_store::store_contract_tests!(@guarded store());
}

/// A SQLite file written by the first format (no dead-letter columns, outbox entries
/// without attempts) opens, loads, and takes dead letters.
#[tokio::test]
async fn sqlite_file_of_the_first_format_is_upgraded() {
    use sla_store::testkit::contract::{collect_dead_letters, sample_dead_letter, sample_event};
    use sla_store::{TicketKey, TicketStore};
    let dir = tempfile::tempdir().expect("creating the temp dir");
    let path = dir.path().join("tickets.db");
    let key = TicketKey::new("acme", "T-1");
    let outbox = serde_json::json!([{ "event": sample_event(&key, "pending-1") }]).to_string();
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(
        "CREATE TABLE tickets (pk TEXT PRIMARY KEY, tenant TEXT NOT NULL, ticket_id TEXT NOT NULL,
         version INTEGER NOT NULL, sla TEXT NOT NULL, outbox TEXT NOT NULL, due_at INTEGER,
         expires_at INTEGER);",
    )
    .expect("first-format schema");
    let sla = serde_json::to_string(&sla_core::TicketSla::default()).expect("sla");
    conn.execute(
        "INSERT INTO tickets VALUES ('TENANT#acme#TICKET#T-1', 'acme', 'T-1', 4, ?1, ?2, NULL, NULL)",
        [sla, outbox],
    )
    .expect("first-format row");
    drop(conn);
    let store = sla_store::SqliteStore::open(&path).expect("opening the old file");
    let mut record = store.load(&key).await.expect("load").expect("exists");
    assert_eq!((record.version, record.outbox[0].attempts), (4, 0));
    assert!(record.dead_letters.is_empty());
    record
        .dead_letters
        .push(sample_dead_letter(&key, "dead-1", 1));
    store.save(&record).await.expect("save with dead letters");
    assert_eq!(collect_dead_letters(&store, 10).await, [key]);
}
