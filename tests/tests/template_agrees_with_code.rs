//! `infra/template.yaml` and the code agree: the environment each function requires is
//! set, each function's role allows exactly the AWS actions its code calls (scoped to the
//! stack's own resources), and the table, routes, schedule and alarms match the layout
//! and names the code uses. Wherever the code exposes a constant (`sla_lambda::config`,
//! `sla_store::dynamodb`, `sla_lambda`), the expectation is that constant, so a change on
//! one side that is not made on the other fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde_json::{json, Value};
use sla_app::reads::ReadRoute;
use sla_app::Route;
use sla_core::sla_event::METRICS;
use sla_helpdesk::{SecretSource, SecretUnavailable, Vendor};
use sla_lambda::config::{
    ACTIONS_IAM_ACTIONS, ACTIONS_QUEUE_IAM_ACTIONS, ACTIONS_REQUIRED_ENV, ENV_DUE_SHARDS,
    ENV_EVENT_BUS, ENV_EVENT_SOURCE, ENV_POLICY_FILE, ENV_READ_TOKEN, ENV_READ_TOKEN_ARN,
    ENV_TABLE_NAME, ENV_TENANTS_FILE, READ_IAM_ACTIONS, READ_REQUIRED_ENV, SWEEP_IAM_ACTIONS,
    SWEEP_REQUIRED_ENV, WEBHOOK_IAM_ACTIONS, WEBHOOK_REQUIRED_ENV,
};
use sla_lambda::emf::{ALARMED as ALARMED_METRICS, NAMESPACE as METRICS_NAMESPACE};
use sla_lambda::env::DEFAULT_EVENT_SOURCE;
use sla_store::dynamodb::{
    attr, queue_index, slot_attributes, ACTION_INDEX, DEAD_LETTER_INDEX, DONE_INDEX, DUE_INDEX,
    TICKET_ACTIONS_INDEX,
};
use sla_store::ledger::dynamodb::attr as action;
use sla_store::DEFAULT_SHARDS;

/// The action ledger GSIs: (name, hash key, range key), each projecting every attribute.
const ACTION_INDEXES: [(&str, &str, &str); 2] = [
    (ACTION_INDEX, action::SLOT, action::SORT),
    (TICKET_ACTIONS_INDEX, action::TICKET, action::SEQ),
];

/// Lambda's runtime writes the function's logs with these; the function's code calls no
/// logging API. Each role may grant them on its own log group only.
const LOG_ACTIONS: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents"];

/// Where Lambda unpacks layers; the config layer's files appear under it.
const LAYER_MOUNT: &str = "/opt/";

/// The read function's binary (and its metrics' `Function` dimension).
const READ_API: &str = sla_lambda::emf::functions::READ_API;
/// The autopilot's binary (and its metrics' `Function` dimension).
const ACTIONS: &str = sla_lambda::emf::functions::ACTIONS;

/// The indexes the read function queries: each metric slot's queue index (the queue,
/// the summary's open counts), the completion index (the summary's outcomes) and a
/// ticket's autopilot actions (the ticket route).
fn read_indexes() -> Vec<String> {
    METRICS
        .iter()
        .map(|metric| queue_index(*metric))
        .chain([DONE_INDEX.to_owned(), TICKET_ACTIONS_INDEX.to_owned()])
        .collect()
}

/// Paths the read service answers (the read API contract), with sample values: every
/// one must reach `read-api` through a `GET` route of the template.
const READ_PATHS: &[&str] = &[
    "/tenants/acme/queue",
    "/tenants/acme/summary",
    "/tenants/acme/tickets/T-1",
    "/tickets/acme/T-1",
    "/dashboard/acme",
    "/dashboard/assets/app.js",
];

/// The template parameters naming where a role may read secrets: a Secrets Manager name
/// prefix and a Parameter Store path.
struct SecretScope {
    prefix: &'static str,
    path: &'static str,
}

/// The autopilot's credentials and chat webhooks (the actions function).
const ACTION_SECRETS: SecretScope = SecretScope {
    prefix: "ActionSecretsPrefix",
    path: "ActionParameterPath",
};

/// Webhook signing secrets (the webhook functions).
const WEBHOOK_SECRETS: SecretScope = SecretScope {
    prefix: "WebhookSecretsPrefix",
    path: "WebhookParameterPath",
};

/// Read tokens (the read function), apart from the webhook secrets.
const READ_TOKENS: SecretScope = SecretScope {
    prefix: "ReadTokenSecretsPrefix",
    path: "ReadTokenParameterPath",
};

/// What the code of one function needs from the template.
struct FunctionContract {
    binary: &'static str,
    required_env: &'static [&'static str],
    iam_actions: &'static [&'static str],
    /// `Some(created)` for a webhook function: whether its route is the `/created` one.
    webhook_created: Option<bool>,
    /// The indexes its `dynamodb:Query` calls read.
    query_indexes: fn() -> Vec<String>,
    /// Where the secrets it reads live, if it reads any.
    secrets: Option<SecretScope>,
    /// What Lambda's event source mapping calls with its role on the queue of its `SQS`
    /// event (none: it has no such event).
    queue_actions: &'static [&'static str],
}

