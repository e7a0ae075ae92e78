//! Stable assignment of tickets to due-index shards.

use crate::TicketKey;

/// Shards of the DynamoDB due index unless configured otherwise.
pub const DEFAULT_SHARDS: u32 = 16;

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The due-index shard of `key`: 64-bit FNV-1a of `tenant + "\0" + ticket_id`, modulo
/// `shards`. Stable across processes, builds and platforms (unlike std's `RandomState`).
pub fn shard_of(key: &TicketKey, shards: u32) -> u32 {
    let bytes = key
        .tenant
        .bytes()
        .chain(std::iter::once(0))
        .chain(key.ticket_id.bytes());
    (fnv1a(bytes) % u64::from(shards.max(1))) as u32
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(FNV_OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // Test vectors from the FNV authors' reference (www.isthe.com/chongo/tech/comp/fnv).
        assert_eq!(fnv1a("".bytes()), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a".bytes()), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a("foobar".bytes()), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn shard_hashes_tenant_nul_ticket() {
        let key = TicketKey::new("acme", "42");
        let expected = fnv1a("acme\u{0}42".bytes()) % 16;
        assert_eq!(u64::from(shard_of(&key, 16)), expected);
    }

    #[test]
    fn shards_spread_keys_over_all_buckets() {
        let mut counts = [0u32; DEFAULT_SHARDS as usize];
        for n in 0..1600 {
            let key = TicketKey::new("acme", n.to_string());
            counts[shard_of(&key, DEFAULT_SHARDS) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (60..=140).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn tenant_and_ticket_are_separated() {
        let a = TicketKey::new("ab", "c");
        let b = TicketKey::new("a", "bc");
        assert_ne!(shard_of(&a, u32::MAX), shard_of(&b, u32::MAX));
    }

    #[test]
    fn zero_shards_is_treated_as_one() {
        assert_eq!(shard_of(&TicketKey::new("t", "1"), 0), 0);
    }
}
