//! Deterministic randomness: hashing of (seed, parts), a small generator, GUIDs and the
//! index-ordered GUIDs and timestamp permutation that make lazy generation seekable.

/// SplitMix64 finaliser: a good 64-bit mixer.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of several parts.
pub fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x51_7CC1_B727_220A, |acc, p| mix(acc ^ mix(*p)))
}

/// Hash of a string, for salts.
pub fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |acc, b| {
        (acc ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    })
}

/// A small deterministic generator seeded from a hash.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(parts: &[u64]) -> Rng {
        Rng(hash(parts))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A money-like amount with two decimals in `lo..hi`.
    pub fn money(&mut self, lo: f64, hi: f64) -> f64 {
        ((lo + self.unit() * (hi - lo)) * 100.0).round() / 100.0
    }
}

/// Formats 128 bits as a lowercase version-4 style GUID.
pub fn guid(hi: u64, lo: u64) -> String {
    let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000;
    let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    // `{:08x}-{:04x}-{:04x}-{:04x}-{:012x}` by hand: GUIDs are on every row's hot path.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 36];
    let mut at = 0;
    for (word, nibbles) in [(hi, 16), (lo, 16)] {
        for n in (0..nibbles).rev() {
            if matches!(at, 8 | 13 | 18 | 23) {
                out[at] = b'-';
                at += 1;
            }
            out[at] = HEX[((word >> (n * 4)) & 0xF) as usize];
            at += 1;
        }
    }
    String::from_utf8(out.to_vec()).unwrap_or_default()
}

/// A GUID from hashed parts.
pub fn guid_of(parts: &[u64]) -> String {
    let h = hash(parts);
    guid(h, mix(h ^ 0xA5A5_A5A5))
}

/// GUIDs whose string order equals index order: the first 32 bits spread the indexes evenly
/// over the space (plus jitter smaller than the spacing), the rest is hash noise. Lists ordered
/// by ID can therefore seek by arithmetic instead of sorting.
pub fn spread_guid(index: u64, n: u64, salt: u64) -> String {
    let n = n.max(1);
    let base = ((u128::from(index) << 32) / u128::from(n)) as u64;
    let next = (((u128::from(index) + 1) << 32) / u128::from(n)) as u64;
    let h = hash(&[salt, index]);
    let prefix = base + h % (next - base).max(1);
    let hi = (prefix << 32) | (mix(h) & 0xFFFF_FFFF);
    guid(hi, mix(h ^ 0x5EED))
}

/// Inverse of [`spread_guid`]: the index whose GUID equals `id`, if any.
pub fn spread_index(id: &str, n: u64, salt: u64) -> Option<u64> {
    let est = spread_lower_bound(id, n, salt);
    [est.saturating_sub(1), est]
        .into_iter()
        .find(|&i| i < n && spread_guid(i, n, salt) == id)
}

/// The first index whose spread GUID sorts after-or-equal `id`.
pub fn spread_lower_bound(id: &str, n: u64, salt: u64) -> u64 {
    let prefix = id
        .get(0..8)
        .and_then(|p| u64::from_str_radix(p, 16).ok())
        .unwrap_or(0);
    let mut i = ((u128::from(prefix) * u128::from(n)) >> 32) as u64;
    i = i.saturating_sub(1);
    while i < n && spread_guid(i, n, salt).as_str() < id {
        i += 1;
    }
    i
}

/// A keyed bijection on `0..n` (Feistel network with cycle walking), used to order base rows
/// by timestamp differently from their ID order while both stay seekable.
#[derive(Debug, Clone, Copy)]
pub struct Permutation {
    n: u64,
    half_bits: u32,
    key: u64,
}

impl Permutation {
    pub fn new(n: u64, key: u64) -> Permutation {
        let bits = 64 - n.max(2).saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        Permutation { n, half_bits, key }
    }

    fn round(&self, x: u64, r: u64) -> u64 {
        hash(&[self.key, r, x]) & ((1 << self.half_bits) - 1)
    }

    fn encrypt_once(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut l, mut r) = (x >> self.half_bits, x & mask);
        for round in 0..4 {
            let next = l ^ self.round(r, round);
            l = r;
            r = next;
        }
        (l << self.half_bits) | r
    }

    fn decrypt_once(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut l, mut r) = (x >> self.half_bits, x & mask);
        for round in (0..4).rev() {
            let prev = r ^ self.round(l, round);
            r = l;
            l = prev;
        }
        (l << self.half_bits) | r
    }

    /// Position of `x` in the permuted order.
    pub fn forward(&self, x: u64) -> u64 {
        let mut y = self.encrypt_once(x);
        while y >= self.n {
            y = self.encrypt_once(y);
        }
        y
    }

    /// The element at position `y`.
    pub fn backward(&self, y: u64) -> u64 {
        let mut x = self.decrypt_once(y);
        while x >= self.n {
            x = self.decrypt_once(x);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_format_like_the_format_string() {
        for (hi, lo) in [
            (0, 0),
            (u64::MAX, u64::MAX),
            (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210),
        ]
        .into_iter()
        .chain((0..200).map(|i| (hash(&[i]), mix(i))))
        {
            let (h, l) = (
                (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000,
                (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000,
            );
            let expected = format!(
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                h >> 32,
                (h >> 16) & 0xFFFF,
                h & 0xFFFF,
                l >> 48,
                l & 0xFFFF_FFFF_FFFF
            );
            assert_eq!(guid(hi, lo), expected);
        }
    }

    #[test]
    fn spread_guids_sort_in_index_order_and_invert() {
        let n = 1000;
        let ids: Vec<String> = (0..n).map(|i| spread_guid(i, n, 7)).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "spread GUIDs must ascend with the index"
        );
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(spread_index(id, n, 7), Some(i as u64));
            assert_eq!(spread_lower_bound(id, n, 7), i as u64);
        }
        assert_eq!(spread_index(&guid_of(&[1]), n, 7), None);
    }

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 10, 1000, 4097] {
            let p = Permutation::new(n, 99);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.forward(x);
                assert!(y < n);
                assert!(!seen[y as usize], "two elements mapped to {y}");
                seen[y as usize] = true;
                assert_eq!(p.backward(y), x);
            }
        }
    }
}