const FUNCTIONS: &[FunctionContract] = &[
    FunctionContract {
        binary: "ticket-created",
        required_env: WEBHOOK_REQUIRED_ENV,
        iam_actions: WEBHOOK_IAM_ACTIONS,
        webhook_created: Some(true),
        query_indexes: Vec::new,
        secrets: Some(WEBHOOK_SECRETS),
        queue_actions: &[],
    },
    FunctionContract {
        binary: "ticket-updated",
        required_env: WEBHOOK_REQUIRED_ENV,
        iam_actions: WEBHOOK_IAM_ACTIONS,
        webhook_created: Some(false),
        query_indexes: Vec::new,
        secrets: Some(WEBHOOK_SECRETS),
        queue_actions: &[],
    },
    FunctionContract {
        binary: "sweep",
        required_env: SWEEP_REQUIRED_ENV,
        iam_actions: SWEEP_IAM_ACTIONS,
        webhook_created: None,
        query_indexes: || vec![DUE_INDEX.to_owned()],
        secrets: None,
        queue_actions: &[],
    },
    FunctionContract {
        binary: READ_API,
        required_env: READ_REQUIRED_ENV,
        iam_actions: READ_IAM_ACTIONS,
        webhook_created: None,
        query_indexes: read_indexes,
        secrets: Some(READ_TOKENS),
        queue_actions: &[],
    },
    FunctionContract {
        binary: ACTIONS,
        required_env: ACTIONS_REQUIRED_ENV,
        iam_actions: ACTIONS_IAM_ACTIONS,
        webhook_created: None,
        query_indexes: || vec![ACTION_INDEX.to_owned()],
        secrets: Some(ACTION_SECRETS),
        queue_actions: ACTIONS_QUEUE_IAM_ACTIONS,
    },
];

/// The CloudFormation template as JSON, short-form intrinsics (`!Ref`, `!GetAtt`, `!Sub`,
/// ...) rewritten to their long form (`{"Ref": ..}`, `{"Fn::GetAtt": [..]}`, ...).
mod cfn {
    use serde_json::{Map, Number, Value};
    use serde_norway::Value as Yaml;

    /// Parses CloudFormation YAML; panics naming `source` and the reason.
    pub fn parse(source: &str, text: &str) -> Value {
        let yaml: Yaml = serde_norway::from_str(text)
            .unwrap_or_else(|e| panic!("{source}: not valid YAML: {e}"));
        to_json(source, yaml)
    }

    fn to_json(source: &str, yaml: Yaml) -> Value {
        match yaml {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(b),
            Yaml::Number(n) => number(source, &n),
            Yaml::String(s) => Value::String(s),
            Yaml::Sequence(items) => items.into_iter().map(|v| to_json(source, v)).collect(),
            Yaml::Mapping(entries) => {
                let mut object = Map::new();
                for (key, value) in entries {
                    let Yaml::String(key) = key else {
                        panic!("{source}: mapping key {key:?} is not a string");
                    };
                    object.insert(key, to_json(source, value));
                }
                Value::Object(object)
            }
            Yaml::Tagged(tagged) => {
                let function = tagged.tag.to_string().trim_start_matches('!').to_owned();
                intrinsic(&function, to_json(source, tagged.value))
            }
        }
    }

    fn number(source: &str, n: &serde_norway::Number) -> Value {
        if let Some(i) = n.as_i64() {
            Value::from(i)
        } else if let Some(u) = n.as_u64() {
            Value::from(u)
        } else {
            let f = n.as_f64().unwrap_or(f64::NAN);
            Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or_else(|| panic!("{source}: number {n} has no JSON form"))
        }
    }

    /// `!Ref x` is `{"Ref": x}`; `!GetAtt a.b` is `{"Fn::GetAtt": ["a", "b"]}`; any other
    /// `!Name v` is `{"Fn::Name": v}`.
    fn intrinsic(function: &str, argument: Value) -> Value {
        match (function, argument) {
            ("Ref", argument) => Value::Object(Map::from_iter([("Ref".into(), argument)])),
            ("GetAtt", Value::String(dotted)) => {
                let (resource, attribute) = dotted.split_once('.').unwrap_or((&dotted, ""));
                let parts = Value::from(vec![resource, attribute]);
                Value::Object(Map::from_iter([("Fn::GetAtt".into(), parts)]))
            }
            (name, argument) => Value::Object(Map::from_iter([(format!("Fn::{name}"), argument)])),
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

fn template() -> Value {
    let path = workspace_root().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: cannot read: {e}", path.display()));
    cfn::parse("infra/template.yaml", &text)
}

fn resources(template: &Value) -> &serde_json::Map<String, Value> {
    template["Resources"]
        .as_object()
        .expect("template has Resources")
}

/// The one resource of `kind`, by logical id.
fn single_resource<'t>(template: &'t Value, kind: &str) -> (&'t str, &'t Value) {
    let found: Vec<_> = resources(template)
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.as_str(), r))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one {kind}, found {}",
        found.len()
    );
    found[0]
}

/// Serverless functions by the workspace binary they are built from.
fn functions_by_binary(template: &Value) -> BTreeMap<String, (&str, &Value)> {
    resources(template)
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: Metadata.BuildProperties.Binary missing"));
            (binary.to_owned(), (id.as_str(), r))
        })
        .collect()
}

fn function(template: &Value, binary: &str) -> (String, Value) {
    let functions = functions_by_binary(template);
    let (id, resource) = functions
        .get(binary)
        .unwrap_or_else(|| panic!("no AWS::Serverless::Function builds binary {binary}"));
    (id.to_string(), (*resource).clone())
}

/// Globals.Function.Environment merged with the function's own, as SAM merges them.
fn environment(template: &Value, function: &Value) -> BTreeMap<String, Value> {
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    let own = &function["Properties"]["Environment"]["Variables"];
    [globals, own]
        .into_iter()
        .filter_map(Value::as_object)
        .flat_map(|vars| vars.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        other => panic!("expected a string or a list of strings, got {other}"),
    }
}

fn resource_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    }
}

/// One permission: an action and the resource it is allowed on (as compact JSON).
type Grant = (String, String);

fn grant(action: &str, resource: &Value) -> Grant {
    (action.to_owned(), resource.to_string())
}

