//! Prints the stored size of a ticket record after 10,000 comments (the long-ticket
//! pipeline scenario: 100 comments per webhook, a sweep after each), encoded as every
//! store encodes it.
//!
//! ```sh
//! cargo run -p sla-tests --example record_size -- sqlite
//! scripts/moto.sh run cargo run -p sla-tests --example record_size -- dynamodb
//! ```

use sla_tests::long_ticket::{ten_thousand_comments_stay_small, COMMENTS};

#[tokio::main]
async fn main() {
    let backend = std::env::args().nth(1).unwrap_or_else(|| "memory".into());
    let bytes = match backend.as_str() {
        "memory" => ten_thousand_comments_stay_small(sla_store::MemoryStore::new()).await,
        "sqlite" => {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = sla_store::SqliteStore::open(dir.path().join("sla.db")).expect("sqlite");
            ten_thousand_comments_stay_small(store).await
        }
        "dynamodb" => {
            let client = sla_store::testkit::moto::dynamodb_client();
            let store = sla_store::testkit::moto::fresh_store(client, 4).await;
            ten_thousand_comments_stay_small(store).await
        }
        other => panic!("unknown backend {other:?}: use memory, sqlite or dynamodb"),
    };
    println!("{backend}: record after {COMMENTS} comments: {bytes} bytes");
}
