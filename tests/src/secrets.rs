//! Secrets in moto, as the Lambda functions read them at cold start: a Secrets Manager
//! secret (`*_arn` in the tenants file) and a SecureString parameter (`*_ssm`).

use aws_config::SdkConfig;

/// Creates the Secrets Manager secret `name` holding `value`.
pub async fn create_secret(aws: &SdkConfig, name: &str, value: &str) {
    aws_sdk_secretsmanager::Client::new(aws)
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("CreateSecret");
}

/// Puts the SecureString parameter `name` holding `value`.
pub async fn put_secure_parameter(aws: &SdkConfig, name: &str, value: &str) {
    aws_sdk_ssm::Client::new(aws)
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("PutParameter");
}