/// Every grant of the role referenced by `role_arn`, checking that it uses inline `Allow`
/// statements only.
fn grants(template: &Value, role_arn: &Value) -> BTreeSet<Grant> {
    let role_id = role_arn["Fn::GetAtt"][0]
        .as_str()
        .unwrap_or_else(|| panic!("Role must be !GetAtt <role>.Arn, got {role_arn}"));
    let role = &resources(template)[role_id];
    assert_eq!(
        role["Type"], "AWS::IAM::Role",
        "{role_id}: not an AWS::IAM::Role"
    );
    let properties = &role["Properties"];
    assert!(
        properties.get("ManagedPolicyArns").is_none(),
        "{role_id}: managed policies grant actions the code does not call"
    );
    let mut granted = BTreeSet::new();
    for policy in properties["Policies"]
        .as_array()
        .expect("role has inline Policies")
    {
        for statement in policy["PolicyDocument"]["Statement"]
            .as_array()
            .expect("Statement list")
        {
            let sid = &statement["Sid"];
            assert_eq!(
                statement["Effect"], "Allow",
                "{role_id} {sid}: Effect must be Allow"
            );
            for field in ["NotAction", "NotResource"] {
                assert!(
                    statement.get(field).is_none(),
                    "{role_id} {sid}: {field} grants too much"
                );
            }
            for action in strings(&statement["Action"]) {
                for resource in resource_list(&statement["Resource"]) {
                    granted.insert(grant(&action, &resource));
                }
            }
        }
    }
    granted
}

fn get_att(resource: &str, attribute: &str) -> Value {
    json!({"Fn::GetAtt": [resource, attribute]})
}

/// `!Sub` of an ARN in this stack's account and region.
fn sub_regional_arn(service: &str, resource: &str) -> Value {
    let arn = format!(
        "arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
    );
    json!({ "Fn::Sub": arn })
}

/// The only resources each action the code of `contract` calls may be granted on.
fn expected_resources(template: &Value, contract: &FunctionContract, action: &str) -> Vec<Value> {
    let (table, _) = single_resource(template, "AWS::DynamoDB::Table");
    let (bus, _) = single_resource(template, "AWS::Events::EventBus");
    let secrets = || {
        contract.secrets.as_ref().unwrap_or_else(|| {
            panic!(
                "{}: calls {action} but has no secret scope",
                contract.binary
            )
        })
    };
    match action {
        "dynamodb:GetItem" | "dynamodb:PutItem" | "dynamodb:UpdateItem" => {
            vec![get_att(table, "Arn")]
        }
        "dynamodb:Query" => (contract.query_indexes)()
            .iter()
            .map(|index| json!({"Fn::Sub": format!("${{{table}.Arn}}/index/{index}")}))
            .collect(),
        "events:PutEvents" => vec![get_att(bus, "Arn")],
        "secretsmanager:GetSecretValue" => vec![sub_regional_arn(
            "secretsmanager",
            &format!("secret:${{{}}}*", secrets().prefix),
        )],
        "ssm:GetParameter" => vec![sub_regional_arn(
            "ssm",
            &format!("parameter/${{{}}}/*", secrets().path),
        )],
        other => panic!("no expected resource for action {other}: add it to this test"),
    }
}

#[test]
fn the_template_builds_exactly_the_workspace_functions() {
    let template = template();
    let built: BTreeSet<String> = functions_by_binary(&template).into_keys().collect();
    let expected: BTreeSet<String> = FUNCTIONS.iter().map(|f| f.binary.to_owned()).collect();
    assert_eq!(built, expected);
}

#[test]
fn every_function_gets_the_environment_its_code_requires() {
    let template = template();
    for contract in FUNCTIONS {
        let (id, function) = function(&template, contract.binary);
        let env = environment(&template, &function);
        for name in contract.required_env {
            assert!(
                env.contains_key(*name),
                "{id}: required variable {name} is not set"
            );
        }
    }
}

#[test]
fn the_template_sets_no_variable_the_code_does_not_read() {
    let known = [
        ENV_TABLE_NAME,
        ENV_DUE_SHARDS,
        ENV_TENANTS_FILE,
        ENV_POLICY_FILE,
        ENV_EVENT_BUS,
        ENV_EVENT_SOURCE,
        ENV_READ_TOKEN_ARN,
    ];
    let template = template();
    for contract in FUNCTIONS {
        let (id, function) = function(&template, contract.binary);
        for name in environment(&template, &function).keys() {
            assert!(
                known.contains(&name.as_str()),
                "{id}: {name} is not read by the code"
            );
        }
    }
}

#[test]
fn variables_point_at_the_stack_resources() {
    let template = template();
    let (table, _) = single_resource(&template, "AWS::DynamoDB::Table");
    let (bus, _) = single_resource(&template, "AWS::Events::EventBus");
    for contract in FUNCTIONS {
        let (id, function) = function(&template, contract.binary);
        let env = environment(&template, &function);
        assert_eq!(
            env[ENV_TABLE_NAME],
            json!({"Ref": table}),
            "{id}: {ENV_TABLE_NAME}"
        );
        if let Some(value) = env.get(ENV_EVENT_BUS) {
            assert_eq!(value, &json!({"Ref": bus}), "{id}: {ENV_EVENT_BUS}");
        }
    }
    let parameters = &template["Parameters"];
    assert_eq!(
        parameters["DueShards"]["Default"],
        json!(DEFAULT_SHARDS),
        "DueShards default"
    );
    assert_eq!(
        parameters["EventSource"]["Default"], DEFAULT_EVENT_SOURCE,
        "EventSource default"
    );
}

