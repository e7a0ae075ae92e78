//! The pipeline scenarios on the in-memory store.

sla_tests::pipeline_tests!(async { sla_store::MemoryStore::new() });

/// The same scenarios with the due index spread over shards (sweep fairness and lag).
mod sharded {
    sla_tests::pipeline_tests!(async { sla_store::MemoryStore::with_shards(4) });
}
