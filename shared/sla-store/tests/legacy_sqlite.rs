//! A record written before the compact encoding (JSON text in `sla`, `outbox` and
//! `dead_letters`) still loads from a saved SQLite row of that format, and saving it
//! again writes the compact encoding.

use sla_store::compact::VERSION_DEFLATE_V1;
use sla_store::{SqliteStore, TicketRecord, TicketStore};

/// The record the saved row holds (ticket 1049 of the example week).
const RECORD: &str = include_str!("fixtures/legacy/record.json");
/// The table and row as the previous encoding stored them.
const SQLITE_ROW: &str = include_str!("fixtures/legacy/sqlite_row.sql");

#[tokio::test]
async fn loads_a_row_of_the_json_format_and_saves_it_compact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(SQLITE_ROW)
        .unwrap();
    let expected: TicketRecord = serde_json::from_str(RECORD).unwrap();
    let store = SqliteStore::open(&path).unwrap();

    let loaded = store.load(&expected.key).await.unwrap().expect("stored");
    assert_eq!(loaded, expected);
    assert_eq!(loaded.outbox[0].attempts, 1);
    assert_eq!(loaded.dead_letters.len(), 1);

    let version = store.save(&loaded).await.unwrap();
    let again = store.load(&expected.key).await.unwrap().expect("stored");
    assert_eq!(
        again,
        TicketRecord {
            version,
            ..expected
        }
    );
    let (kind, sla): (String, Vec<u8>) = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT typeof(sla), sla FROM tickets WHERE pk = ?1",
            [again.key.partition_key()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((kind.as_str(), sla[0]), ("blob", VERSION_DEFLATE_V1));
    let json_sla = serde_json::to_vec(&again.sla).unwrap();
    assert!(
        sla.len() * 4 < json_sla.len(),
        "{} vs {}",
        sla.len(),
        json_sla.len()
    );
}