#[test]
fn each_role_allows_exactly_the_actions_its_code_calls_on_its_own_resources() {
    let template = template();
    for contract in FUNCTIONS {
        let (id, function) = function(&template, contract.binary);
        let properties = &function["Properties"];
        let log_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: LoggingConfig.LogGroup must !Ref its log group"));
        let mut expected: BTreeSet<Grant> = contract
            .iam_actions
            .iter()
            .flat_map(|action| {
                expected_resources(&template, contract, action)
                    .into_iter()
                    .map(move |resource| grant(action, &resource))
            })
            .collect();
        if let Some(queue) = sqs_event_queue(&function) {
            expected.extend(contract.queue_actions.iter().map(|a| grant(a, &queue)));
        }
        expected.extend(
            LOG_ACTIONS
                .iter()
                .map(|a| grant(a, &get_att(log_group, "Arn"))),
        );
        let granted = grants(&template, &properties["Role"]);
        let extra: Vec<_> = granted.difference(&expected).collect();
        let missing: Vec<_> = expected.difference(&granted).collect();
        assert!(
            extra.is_empty(),
            "{id}: role grants more than the code calls: {extra:?}"
        );
        assert!(
            missing.is_empty(),
            "{id}: role lacks what the code calls: {missing:?}"
        );
    }
}

#[test]
fn functions_run_the_workspace_binaries_on_arm64() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Runtime"], "provided.al2023");
    assert_eq!(globals["Architectures"], json!(["arm64"]));
    assert_eq!(globals["Handler"], "bootstrap");
    for contract in FUNCTIONS {
        let (id, function) = function(&template, contract.binary);
        assert_eq!(
            function["Metadata"]["BuildMethod"], "rust-cargolambda",
            "{id}"
        );
        // cargo-lambda runs in CodeUri and SAM copies target/lambda/<binary>/bootstrap
        // from there, so CodeUri must be the workspace root (where target/ is).
        assert_eq!(function["Properties"]["CodeUri"], "../", "{id}: CodeUri");
        let manifest = workspace_root()
            .join("functions")
            .join(contract.binary)
            .join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|e| panic!("{id}: {}: {e}", manifest.display()));
        assert!(
            text.contains(&format!("name = \"{}\"", contract.binary)),
            "{id}: {} does not define package {}",
            manifest.display(),
            contract.binary
        );
    }
}

/// The route a template path stands for, as the functions parse it (placeholders filled).
fn route_of(path: &str) -> Option<Route> {
    Route::from_path(
        &path
            .replace("{tenant}", "acme")
            .replace("{vendor}", "zendesk"),
    )
}

#[test]
fn webhook_routes_are_the_ones_the_functions_serve() {
    let template = template();
    let (api, _) = single_resource(&template, "AWS::Serverless::HttpApi");
    for contract in FUNCTIONS.iter().filter(|c| c.binary != READ_API) {
        let (id, function) = function(&template, contract.binary);
        let routes: Vec<(String, Option<bool>)> = http_routes(&id, &function, api)
            .into_iter()
            .map(|(method, path)| (method, route_of(&path).map(|r| r.created)))
            .collect();
        let expected: Vec<(String, Option<bool>)> = contract
            .webhook_created
            .iter()
            .map(|created| ("POST".to_owned(), Some(*created)))
            .collect();
        assert_eq!(
            routes, expected,
            "{id}: HTTP routes (method, parsed as /created)"
        );
    }
}

/// The (method, path) of each HTTP API route of function `id`, checking it is on `api`
/// with payload format 2.0.
fn http_routes(id: &str, function: &Value, api: &str) -> Vec<(String, String)> {
    function["Properties"]["Events"]
        .as_object()
        .into_iter()
        .flat_map(|events| events.values())
        .filter(|event| event["Type"] == "HttpApi")
        .map(|event| {
            let p = &event["Properties"];
            assert_eq!(
                p["ApiId"],
                json!({"Ref": api}),
                "{id}: route on another API"
            );
            assert_eq!(p["PayloadFormatVersion"], "2.0", "{id}: payload version");
            let text = |field: &str| p[field].as_str().unwrap_or_default().to_owned();
            (text("Method"), text("Path"))
        })
        .collect()
}

/// Whether API Gateway matches `path` to `route`: `{name}` is one segment, a greedy
/// `{name+}` one or more.
fn route_matches(route: &str, path: &str) -> bool {
    let mut pattern = route.split('/').filter(|s| !s.is_empty());
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    loop {
        match (pattern.next(), segments.next()) {
            (None, None) => return true,
            (Some(p), Some(_)) if p.starts_with('{') && p.ends_with("+}") => return true,
            (Some(p), Some(_)) if p.starts_with('{') && p.ends_with('}') => {}
            (Some(p), Some(s)) if p == s => {}
            _ => return false,
        }
    }
}

#[test]
fn every_read_path_reaches_read_api_and_only_by_get() {
    let template = template();
    let (api, _) = single_resource(&template, "AWS::Serverless::HttpApi");
    let (id, read_api) = function(&template, READ_API);
    let routes = http_routes(&id, &read_api, api);
    for (method, path) in &routes {
        assert_eq!(method, "GET", "{id}: {path}: the read API is read-only");
        assert!(
            READ_PATHS.iter().any(|p| route_matches(path, p)),
            "{id}: route {path} serves none of the read paths {READ_PATHS:?}"
        );
    }
    for path in READ_PATHS {
        assert!(
            ReadRoute::from_path(path).is_some(),
            "{path}: not a path the read service answers"
        );
        let reaching: Vec<&String> = routes
            .iter()
            .map(|(_, route)| route)
            .filter(|route| route_matches(route, path))
            .collect();
        assert_eq!(reaching.len(), 1, "{id}: {path} is matched by {reaching:?}");
    }
    assert!(!route_matches("/tenants/{proxy+}", "/tenants"));
    assert!(!route_matches(
        "/tickets/{tenant}/{id}",
        "/tickets/acme/T-1/x"
    ));
}

