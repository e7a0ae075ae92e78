//! The pipeline scenarios on DynamoDB (moto, started by `scripts/moto.sh`), a new table
//! per test.

sla_tests::pipeline_tests!(async {
    sla_store::testkit::moto::fresh_store(sla_store::testkit::moto::dynamodb_client(), 4).await
});
