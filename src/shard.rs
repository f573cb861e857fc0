//! `scan --shard K/N`: a stable partition of the models by id, so N machines can each report on
//! one part of the same scan and `modelgate merge` can put the parts back together.
//!
//! A model belongs to part `K` when the FNV-1a 64-bit hash of its lower-cased id, modulo `N`, is
//! `K - 1`. The hash is fixed (not Rust's randomised one), so every machine, version and run
//! agrees on the partition; records that share an id (two cache revisions, the cache and the Hub)
//! land in the same part.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// One part of a partition: part `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which part, from 1.
    pub index: u32,
    /// How many parts.
    pub count: u32,
}

impl Shard {
    /// Whether the model (or dataset) with this id belongs to this part.
    pub fn contains(&self, id: &str) -> bool {
        fnv1a(id) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// FNV-1a, 64 bits, over the ASCII-lower-cased bytes.
fn fnv1a(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 ≤ K ≤ N, e.g. 2/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_every_id_once() {
        let ids: Vec<String> = (0..1000).map(|i| format!("org-{}/model-{i}", i % 7)).collect();
        let parts: Vec<Shard> = (1..=4).map(|k| Shard { index: k, count: 4 }).collect();
        for id in &ids {
            assert_eq!(parts.iter().filter(|p| p.contains(id)).count(), 1, "{id}");
        }
        // Every part gets a share.
        for p in &parts {
            let n = ids.iter().filter(|id| p.contains(id)).count();
            assert!((150..350).contains(&n), "{p}: {n}");
        }
        assert!(Shard { index: 1, count: 1 }.contains("anything"));
    }

    #[test]
    fn the_partition_is_fixed_and_ignores_case() {
        // Pinned: a change of hash would split old and new shard reports differently.
        assert_eq!(fnv1a("meta-llama/Llama-3.1-8B"), fnv1a("META-LLAMA/llama-3.1-8b"));
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn parses_k_of_n() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
