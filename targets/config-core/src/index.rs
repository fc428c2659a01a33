//! Key lookup in a table: a linear walk for small tables, a hash index for large ones.
//!
//! Duplicate-key detection looks up every key once, so a table of `n` keys must not cost
//! `O(n²)`. Tables up to [`LINEAR_MAX`] keys are walked (cheaper than hashing for the small
//! tables configs are made of); past that, every key of the table goes into one document-wide
//! map keyed by `(table id, key hash)`. A hash collision is never trusted: the key text is
//! compared, and on a mismatch the lookup falls back to the walk.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::layout::{Entry, List, NONE};

/// Tables with more keys than this are indexed.
pub(crate) const LINEAR_MAX: u32 = 12;

/// The document-wide index of large tables' keys: `(table id, key hash)` → entry id.
pub(crate) type KeyIndex = HashMap<(u32, u64), u32, BuildHasherDefault<PassThrough>>;

/// The map's keys are already hashes; the hasher only mixes in the table id.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _bytes: &[u8]) {
        unreachable!("only integers are hashed");
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

/// FxHash over the key's bytes, eight at a time, then a finishing mix: fast, and good enough
/// with the text check.
#[inline]
pub(crate) fn hash_key(key: &[u8]) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h: u64 = key.len() as u64;
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("chunk of 8"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    // A product's low bits depend only on its factors' low bits, and the map picks buckets by
    // the low bits: finish with MurmurHash3's `fmix64` so that keys differing late (`key10`,
    // `key11`) do not crowd into a few buckets.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Whether `entry`'s key is `key`: lengths first, which settles most mismatches.
#[inline(always)]
fn key_is(entry: &Entry, src: &str, text: &str, key: &[u8]) -> bool {
    entry.key.byte_len() == key.len() && entry.key.bytes(src, text) == key
}

/// The bit of a table's `key_bits` that stands for `key`: a mix of its length and its first
/// and last two bytes, so that the keys of a small table rarely share one.
#[inline(always)]
pub(crate) fn key_bit(key: &[u8]) -> u64 {
    let mix = match key {
        [] => 0,
        [.., before_last, last] => {
            key.len() as u64
                | (key[0] as u64) << 16
                | (*last as u64) << 24
                | (*before_last as u64) << 32
        }
        [only] => 1 | (*only as u64) << 16,
    };
    1 << (mix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58)
}

/// The document's entries and the two texts their keys point into.
#[derive(Clone, Copy)]
pub(crate) struct Keys<'s> {
    pub(crate) entries: &'s [Entry],
    pub(crate) src: &'s str,
    pub(crate) text: &'s str,
}

/// Finds `key` in table `table` (whose list is `list`); returns its entry id.
#[inline]
pub(crate) fn find(
    index: &KeyIndex,
    keys: Keys<'_>,
    table: u32,
    list: List,
    key: &[u8],
) -> Option<u32> {
    if list.len > LINEAR_MAX {
        if let Some(&id) = index.get(&(table, hash_key(key))) {
            if key_is(&keys.entries[id as usize], keys.src, keys.text, key) {
                return Some(id);
            }
        } else {
            return None;
        }
    } else if list.key_bits & key_bit(key) == 0 {
        return None;
    }
    walk(keys, list.head, key)
}

/// Walks a table's list for `key`.
#[inline]
fn walk(keys: Keys<'_>, mut id: u32, key: &[u8]) -> Option<u32> {
    while id != NONE {
        let entry = &keys.entries[id as usize];
        if key_is(entry, keys.src, keys.text, key) {
            return Some(id);
        }
        id = entry.next;
    }
    None
}

/// Records that entry `id` (key `key`) was appended to `table`, whose list is now `list`:
/// indexes the table's keys once it grows past [`LINEAR_MAX`].
pub(crate) fn record(
    index: &mut KeyIndex,
    keys: Keys<'_>,
    table: u32,
    list: List,
    id: u32,
    key: &[u8],
) {
    if list.len <= LINEAR_MAX {
        return;
    }
    if list.len == LINEAR_MAX + 1 {
        if index.capacity() == 0 {
            // The first large table: room for a few hundred keys, so a table that keeps
            // growing does not rehash at every doubling from the smallest size.
            index.reserve(256);
        }
        let mut at = list.head;
        while at != NONE {
            let entry = &keys.entries[at as usize];
            let h = hash_key(entry.key.bytes(keys.src, keys.text));
            index.entry((table, h)).or_insert(at);
            at = entry.next;
        }
    } else {
        index.entry((table, hash_key(key))).or_insert(id);
    }
}

#[cfg(test)]
#[path = "index/tests.rs"]
mod tests;
