//! String interning (the seed's A2): each distinct name stored once, in one arena, and named by a
//! [`Sym`], a `u32` whose equality is one integer comparison.
//!
//! A configuration repeats the same few keys thousands of times (`source`, `output`, `inputs` in
//! every template and generator) and the same paths in many places. Kept as owned strings, each
//! occurrence is its own allocation and each comparison reads both strings; interned, the text
//! is stored once and an occurrence is four bytes. The streaming reader ([`crate::stream`])
//! keeps the names of the tables it has seen this way, which is what bounds its memory.
//!
//! The table is a chained hash table over the arena: `buckets` holds the first symbol of each
//! bucket and `next` links symbols whose hashes share a bucket, so no name is ever stored
//! twice and no per-name allocation is made. `benches/intern.rs` measures memory and equality
//! cost with and without it.

/// An interned name: an index into its [`Interner`]. Two symbols of one interner are equal
/// exactly when their names are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(u32);

impl Sym {
    /// The symbol's index: symbols are numbered 0, 1, 2, … in the order their names were first
    /// interned.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// End of a bucket chain.
const NONE: u32 = u32::MAX;

/// A set of distinct strings in one arena, each named by a [`Sym`].
#[derive(Clone, Debug)]
pub struct Interner {
    /// Every distinct name, back to back.
    text: String,
    /// Per symbol: where its name starts in `text` and where it ends.
    bounds: Vec<(u32, u32)>,
    /// Per symbol: its name's hash (kept so growing the table never rehashes text).
    hashes: Vec<u32>,
    /// Per symbol: the next symbol in the same bucket, or `NONE`.
    next: Vec<u32>,
    /// Per bucket (a power of two of them): its first symbol, or `NONE`.
    buckets: Vec<u32>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner::with_capacity(0, 0)
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// An empty interner with room for `names` distinct names of `bytes` bytes in total, so
    /// interning up to that many allocates nothing more.
    pub fn with_capacity(names: usize, bytes: usize) -> Interner {
        let buckets = names.max(8).next_power_of_two();
        Interner {
            text: String::with_capacity(bytes),
            bounds: Vec::with_capacity(names),
            hashes: Vec::with_capacity(names),
            next: Vec::with_capacity(names),
            buckets: vec![NONE; buckets],
        }
    }

    /// The symbol of `name`, storing the name if it is new.
    ///
    /// # Panics
    /// If more than `u32::MAX - 1` distinct names or 4 GiB of text are interned.
    pub fn intern(&mut self, name: &str) -> Sym {
        let hash = hash(name.as_bytes());
        if let Some(sym) = self.find(name, hash) {
            return sym;
        }
        if self.bounds.len() >= self.buckets.len() {
            self.grow();
        }
        let index = u32::try_from(self.bounds.len())
            .ok()
            .filter(|&i| i != NONE)
            .expect("fewer than 2^32 - 1 distinct names");
        let start = self.text.len();
        self.text.push_str(name);
        let end = u32::try_from(self.text.len()).expect("interned text under 4 GiB");
        self.bounds.push((start as u32, end));
        self.hashes.push(hash);
        let bucket = self.bucket(hash);
        self.next.push(self.buckets[bucket]);
        self.buckets[bucket] = index;
        Sym(index)
    }

    /// The symbol of `name` if it has been interned.
    pub fn get(&self, name: &str) -> Option<Sym> {
        self.find(name, hash(name.as_bytes()))
    }

    /// The name of `sym`.
    ///
    /// # Panics
    /// If `sym` was made by another interner with more names.
    pub fn resolve(&self, sym: Sym) -> &str {
        let (start, end) = self.bounds[sym.index()];
        &self.text[start as usize..end as usize]
    }

    /// The number of distinct names.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether no name has been interned.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// The heap bytes this interner holds (capacities, not lengths): the memory figure of the
    /// A2 measure.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.bounds.capacity() * size_of::<(u32, u32)>()
            + (self.hashes.capacity() + self.next.capacity() + self.buckets.capacity())
                * size_of::<u32>()
    }

    fn find(&self, name: &str, hash: u32) -> Option<Sym> {
        let mut at = self.buckets[self.bucket(hash)];
        while at != NONE {
            let i = at as usize;
            if self.hashes[i] == hash && self.resolve(Sym(at)) == name {
                return Some(Sym(at));
            }
            at = self.next[i];
        }
        None
    }

    fn bucket(&self, hash: u32) -> usize {
        hash as usize & (self.buckets.len() - 1)
    }

    /// Doubles the buckets and relinks every symbol (from its stored hash).
    fn grow(&mut self) {
        let size = self.buckets.len() * 2;
        self.buckets.clear();
        self.buckets.resize(size, NONE);
        for (i, &hash) in self.hashes.iter().enumerate() {
            let bucket = hash as usize & (size - 1);
            self.next[i] = self.buckets[bucket];
            self.buckets[bucket] = i as u32;
        }
    }
}

/// A fast non-cryptographic hash (the multiply-and-rotate of rustc's `FxHasher`, eight bytes
/// at a time, folded to 32 bits). Names come from configuration files, not from an attacker
/// who could choose collisions; a chain of colliding names stays correct, only slower.
fn hash(bytes: &[u8]) -> u32 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h: u64 = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    (h ^ (h >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_names_get_equal_symbols_and_resolve_back() {
        let mut interner = Interner::new();
        let a = interner.intern("source");
        let b = interner.intern("output");
        let c = interner.intern("source");
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert_eq!(interner.resolve(a), "source");
        assert_eq!(interner.resolve(b), "output");
        assert_eq!(interner.len(), 2);
        assert_eq!(interner.get("output"), Some(b));
        assert_eq!(interner.get("globs"), None);
    }

    #[test]
    fn many_names_survive_growth_and_are_stored_once() {
        let mut interner = Interner::new();
        let names: Vec<String> = (0..10_000).map(|i| format!("templates.t{i}")).collect();
        let syms: Vec<Sym> = names.iter().map(|n| interner.intern(n)).collect();
        for (name, sym) in names.iter().zip(&syms) {
            assert_eq!(interner.intern(name), *sym);
            assert_eq!(interner.resolve(*sym), name);
        }
        assert_eq!(interner.len(), names.len());
        let total: usize = names.iter().map(String::len).sum();
        assert_eq!(interner.text.len(), total);
        // Symbols are numbered in first-seen order.
        assert!(syms.iter().enumerate().all(|(i, s)| s.index() == i));
    }

    #[test]
    fn empty_and_prefix_names_are_distinct() {
        let mut interner = Interner::new();
        let empty = interner.intern("");
        let a = interner.intern("a");
        let aa = interner.intern("aa");
        let long = interner.intern("abcdefgh");
        let longer = interner.intern("abcdefgh\0");
        assert_eq!(
            [empty, a, aa, long, longer]
                .iter()
                .collect::<std::collections::HashSet<_>>()
                .len(),
            5
        );
        assert_eq!(interner.resolve(empty), "");
        assert_eq!(interner.resolve(longer), "abcdefgh\0");
    }

    #[test]
    fn a_sized_interner_does_not_grow() {
        let mut interner = Interner::with_capacity(100, 1000);
        let before = interner.heap_bytes();
        for i in 0..100 {
            interner.intern(&format!("key{i}"));
        }
        assert_eq!(interner.heap_bytes(), before);
    }
}
