//! The webhook functions (`ticket-created`, `ticket-updated`): API Gateway event in,
//! verified and ingested, JSON response out.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use lambda_runtime::LambdaEvent;
use sla_app::WebhookService;
use sla_store::TicketStore;
use tracing::Instrument;

use crate::emf::{self, Metric};
use crate::http;

/// A webhook handler with its service, built once per cold start.
pub struct WebhookFunction<S> {
    name: &'static str,
    service: WebhookService<S>,
}

impl<S: TicketStore> WebhookFunction<S> {
    /// The function called `name` (for logs and metrics) over `service`.
    pub fn new(name: &'static str, service: WebhookService<S>) -> Self {
        Self { name, service }
    }

    /// The service (for tests).
    pub fn service(&self) -> &WebhookService<S> {
        &self.service
    }

    /// Handles one HTTP request. Never fails the invocation: errors become responses.
    pub async fn handle(
        &self,
        event: LambdaEvent<ApiGatewayV2httpRequest>,
    ) -> Result<ApiGatewayV2httpResponse, lambda_runtime::Error> {
        let request_id = event.context.request_id.clone();
        let (route, request) = match http::to_request(&event.payload) {
            Ok(parts) => parts,
            Err(refused) => return Ok(refused.response()),
        };
        let span = tracing::info_span!("webhook", request_id = %request_id, tenant = %route.tenant, vendor = %route.vendor);
        let reply = self
            .service
            .handle(&route, &request)
            .instrument(span.clone())
            .await;
        span.in_scope(|| tracing::info!(status = reply.status, "webhook answered"));
        emf::emit(
            self.name,
            &[
                Metric {
                    name: "EventsIngested",
                    value: reply.stats.events_ingested as f64,
                    unit: "Count",
                },
                Metric {
                    name: "DuplicateEvents",
                    value: reply.stats.duplicates as f64,
                    unit: "Count",
                },
                Metric {
                    name: "Conflicts",
                    value: reply.stats.conflicts as f64,
                    unit: "Count",
                },
                Metric {
                    name: "WebhookErrors",
                    value: f64::from(u8::from(reply.status >= 400)),
                    unit: "Count",
                },
            ],
        );
        Ok(http::from_reply(&reply))
    }
}
