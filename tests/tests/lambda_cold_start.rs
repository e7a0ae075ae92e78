//! Cold start of the Lambda functions against moto: configuration from the environment,
//! webhook secrets from Secrets Manager and Parameter Store, and the errors that stop a
//! function before it answers. One test: it sets process environment variables.

use std::path::Path;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use sla_events::testkit::sdk_config;
use sla_store::testkit::unique_name;
use sla_tests::fixtures::{event, signed_request, POLICY_YAML, SECRET};
use sla_tests::secrets::{create_secret, put_secure_parameter};

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write config file");
}

fn set(name: &str, value: &str) {
    // Safe here: this test binary has a single test, so no thread reads the environment
    // concurrently.
    std::env::set_var(name, value);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_start_from_environment_and_aws_secrets() {
    let aws = sdk_config().await;
    let zendesk_secret = unique_name("acme-zendesk");
    let canonical_param = format!("/{}/canonical", unique_name("acme"));
    create_secret(&aws, &zendesk_secret, "zendesk-signing-secret").await;
    put_secure_parameter(&aws, &canonical_param, SECRET).await;
    let table = unique_name("cold-start");
    sla_store::dynamodb::create_table(&aws_sdk_dynamodb::Client::new(&aws), &table)
        .await
        .expect("create table");

    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    write(dir, "policy.yaml", POLICY_YAML);
    write(
        dir,
        "tenants.yaml",
        &format!(
            "tenants:\n  acme:\n    policy: policy.yaml\n    vendors:\n      \
             canonical: {{secret_ssm: {canonical_param}}}\n      \
             zendesk: {{secret_arn: {zendesk_secret}}}\n    \
             read_token_arn: sla-tracker-read/only-read-api-reads-this\n"
        ),
    );

    // Missing table name: refused, naming the variable.
    set(
        "SLA_TENANTS_FILE",
        dir.join("tenants.yaml").to_str().unwrap(),
    );
    std::env::remove_var("SLA_TABLE_NAME");
    let err = sla_lambda::init::webhook_function("ticket-updated", &aws)
        .await
        .err()
        .expect("no table name");
    assert_eq!(
        err.to_string(),
        "environment variable SLA_TABLE_NAME: is required but not set"
    );

    // Everything set: the webhook function starts with its secrets (not the tenant's read
    // token, which does not exist here: only read-api fetches it) and answers a request
    // signed with the Parameter Store secret.
    set("SLA_TABLE_NAME", &table);
    set("SLA_DUE_SHARDS", "4");
    let function = sla_lambda::init::webhook_function("ticket-updated", &aws)
        .await
        .expect("webhook function starts");
    let now = chrono::Utc::now();
    let body = event("COLD-1", "cold-1", now, "created");
    let signed = signed_request(&body, now);
    let mut request: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/apigw-http-api-v2.json")).unwrap();
    for (name, value) in &signed.headers {
        request["headers"][name] = json!(value);
    }
    request["body"] = json!(String::from_utf8(signed.body).unwrap());
    let request: ApiGatewayV2httpRequest = serde_json::from_value(request).unwrap();
    let response = function
        .handle(LambdaEvent::new(request, Context::default()))
        .await
        .expect("handler");
    assert_eq!(response.status_code, 200, "{:?}", response.body);

    // The sweep needs the bus, and never reads secrets.
    let err = sla_lambda::init::sweep_function(&aws)
        .await
        .err()
        .expect("no bus");
    assert!(err.to_string().contains("SLA_EVENT_BUS_NAME"), "{err}");
    set("SLA_EVENT_BUS_NAME", "default");
    sla_lambda::init::sweep_function(&aws)
        .await
        .expect("sweep function starts");

    // A secret that does not exist stops start-up, naming the tenant, vendor and secret.
    write(
        dir,
        "tenants.yaml",
        "tenants:\n  acme:\n    policy: policy.yaml\n    vendors:\n      \
         zendesk: {secret_arn: sla-tracker/does-not-exist}\n",
    );
    let err = sla_lambda::init::webhook_function("ticket-updated", &aws)
        .await
        .err()
        .expect("missing secret");
    let text = err.to_string();
    assert!(text.starts_with("tenants.acme.vendors.zendesk: cannot read secret secret_arn sla-tracker/does-not-exist: Secrets Manager"), "{text}");

    // A bad shard count is refused before anything else.
    set("SLA_DUE_SHARDS", "0");
    let err = sla_lambda::init::webhook_function("ticket-updated", &aws)
        .await
        .err()
        .expect("bad shards");
    assert!(
        err.to_string()
            .starts_with("environment variable SLA_DUE_SHARDS"),
        "{err}"
    );
}
