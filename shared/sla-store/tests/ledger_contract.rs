//! The action ledger contract against the in-process ledgers.

mod memory {
    sla_store::ledger_contract_tests!(async { sla_store::MemoryLedger::new() });
}

mod sqlite_file {
    /// The ledger of a store in a fresh temporary database file, removed when the test
    /// ends.
    async fn ledger() -> (sla_store::SqliteLedger, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("creating the temp dir");
        let store = sla_store::SqliteStore::open(dir.path().join("tickets.db")).expect("opening");
        let ledger = sla_store::SqliteLedger::open(&store)
            .await
            .expect("opening the ledger");
        (ledger, dir)
    }
    sla_store::ledger_contract_tests!(@guarded ledger());

    /// The ledger survives reopening the file (a restart).
    #[tokio::test]
    async fn actions_survive_a_reopen() {
        use sla_store::{ActionKey, ActionLedger, ActionUpdate, NewAction};
        let dir = tempfile::tempdir().expect("creating the temp dir");
        let path = dir.path().join("tickets.db");
        let key = ActionKey::new("acme", "T-1", "ev1:0.0");
        let now = sla_store::testkit::contract::now();
        {
            let store = sla_store::SqliteStore::open(&path).expect("open");
            let ledger = sla_store::SqliteLedger::open(&store).await.expect("ledger");
            let action = NewAction {
                key: key.clone(),
                payload: "{}".into(),
            };
            ledger.enqueue(&[action], now).await.expect("enqueue");
            ledger
                .claim(&key, now, std::time::Duration::from_secs(5))
                .await
                .expect("claim");
            let done = ActionUpdate::Done { attempts: 1 };
            ledger.record(&key, &done, now).await.expect("record");
        }
        let store = sla_store::SqliteStore::open(&path).expect("reopen");
        let ledger = sla_store::SqliteLedger::open(&store).await.expect("ledger");
        let claim = ledger
            .claim(&key, now, std::time::Duration::from_secs(5))
            .await;
        assert_eq!(claim.expect("claim"), sla_store::Claim::Done);
    }
}
