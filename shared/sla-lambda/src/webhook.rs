//! The webhook functions (`ticket-created`, `ticket-updated`): API Gateway event in,
//! verified and ingested, JSON response out.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use lambda_runtime::LambdaEvent;
use sla_app::{HttpReply, WebhookService};
use sla_store::TicketStore;
use tracing::Instrument;

use crate::emf::{self, names, Metric};
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
        emf::emit(self.name, &metrics(&reply));
        Ok(http::from_reply(&reply))
    }
}

/// The metrics of one webhook answer.
pub fn metrics(reply: &HttpReply) -> Vec<Metric<'static>> {
    let count = |name, value: u64| Metric {
        name,
        value: value as f64,
        unit: "Count",
    };
    vec![
        count("EventsIngested", reply.stats.events_ingested),
        count("DuplicateEvents", reply.stats.duplicates),
        count("Conflicts", reply.stats.conflicts),
        count("WebhookErrors", u64::from(reply.status >= 400)),
        count(names::WEBHOOK_5XX, u64::from(reply.status >= 500)),
        count(names::UNSAVEABLE, u64::from(reply.stats.unsaveable)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(metrics: &[Metric<'_>], name: &str) -> f64 {
        metrics
            .iter()
            .find(|m| m.name == name)
            .map_or(-1.0, |m| m.value)
    }

    #[test]
    fn counts_5xx_and_unsaveable_answers() {
        let unavailable = HttpReply::error(503, "retry".into());
        let m = metrics(&unavailable);
        assert_eq!(
            (value(&m, names::WEBHOOK_5XX), value(&m, "WebhookErrors")),
            (1.0, 1.0)
        );
        let mut unsaveable = HttpReply::error(422, "too large".into());
        unsaveable.stats.unsaveable = true;
        let m = metrics(&unsaveable);
        assert_eq!(
            (value(&m, names::WEBHOOK_5XX), value(&m, names::UNSAVEABLE)),
            (0.0, 1.0)
        );
    }
}
