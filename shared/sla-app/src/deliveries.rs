//! Replay protection for vendors whose signature covers no timestamp (Intercom, Help
//! Scout, Jira, Front rule webhooks): each tenant's store remembers the SHA-256 of every
//! delivery body it ingested for [`DIGEST_MEMORY`], and a body seen again in that time is
//! answered as a duplicate. Older replays meet the retention window and event-id dedup.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sla_helpdesk::Vendor;
use sla_store::{StoreError, TicketStore};

use crate::record;

/// How long a delivery digest is remembered.
pub const DIGEST_MEMORY: Duration = Duration::days(7);

/// The vendors whose signed payloads carry no timestamp the signature covers.
pub fn lacks_replay_window(vendor: Vendor) -> bool {
    matches!(
        vendor,
        Vendor::Intercom | Vendor::HelpScout | Vendor::Jira | Vendor::Front
    )
}

/// The digest remembered for a delivery: `<vendor>:<hex SHA-256 of the raw body>`.
pub fn digest(vendor: Vendor, body: &[u8]) -> String {
    format!("{vendor}:{}", hex::encode(Sha256::digest(body)))
}

/// The delivery's digest when `vendor` needs replay protection, `None` otherwise.
pub fn digest_for(vendor: Vendor, body: &[u8]) -> Option<String> {
    lacks_replay_window(vendor).then(|| digest(vendor, body))
}

/// Whether `tenant` already ingested the delivery with `digest` (within the memory).
pub async fn seen<S: TicketStore>(
    store: &S,
    tenant: &str,
    digest: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    store.delivery_seen(tenant, digest, now).await
}

/// Remembers an ingested delivery for [`DIGEST_MEMORY`]. Called after the events are
/// stored, so a delivery that failed is not mistaken for a replay when retried.
pub async fn remember<S: TicketStore>(store: &S, tenant: &str, digest: &str, now: DateTime<Utc>) {
    let until = record::later(now, DIGEST_MEMORY);
    if let Err(err) = store.remember_delivery(tenant, digest, now, until).await {
        // The events are stored; only replay protection of this body is lost.
        tracing::warn!(tenant, error = %err, "could not remember the delivery digest");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_store::MemoryStore;

    #[test]
    fn digests_name_the_vendor_and_hash_the_body() {
        let d = digest(Vendor::Intercom, b"abc");
        assert_eq!(
            d,
            "intercom:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest_for(Vendor::Zendesk, b"abc"),
            None,
            "signed timestamp"
        );
        assert!(digest_for(Vendor::HelpScout, b"abc").is_some());
    }

    #[tokio::test]
    async fn a_remembered_delivery_is_seen_for_seven_days() {
        let store = MemoryStore::new();
        let now: DateTime<Utc> = "2026-11-02T12:00:00Z".parse().unwrap();
        let d = digest(Vendor::Jira, b"{}");
        assert!(!seen(&store, "acme", &d, now).await.unwrap());
        remember(&store, "acme", &d, now).await;
        assert!(seen(&store, "acme", &d, now + Duration::days(6))
            .await
            .unwrap());
        assert!(!seen(&store, "other", &d, now).await.unwrap());
        assert!(!seen(&store, "acme", &d, now + Duration::days(7))
            .await
            .unwrap());
    }
}
