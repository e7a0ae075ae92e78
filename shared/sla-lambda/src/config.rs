//! Configuration read from the environment at start-up. CONTRACT: the names are fixed
//! (infra/template.yaml sets them; a test checks the two agree).

/// DynamoDB table holding ticket records (required by every function).
pub const ENV_TABLE_NAME: &str = "SLA_TABLE_NAME";
/// Number of due-index shards (optional, default 16; must match across functions).
pub const ENV_DUE_SHARDS: &str = "SLA_DUE_SHARDS";
/// Path of the tenants file (required by the webhook functions and the sweep).
pub const ENV_TENANTS_FILE: &str = "SLA_TENANTS_FILE";
/// Default policy file for tenants that name none (optional).
pub const ENV_POLICY_FILE: &str = "SLA_POLICY_FILE";
/// EventBridge bus name or ARN (required by the sweep).
pub const ENV_EVENT_BUS: &str = "SLA_EVENT_BUS_NAME";
/// EventBridge `Source` of published events (optional, default `sla-tracker`).
pub const ENV_EVENT_SOURCE: &str = "SLA_EVENT_SOURCE";
/// Failed publishes of one event before it is dead-lettered (optional, default 20).
pub const ENV_MAX_PUBLISH_ATTEMPTS: &str = "SLA_MAX_PUBLISH_ATTEMPTS";

/// The read API's admin token, as a value (`read-api` needs it or [`ENV_READ_TOKEN_ARN`];
/// the same variable as `sla serve`'s).
pub const ENV_READ_TOKEN: &str = "SLA_READ_TOKEN";
/// Secrets Manager secret (ARN or name) holding the read API's admin token (what the
/// template sets for `read-api`).
pub const ENV_READ_TOKEN_ARN: &str = "SLA_READ_TOKEN_ARN";

/// Variables the webhook functions (`ticket-created`, `ticket-updated`) require.
pub const WEBHOOK_REQUIRED_ENV: &[&str] = &[ENV_TABLE_NAME, ENV_TENANTS_FILE];
/// Variables the sweep function requires.
pub const SWEEP_REQUIRED_ENV: &[&str] = &[ENV_TABLE_NAME, ENV_TENANTS_FILE, ENV_EVENT_BUS];

/// IAM actions the webhook functions' code calls (secrets only when a tenant uses them).
pub const WEBHOOK_IAM_ACTIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
];
/// Variables the read function requires, besides one of [`ENV_READ_TOKEN`] and
/// [`ENV_READ_TOKEN_ARN`].
pub const READ_REQUIRED_ENV: &[&str] = &[ENV_TABLE_NAME, ENV_TENANTS_FILE];

/// IAM actions the read function's code calls: ticket reads and index queries, and its
/// read tokens (the admin token, tenants' `read_token_arn` / `read_token_ssm`).
pub const READ_IAM_ACTIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:Query",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
];
/// IAM actions the sweep function's code calls.
pub const SWEEP_IAM_ACTIONS: &[&str] = &[
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "events:PutEvents",
];

/// Variables the actions function requires.
pub const ACTIONS_REQUIRED_ENV: &[&str] = &[ENV_TABLE_NAME, ENV_TENANTS_FILE];

/// IAM actions the actions function's code calls: the action ledger's conditional writes
/// and its due index, and the autopilot's credentials (`api:`, `channels:`).
pub const ACTIONS_IAM_ACTIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:Query",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
];

/// IAM actions Lambda's SQS event source mapping calls with the actions function's role
/// (on the actions queue only).
pub const ACTIONS_QUEUE_IAM_ACTIONS: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];
