//! Scale-out: `--shard K/N` splits one tree between N machines.
//!
//! Owns which files belong to a shard: a file is in shard K when a stable
//! hash (BLAKE3, never `std`'s per-process random hasher) of its path
//! relative to the walk root, `/`-separated, falls in bucket K − 1 of N.
//! Every machine decides alone, with no coordination and no list of files,
//! and the N shards are disjoint and together cover the tree, whatever
//! the order or timing of the walk. Relative paths make the split the same
//! where the tree is mounted at different places. The walker applies it
//! (see `walk`); `piiscan merge` joins the shards' reports.

use std::path::{Component, Path};
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 ≤ K ≤ N (a Kubernetes Indexed Job passes
    /// `$((JOB_COMPLETION_INDEX + 1))/N`).
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s:?}: expected K/N with 1 <= K <= N, e.g. 2/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the file with this key (see [`key`]) is in this shard.
    pub fn contains(&self, key: &str) -> bool {
        bucket(key, self.count) == self.index - 1
    }

    /// Standard input is not split: shard 1 reads it.
    pub fn takes_stdin(&self) -> bool {
        self.index == 1
    }
}

/// The bucket (0..n) of a key.
pub fn bucket(key: &str, n: u64) -> u64 {
    let h = blake3::hash(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&h.as_bytes()[..8]);
    u64::from_le_bytes(first) % n.max(1)
}

/// The key of a walked path at `depth` below its root: its last `depth`
/// components joined with `/`. A root that is itself a file (depth 0) is
/// keyed by its file name.
pub fn key(path: &Path, depth: usize) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let take = depth.max(1).min(parts.len());
    parts[parts.len() - take..].join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_relative_to_the_root() {
        assert_eq!(key(Path::new("/srv/data/a/b.txt"), 2), "a/b.txt");
        assert_eq!(key(Path::new("./data/a/b.txt"), 2), "a/b.txt");
        assert_eq!(key(Path::new("/mnt/x/data/a/b.txt"), 2), "a/b.txt");
        assert_eq!(key(Path::new("b.txt"), 0), "b.txt");
        assert_eq!(key(Path::new("/srv/b.txt"), 0), "b.txt");
    }

    #[test]
    fn shards_partition_and_are_stable() {
        let n = 4;
        let shards: Vec<Shard> = (1..=n).map(|k| Shard { index: k, count: n }).collect();
        let mut sizes = vec![0; n as usize];
        for i in 0..4000 {
            let k = format!("dir{}/file{i}.txt", i % 17);
            let owners: Vec<usize> = (0..n as usize)
                .filter(|&s| shards[s].contains(&k))
                .collect();
            assert_eq!(owners.len(), 1, "{k}");
            sizes[owners[0]] += 1;
        }
        // Roughly even.
        assert!(sizes.iter().all(|&s| (800..1200).contains(&s)), "{sizes:?}");
        // Pinned: the split must not change between versions or machines.
        assert_eq!(bucket("a/b.txt", 1000), bucket("a/b.txt", 1000));
        assert_eq!(
            bucket("a/b.txt", u64::MAX),
            u64::from_le_bytes(blake3::hash(b"a/b.txt").as_bytes()[..8].try_into().unwrap())
                % u64::MAX
        );
    }
}