#[test]
fn read_api_gets_its_admin_token_from_a_secret_it_may_read() {
    let template = template();
    let (id, read_api) = function(&template, READ_API);
    let env = environment(&template, &read_api);
    assert!(
        !env.contains_key(ENV_READ_TOKEN),
        "{id}: {ENV_READ_TOKEN} would put the token in the function's configuration"
    );
    let secret = env[ENV_READ_TOKEN_ARN]["Ref"]
        .as_str()
        .unwrap_or_else(|| panic!("{id}: {ENV_READ_TOKEN_ARN} must !Ref a secret"));
    let resource = &resources(&template)[secret];
    assert_eq!(resource["Type"], "AWS::SecretsManager::Secret", "{secret}");
    let name = resource["Properties"]["Name"]["Fn::Sub"]
        .as_str()
        .unwrap_or_default();
    assert!(
        name.starts_with(&format!("${{{}}}", READ_TOKENS.prefix)),
        "{secret}: name {name:?} is outside {}, which {id} may read",
        READ_TOKENS.prefix
    );
    // Only read-api may read read tokens, and read-api no webhook secret.
    for contract in FUNCTIONS.iter().filter(|c| c.binary != READ_API) {
        let (other, resource) = function(&template, contract.binary);
        let granted = grants(&template, &resource["Properties"]["Role"]);
        assert!(
            granted
                .iter()
                .all(|(_, resource)| !resource.contains(READ_TOKENS.prefix)
                    && !resource.contains(READ_TOKENS.path)),
            "{other}: may read read tokens"
        );
    }
}

#[test]
fn each_route_has_its_own_throttle() {
    let template = template();
    let (api, resource) = single_resource(&template, "AWS::Serverless::HttpApi");
    let mut routes: Vec<String> = FUNCTIONS
        .iter()
        .flat_map(|contract| {
            let (id, function) = function(&template, contract.binary);
            http_routes(&id, &function, api)
                .into_iter()
                .map(|(method, path)| format!("{method} {path}"))
                .collect::<Vec<_>>()
        })
        .collect();
    routes.sort();
    let settings = resource["Properties"]["RouteSettings"]
        .as_object()
        .unwrap_or_else(|| panic!("{api}: no RouteSettings"));
    let mut keys: Vec<String> = settings.keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys, routes,
        "{api}: RouteSettings keys are the functions' routes"
    );
    for (key, limits) in settings {
        for field in ["ThrottlingRateLimit", "ThrottlingBurstLimit"] {
            let reference = limits[field]["Ref"].as_str().unwrap_or_default();
            assert!(
                template["Parameters"][reference].is_object(),
                "{api}: {key}: {field} is not a template parameter"
            );
        }
    }
}

