//! `--hash`: the SHA-256 of whole weight files, for the hashes CycloneDX and SPDX carry. The
//! only place modelgate reads weight files past their headers: each file is streamed through a
//! fixed buffer (memory stays at one buffer per worker thread, whatever the file's size), files
//! in parallel.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{self, Read},
    path::{Path, PathBuf},
};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// Bytes read at a time.
const BUFFER: usize = 1 << 20;

/// The SHA-256 of a whole file, lower-case hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; BUFFER];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(buffer.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// Hashes every file (report path → where to open it), in parallel; each path maps to its hash
/// or to why it could not be read.
pub fn sha256_all(files: &BTreeMap<String, PathBuf>) -> BTreeMap<String, Result<String, String>> {
    files.par_iter().map(|(rel, path)| (rel.clone(), sha256_file(path).map_err(|e| e.to_string()))).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_the_known_vectors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(sha256_file(&empty).unwrap(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // Longer than one buffer, so the streaming loop runs more than once.
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; BUFFER + 3]).unwrap();
        let whole = hex(&Sha256::digest(vec![b'a'; BUFFER + 3]));
        assert_eq!(sha256_file(&big).unwrap(), whole);
        let files = BTreeMap::from([("x".to_string(), dir.path().join("missing"))]);
        assert!(sha256_all(&files)["x"].is_err());
    }
}
