//! The store contract against DynamoDB on moto (run via `scripts/moto.sh run cargo test`).

use sla_store::testkit::moto;
use sla_store::DEFAULT_SHARDS;

sla_store::store_contract_tests!(moto::fresh_store(moto::dynamodb_client(), DEFAULT_SHARDS));

mod one_shard {
    use super::moto;
    sla_store::store_contract_tests!(moto::fresh_store(moto::dynamodb_client(), 1));
}
