//! `read-api`: the read routes and the dashboard (see sla_lambda::read).

use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let aws = sla_lambda::init::aws_config().await;
    let function = sla_lambda::init::read_function(&aws).await?;
    run(service_fn(|event: LambdaEvent<_>| function.handle(event))).await
}
