//! The key hash and key bits: spread well enough that large tables stay linear.

use super::*;

/// Keys that differ only in their last bytes must still spread over the map's buckets, which
/// are picked by the hash's low bits.
#[test]
fn similar_keys_spread_over_low_bits() {
    let mut buckets = std::collections::HashSet::new();
    for i in 0..1000 {
        buckets.insert(hash_key(format!("key{i}").as_bytes()) & 1023);
    }
    assert!(
        buckets.len() > 550,
        "only {} of 1024 buckets used",
        buckets.len()
    );
}

#[test]
fn key_bits_tell_apart_typical_config_keys() {
    let keys = [
        "source",
        "output",
        "globs",
        "enabled",
        "priority",
        "weight",
        "variables",
    ];
    let bits: std::collections::HashSet<u64> = keys.iter().map(|k| key_bit(k.as_bytes())).collect();
    assert!(bits.len() >= keys.len() - 1, "{bits:?}");
    assert_eq!(key_bit(b"").count_ones(), 1);
}
