//! Bearer-token checks of the JSON read routes: the admin token reads every tenant, a
//! tenant's token only that tenant. Comparisons are constant-time; tokens are never
//! logged or echoed.

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

/// Why a request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A token that is neither the admin token nor the tenant's.
    Wrong,
}

impl Refusal {
    /// The error message answered with 401.
    pub fn message(self) -> &'static str {
        match self {
            Self::Missing => "missing bearer token (Authorization: Bearer <token>)",
            Self::Wrong => "invalid token for this tenant",
        }
    }
}

/// The bearer token of `headers`, if any (header name and scheme case-insensitive).
pub fn bearer(headers: &[(String, String)]) -> Option<&str> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim())
                .filter(|t| !t.is_empty())
        })
}

/// Checks `presented` against the tokens that may read the tenant. With no token
/// configured at all, reads are open (local use).
pub fn check(
    presented: Option<&str>,
    admin: Option<&[u8]>,
    tenant: Option<&[u8]>,
) -> Result<(), Refusal> {
    if admin.is_none() && tenant.is_none() {
        return Ok(());
    }
    let presented = presented.ok_or(Refusal::Missing)?.as_bytes();
    let matches = |expected: Option<&[u8]>| expected.is_some_and(|e| token_matches(e, presented));
    // Both compared, so the answer time does not tell which one matched.
    let admin_ok = matches(admin);
    let tenant_ok = matches(tenant);
    if admin_ok | tenant_ok {
        Ok(())
    } else {
        Err(Refusal::Wrong)
    }
}

/// Whether `presented` is the token `expected`, in time independent of both: the SHA-256
/// digests are compared in constant time, so not even the token's length leaks.
pub fn token_matches(expected: &[u8], presented: &[u8]) -> bool {
    let expected: [u8; 32] = Sha256::digest(expected).into();
    let presented: [u8; 32] = Sha256::digest(presented).into();
    expected.ct_eq(&presented).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_reads_all_tenant_token_only_its_own_open_without_tokens() {
        let admin = Some(b"root".as_slice());
        let acme = Some(b"acme-token".as_slice());
        assert_eq!(check(None, None, None), Ok(()));
        assert_eq!(check(Some("root"), admin, acme), Ok(()));
        assert_eq!(check(Some("acme-token"), admin, acme), Ok(()));
        assert_eq!(check(Some("acme-token"), admin, None), Err(Refusal::Wrong));
        assert_eq!(check(Some("root"), None, acme), Err(Refusal::Wrong));
        assert_eq!(check(None, admin, None), Err(Refusal::Missing));
    }

    #[test]
    fn reads_the_bearer_header() {
        let headers = |v: &str| vec![("authorization".to_string(), v.to_string())];
        assert_eq!(bearer(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&headers("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(&headers("Basic abc")), None);
        assert_eq!(bearer(&headers("Bearer ")), None);
        assert_eq!(bearer(&[]), None);
    }
}
