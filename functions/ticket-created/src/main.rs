//! `ticket-created`: verifies and ingests helpdesk webhooks (see sla_lambda::webhook).

use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    let aws = sla_lambda::init::aws_config().await;
    let function =
        sla_lambda::init::webhook_function(sla_lambda::emf::functions::TICKET_CREATED, &aws)
            .await?;
    run(service_fn(|event: LambdaEvent<_>| function.handle(event))).await
}
