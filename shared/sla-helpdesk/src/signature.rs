//! HMAC computation, constant-time comparison and signed-timestamp windows.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Limits;
use crate::error::WebhookError;

/// HMAC-SHA256 of the concatenated parts.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes keys of any length (longer ones are hashed): this cannot fail.
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-SHA1 of the concatenated parts.
pub(crate) fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes keys of any length (longer ones are hashed): this cannot fail.
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// Constant-time equality of a computed MAC with the one received.
pub(crate) fn mac_matches(expected: &[u8], received: &[u8]) -> bool {
    expected.ct_eq(received).into()
}

/// Constant-time equality of two shared secrets, without leaking their lengths.
pub(crate) fn secrets_match(expected: &[u8], received: &[u8]) -> bool {
    Sha256::digest(expected)
        .ct_eq(&Sha256::digest(received))
        .into()
}

/// Checks a base64 signature header against a computed MAC.
pub(crate) fn check_base64(header: &str, value: &str, expected: &[u8]) -> Result<(), WebhookError> {
    let received = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| WebhookError::unauthorized(format!("header {header} is not base64")))?;
    ensure_match(header, expected, &received)
}

/// Checks a hex signature (without prefix) against a computed MAC.
pub(crate) fn check_hex(header: &str, value: &str, expected: &[u8]) -> Result<(), WebhookError> {
    let received = hex::decode(value.trim())
        .map_err(|_| WebhookError::unauthorized(format!("header {header} is not hex")))?;
    ensure_match(header, expected, &received)
}

fn ensure_match(header: &str, expected: &[u8], received: &[u8]) -> Result<(), WebhookError> {
    if mac_matches(expected, received) {
        Ok(())
    } else {
        Err(WebhookError::unauthorized(format!(
            "header {header}: signature does not match the body"
        )))
    }
}

/// Refuses a signed timestamp further from `now` than the tolerance, in either direction.
pub(crate) fn check_window(
    header: &str,
    signed_at: DateTime<Utc>,
    now: DateTime<Utc>,
    limits: &Limits,
) -> Result<(), WebhookError> {
    let skew = (now - signed_at).abs();
    let tolerance =
        chrono::Duration::from_std(limits.timestamp_tolerance).unwrap_or(chrono::Duration::MAX);
    if skew > tolerance {
        let direction = if signed_at > now {
            "in the future"
        } else {
            "old"
        };
        return Err(WebhookError::unauthorized(format!(
            "header {header}: timestamp {} is {}s {direction} (tolerance {}s)",
            signed_at.to_rfc3339(),
            skew.num_seconds(),
            tolerance.num_seconds()
        )));
    }
    Ok(())
}

/// Parses an integer timestamp header in seconds or milliseconds.
pub(crate) fn epoch_header(
    header: &str,
    value: &str,
    unit: EpochUnit,
) -> Result<DateTime<Utc>, WebhookError> {
    let number: i64 = value.trim().parse().map_err(|_| {
        WebhookError::unauthorized(format!("header {header}: {value:?} is not an integer"))
    })?;
    let instant = match unit {
        EpochUnit::Seconds => DateTime::from_timestamp(number, 0),
        EpochUnit::Millis => DateTime::from_timestamp_millis(number),
    };
    instant.ok_or_else(|| {
        WebhookError::unauthorized(format!("header {header}: {value:?} is out of range"))
    })
}

/// The unit of an epoch timestamp header.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EpochUnit {
    Seconds,
    Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_sha1_matches_rfc2202_case_2() {
        let mac = hmac_sha1(b"Jefe", &[b"what do ya want for nothing?"]);
        assert_eq!(hex::encode(mac), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    #[test]
    fn shared_secrets_compare_by_value() {
        assert!(secrets_match(b"abc", b"abc"));
        assert!(!secrets_match(b"abc", b"abcd"));
    }

    #[test]
    fn window_refuses_past_and_future() {
        let now = DateTime::from_timestamp(10_000, 0).unwrap();
        let limits = Limits::default();
        assert!(check_window("T", now - chrono::Duration::seconds(300), now, &limits).is_ok());
        assert!(check_window("T", now - chrono::Duration::seconds(301), now, &limits).is_err());
        assert!(check_window("T", now + chrono::Duration::seconds(301), now, &limits).is_err());
    }
}
