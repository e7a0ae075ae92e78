//! The pipeline scenarios on the in-memory store.

sla_tests::pipeline_tests!(async { sla_store::MemoryStore::new() });
