//! `actions`: the autopilot on AWS (see sla_lambda::actions).

use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let aws = sla_lambda::init::aws_config().await;
    let function = sla_lambda::init::actions_function(&aws).await?;
    run(service_fn(|event: LambdaEvent<_>| function.handle(event))).await
}