#[test]
fn the_table_has_the_layout_the_store_uses() {
    let template = template();
    let (id, table) = single_resource(&template, "AWS::DynamoDB::Table");
    let p = &table["Properties"];
    assert_eq!(
        p["KeySchema"],
        json!([{"AttributeName": attr::PK, "KeyType": "HASH"}]),
        "{id}"
    );
    let types: BTreeMap<String, String> = p["AttributeDefinitions"]
        .as_array()
        .expect("AttributeDefinitions")
        .iter()
        .map(|d| {
            (
                d["AttributeName"].as_str().unwrap().into(),
                d["AttributeType"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut expected_types = BTreeMap::from([
        (attr::PK.to_owned(), "S".to_owned()),
        (attr::DUE_SHARD.to_owned(), "N".to_owned()),
        (attr::DUE_AT.to_owned(), "N".to_owned()),
        (attr::DEAD_SHARD.to_owned(), "N".to_owned()),
        (attr::DEAD_AT.to_owned(), "N".to_owned()),
        (attr::DONE_PK.to_owned(), "S".to_owned()),
        (attr::DONE_SK.to_owned(), "S".to_owned()),
    ]);
    for metric in METRICS {
        let (pk, sk, _) = slot_attributes(metric);
        expected_types.insert(pk, "S".to_owned());
        expected_types.insert(sk, "S".to_owned());
    }
    for (_, hash, range) in ACTION_INDEXES {
        expected_types.insert(hash.to_owned(), "S".to_owned());
        expected_types.insert(range.to_owned(), "S".to_owned());
    }
    assert_eq!(types, expected_types, "{id}: AttributeDefinitions");
    let index = json!({
        "IndexName": DUE_INDEX,
        "KeySchema": [
            {"AttributeName": attr::DUE_SHARD, "KeyType": "HASH"},
            {"AttributeName": attr::DUE_AT, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [attr::TENANT, attr::TICKET_ID]},
    });
    let dead_letters = json!({
        "IndexName": DEAD_LETTER_INDEX,
        "KeySchema": [
            {"AttributeName": attr::DEAD_SHARD, "KeyType": "HASH"},
            {"AttributeName": attr::DEAD_AT, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [attr::TENANT, attr::TICKET_ID]},
    });
    let done = json!({
        "IndexName": DONE_INDEX,
        "KeySchema": [
            {"AttributeName": attr::DONE_PK, "KeyType": "HASH"},
            {"AttributeName": attr::DONE_SK, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [attr::TICKET_ID, attr::READ]},
    });
    let mut expected = vec![index, dead_letters, done];
    expected.extend(METRICS.iter().map(|metric| {
        let (pk, sk, row) = slot_attributes(*metric);
        json!({
            "IndexName": queue_index(*metric),
            "KeySchema": [
                {"AttributeName": pk, "KeyType": "HASH"},
                {"AttributeName": sk, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [attr::TICKET_ID, row]},
        })
    }));
    expected.extend(ACTION_INDEXES.iter().map(|(name, hash, range)| {
        json!({
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": hash, "KeyType": "HASH"},
                {"AttributeName": range, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        })
    }));
    let by_name = |indexes: Vec<Value>| -> BTreeMap<String, Value> {
        indexes
            .into_iter()
            .map(|i| (i["IndexName"].as_str().unwrap_or_default().to_owned(), i))
            .collect()
    };
    let declared = p["GlobalSecondaryIndexes"]
        .as_array()
        .expect("GlobalSecondaryIndexes")
        .clone();
    assert_eq!(
        by_name(declared),
        by_name(expected),
        "{id}: GlobalSecondaryIndexes"
    );
    let ttl = json!({"AttributeName": attr::EXPIRES_AT, "Enabled": true});
    assert_eq!(p["TimeToLiveSpecification"], ttl, "{id}: TTL");
    assert_eq!(p["BillingMode"], "PAY_PER_REQUEST", "{id}: billing");
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true,
        "{id}: PITR"
    );
    assert_eq!(p["SSESpecification"]["SSEEnabled"], true, "{id}: SSE");
    assert_eq!(
        p["DeletionProtectionEnabled"],
        json!({"Ref": "TableDeletionProtection"}),
        "{id}"
    );
}

/// The queue of a function's `SQS` event (`!GetAtt <queue>.Arn`), if it has one.
fn sqs_event_queue(function: &Value) -> Option<Value> {
    let events = function["Properties"]["Events"].as_object()?;
    let mut queues = events
        .values()
        .filter(|event| event["Type"] == "SQS")
        .map(|event| event["Properties"]["Queue"].clone());
    let queue = queues.next()?;
    assert!(queues.next().is_none(), "one SQS event per function");
    Some(queue)
}

/// The sweep and the actions function each have one schedule, whose role may invoke that
/// function and write to its own dead-letter queue, nothing else.
#[test]
fn each_schedule_may_invoke_its_function_and_nothing_else() {
    let template = template();
    let schedules: Vec<(&String, &Value)> = resources(&template)
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Scheduler::Schedule")
        .collect();
    let mut invoked = BTreeSet::new();
    for (id, schedule) in schedules {
        let target = &schedule["Properties"]["Target"];
        invoked.insert(target["Arn"].clone().to_string());
        let dlq = target["DeadLetterConfig"]["Arn"].clone();
        assert!(
            dlq["Fn::GetAtt"].is_array(),
            "{id}: needs a dead-letter queue of this stack"
        );
        assert!(
            target["RetryPolicy"].is_object(),
            "{id}: needs a retry policy"
        );
        let expected = BTreeSet::from([
            grant("lambda:InvokeFunction", &target["Arn"]),
            grant("sqs:SendMessage", &dlq),
        ]);
        assert_eq!(
            grants(&template, &target["RoleArn"]),
            expected,
            "{id}: scheduler role"
        );
    }
    let expected: BTreeSet<String> = ["sweep", ACTIONS]
        .iter()
        .map(|binary| get_att(&function(&template, binary).0, "Arn").to_string())
        .collect();
    assert_eq!(
        invoked, expected,
        "one schedule each for the sweep and actions"
    );
}

/// Every SLA event reaches the actions function: a rule on the bus matching the event
/// source targets its queue (with a DLQ), the queue dead-letters repeated failures and
/// outlasts the function's timeout, the function reports batch item failures, and the
/// dead-letter queue is alarmed.
#[test]
fn every_sla_event_reaches_the_actions_function_through_its_queue() {
    let template = template();
    let (id, function) = function(&template, ACTIONS);
    let queue = sqs_event_queue(&function).expect("the actions function has an SQS event");
    let queue_id = queue["Fn::GetAtt"][0]
        .as_str()
        .expect("!GetAtt <queue>.Arn");
    let events = function["Properties"]["Events"]
        .as_object()
        .expect("Events");
    let sqs = events.values().find(|e| e["Type"] == "SQS").expect("SQS");
    assert_eq!(
        sqs["Properties"]["FunctionResponseTypes"],
        json!(["ReportBatchItemFailures"]),
        "{id}: one failed message must not retry the batch"
    );
    let (bus, _) = single_resource(&template, "AWS::Events::EventBus");
    let rule = resources(&template)
        .values()
        .find(|r| {
            r["Type"] == "AWS::Events::Rule"
                && resource_list(&r["Properties"]["Targets"])
                    .iter()
                    .any(|t| t["Arn"] == queue)
        })
        .expect("a rule targets the actions queue");
    let properties = &rule["Properties"];
    assert_eq!(properties["EventBusName"], json!({"Ref": bus}));
    assert_eq!(
        properties["EventPattern"],
        json!({"source": [{"Ref": "EventSource"}]}),
        "every SLA event (the policies decide which act)"
    );
    let target = resource_list(&properties["Targets"])
        .into_iter()
        .find(|t| t["Arn"] == queue)
        .expect("target");
    let rule_dlq = &target["DeadLetterConfig"]["Arn"];
    let queue_properties = &resources(&template)[queue_id]["Properties"];
    let redrive = &queue_properties["RedrivePolicy"];
    assert_eq!(
        &redrive["deadLetterTargetArn"], rule_dlq,
        "one DLQ for both"
    );
    let timeout = function["Properties"]["Timeout"].as_u64().expect("Timeout");
    let visibility = queue_properties["VisibilityTimeout"]
        .as_u64()
        .expect("VisibilityTimeout");
    assert!(
        visibility >= 6 * timeout,
        "{queue_id}: visibility {visibility} s < 6 x the function's {timeout} s"
    );
    let dlq_id = rule_dlq["Fn::GetAtt"][0]
        .as_str()
        .expect("!GetAtt <dlq>.Arn");
    let alarmed = resources(&template).values().any(|r| {
        r["Type"] == "AWS::CloudWatch::Alarm"
            && r["Properties"]["Namespace"] == "AWS/SQS"
            && r["Properties"]["Dimensions"][0]["Value"] == get_att(dlq_id, "QueueName")
    });
    assert!(alarmed, "{dlq_id}: its depth must be alarmed");
}

/// Every metric the code marks as alarmed (sweep lag, publish failures, dead letters,
/// webhook 5xx, unsaveable records) has exactly one alarm, on the dimension the code
/// emits it with; and every alarm on the code's namespace watches such a metric.
#[test]
fn each_alarmed_metric_the_code_emits_has_one_alarm() {
    let template = template();
    let namespace = METRICS_NAMESPACE;
    let alarms: Vec<&Value> = resources(&template)
        .values()
        .filter(|r| {
            r["Type"] == "AWS::CloudWatch::Alarm" && r["Properties"]["Namespace"] == namespace
        })
        .collect();
    for (metric, function) in ALARMED_METRICS {
        let watching = alarms.iter().filter(|r| {
            let p = &r["Properties"];
            p["MetricName"] == *metric
                && p["Dimensions"] == json!([{"Name": "Function", "Value": function}])
        });
        assert_eq!(
            watching.count(),
            1,
            "one alarm on {namespace}/{metric} Function={function}"
        );
    }
    for alarm in alarms {
        let p = &alarm["Properties"];
        let watched = (
            p["MetricName"].as_str().unwrap_or_default(),
            p["Dimensions"][0]["Value"].as_str().unwrap_or_default(),
        );
        assert!(
            ALARMED_METRICS.contains(&watched),
            "alarm on {watched:?}, which the code does not emit as alarmed"
        );
    }
}

#[test]
fn the_shipped_config_files_reach_the_functions() {
    let template = template();
    let (layer_id, layer) = single_resource(&template, "AWS::Serverless::LayerVersion");
    let layer_dir = workspace_root().join("infra").join(
        layer["Properties"]["ContentUri"]
            .as_str()
            .expect("layer ContentUri is a local path"),
    );
    let globals = &template["Globals"]["Function"];
    assert_eq!(
        globals["Layers"],
        json!([{"Ref": layer_id}]),
        "functions use {layer_id}"
    );
    let env = &globals["Environment"]["Variables"];
    for name in [ENV_TENANTS_FILE, ENV_POLICY_FILE] {
        let mounted = env[name]
            .as_str()
            .unwrap_or_else(|| panic!("Globals set no path in {name}"));
        let inside = mounted.strip_prefix(LAYER_MOUNT).unwrap_or_else(|| {
            panic!("{name}={mounted} is not under the layer mount {LAYER_MOUNT}")
        });
        let shipped = layer_dir.join(inside);
        assert!(
            shipped.is_file(),
            "{name}={mounted}: {} does not exist",
            shipped.display()
        );
    }
}

/// Whether a role with secrets `scope` may read `source` (the scope's parameters at their
/// defaults); `secret_env` needs no AWS permission.
fn readable_in(template: &Value, scope: &SecretScope, source: &SecretSource) -> Result<(), String> {
    let default = |name: &str| {
        template["Parameters"][name]["Default"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    match source {
        SecretSource::Env(_) => Ok(()),
        SecretSource::SecretsManager(id) => {
            let prefix = default(scope.prefix);
            let name = id.rsplit(":secret:").next().unwrap_or(id);
            name.starts_with(&prefix)
                .then_some(())
                .ok_or(format!("outside {prefix}*"))
        }
        SecretSource::Ssm(name) => {
            let path = format!("/{}/", default(scope.path));
            name.starts_with(&path)
                .then_some(())
                .ok_or(format!("outside {path}*"))
        }
    }
}

#[test]
fn the_shipped_tenants_load_as_at_cold_start_with_readable_secrets() {
    let template = template();
    let config = workspace_root().join("infra/config/sla");
    let file = sla_app::tenants::read_tenants_file(&config.join("tenants.yaml"))
        .unwrap_or_else(|e| panic!("infra/config/sla: {e}"));
    let read_tokens: Vec<&SecretSource> = file
        .tenants()
        .filter_map(|(_, tenant)| tenant.read_token.as_ref())
        .collect();
    let action_secrets: Vec<&SecretSource> = file
        .tenants()
        .flat_map(|(_, tenant)| tenant.action_secret_sources())
        .collect();
    let resolver = |source: &SecretSource| {
        // Read tokens are read by read-api's role, the autopilot's credentials by the
        // actions role, webhook secrets by the webhook roles.
        let scope = if read_tokens.contains(&source) {
            &READ_TOKENS
        } else if action_secrets.contains(&source) {
            &ACTION_SECRETS
        } else {
            &WEBHOOK_SECRETS
        };
        readable_in(&template, scope, source)
            .map(|()| "a-signing-secret-of-enough-length".to_owned())
            .map_err(|reason| SecretUnavailable {
                reason: format!("{source}: {reason}"),
            })
    };
    let tenants = sla_app::tenants::load(
        &config.join("tenants.yaml"),
        Some(&config.join("policy.yaml")),
        &resolver,
    )
    .unwrap_or_else(|e| panic!("infra/config/sla: {e}"));
    assert!(
        tenants.policies("example").is_some(),
        "the example tenant has a policy"
    );
}

#[test]
fn webhook_url_outputs_name_known_vendors() {
    let template = template();
    let outputs = template["Outputs"].as_object().expect("Outputs");
    let urls: Vec<(&String, &str)> = outputs
        .iter()
        .filter(|(name, _)| name.ends_with("WebhookUrl"))
        .map(|(name, o)| (name, o["Value"]["Fn::Sub"].as_str().unwrap_or_default()))
        .collect();
    let vendors: BTreeSet<Vendor> = urls
        .iter()
        .map(|(name, url)| {
            let route =
                route_of(url).unwrap_or_else(|| panic!("{name}: {url} is not a webhook URL"));
            let vendor = Vendor::from_str(&route.vendor).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(name.contains("Created"), route.created, "{name}: {url}");
            vendor
        })
        .collect();
    let documented = [
        Vendor::Zendesk,
        Vendor::Freshdesk,
        Vendor::Intercom,
        Vendor::HelpScout,
        Vendor::Jira,
    ];
    for vendor in documented {
        assert!(
            vendors.contains(&vendor),
            "no webhook URL output for {vendor}"
        );
    }
}

/// The analytics resources, which exist only under the `AnalyticsEnabled` condition.
fn analytics_resource<'t>(template: &'t Value, kind: &str) -> (&'t str, &'t Value) {
    let (id, resource) = single_resource(template, kind);
    assert_eq!(resource["Condition"], "AnalyticsEnabled", "{id}: condition");
    (id, resource)
}

/// Every `infra/athena/*.sql` file, by its path relative to `infra/`, with its text.
fn athena_sql_files() -> BTreeMap<String, String> {
    let dir = workspace_root().join("infra/athena");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            let name = path.file_name().expect("file name").to_string_lossy();
            let text = std::fs::read_to_string(&path).expect("readable SQL file");
            (format!("athena/{name}"), text)
        })
        .collect()
}

#[test]
fn athena_named_queries_are_the_sql_files_verbatim() {
    let template = template();
    let (database, _) = analytics_resource(&template, "AWS::Glue::Database");
    let (workgroup, _) = analytics_resource(&template, "AWS::Athena::WorkGroup");
    let queries: BTreeMap<String, String> = resources(&template)
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Athena::NamedQuery")
        .map(|(id, r)| {
            assert_eq!(r["Condition"], "AnalyticsEnabled", "{id}: condition");
            let p = &r["Properties"];
            assert_eq!(p["Database"], json!({"Ref": database}), "{id}: database");
            assert_eq!(p["WorkGroup"], json!({"Ref": workgroup}), "{id}: workgroup");
            let file = r["Metadata"]["SqlFile"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: Metadata.SqlFile names its infra/athena file"));
            let sql = p["QueryString"].as_str().unwrap_or_default();
            (file.to_owned(), sql.to_owned())
        })
        .collect();
    let files = athena_sql_files();
    assert_eq!(
        queries.keys().collect::<Vec<_>>(),
        files.keys().collect::<Vec<_>>(),
        "one named query per infra/athena/*.sql file"
    );
    for (file, text) in &files {
        assert_eq!(
            &queries[file], text,
            "{file}: the named query's QueryString differs from the file"
        );
    }
}

#[test]
fn sla_events_reach_s3_by_tenant_and_day_through_least_privilege_roles() {
    let template = template();
    let (bus, _) = single_resource(&template, "AWS::Events::EventBus");
    let (stream, firehose) = analytics_resource(&template, "AWS::KinesisFirehose::DeliveryStream");
    let (bucket, _) = analytics_resource(&template, "AWS::S3::Bucket");
    let (rule_id, rule) = resources(&template)
        .iter()
        .find(|(_, r)| r["Properties"]["Targets"][0]["Arn"] == get_att(stream, "Arn"))
        .expect("a rule targets the delivery stream");
    let p = &rule["Properties"];
    assert_eq!(p["EventBusName"], json!({"Ref": bus}), "{rule_id}: bus");
    assert_eq!(
        p["EventPattern"],
        json!({"source": [{"Ref": "EventSource"}]}),
        "{rule_id}: every SLA event"
    );
    let target = &p["Targets"][0];
    let put = ["firehose:PutRecord", "firehose:PutRecordBatch"];
    let expected: BTreeSet<Grant> = put
        .iter()
        .map(|a| grant(a, &get_att(stream, "Arn")))
        .collect();
    assert_eq!(
        grants(&template, &target["RoleArn"]),
        expected,
        "{rule_id}: role"
    );

    let s3 = &firehose["Properties"]["ExtendedS3DestinationConfiguration"];
    assert_eq!(s3["BucketARN"], get_att(bucket, "Arn"), "{stream}: bucket");
    assert_eq!(s3["CompressionFormat"], "GZIP", "{stream}: compression");
    let objects = |prefix: &str| json!({"Fn::Sub": format!("${{{bucket}.Arn}}/{prefix}/*")});
    let mut expected: BTreeSet<Grant> = [
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
    ]
    .iter()
    .map(|a| grant(a, &get_att(bucket, "Arn")))
    .collect();
    for action in ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"] {
        for prefix in ["sla-events", "errors"] {
            expected.insert(grant(action, &objects(prefix)));
        }
    }
    assert_eq!(
        grants(&template, &s3["RoleARN"]),
        expected,
        "{stream}: role"
    );
    let prefix = s3["Prefix"].as_str().unwrap_or_default();
    assert!(
        s3["ErrorOutputPrefix"]
            .as_str()
            .is_some_and(|p| p.starts_with("errors/")),
        "{stream}: error prefix"
    );

    // Firehose writes where the Glue table's partition projection looks.
    let (table_id, table) = analytics_resource(&template, "AWS::Glue::Table");
    let input = &table["Properties"]["TableInput"];
    let keys: Vec<&str> = input["PartitionKeys"]
        .as_array()
        .expect("PartitionKeys")
        .iter()
        .filter_map(|k| k["Name"].as_str())
        .collect();
    assert_eq!(keys, ["tenant", "dt"], "{table_id}: partition keys");
    let written = keys.iter().fold(prefix.to_owned(), |p, key| {
        p.replace(
            &format!("!{{partitionKeyFromQuery:{key}}}"),
            &format!("${{!{key}}}"),
        )
    });
    assert_eq!(
        input["Parameters"]["storage.location.template"],
        json!({"Fn::Sub": format!("s3://${{{bucket}}}/{written}")}),
        "{table_id}: projection reads where {stream} writes ({prefix})"
    );
}

#[test]
fn athena_sees_every_shipped_tenant() {
    let template = template();
    let path = workspace_root().join("infra/config/sla/tenants.yaml");
    let text = std::fs::read_to_string(&path).expect("readable tenants file");
    let shipped: serde_norway::Value = serde_norway::from_str(&text).expect("tenants YAML");
    let shipped: BTreeSet<String> = shipped["tenants"]
        .as_mapping()
        .expect("a `tenants` mapping")
        .keys()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    let projected: BTreeSet<String> = template["Parameters"]["AnalyticsTenants"]["Default"]
        .as_str()
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_owned())
        .collect();
    assert_eq!(
        projected,
        shipped,
        "AnalyticsTenants default lists the tenants of {}",
        path.display()
    );
}
