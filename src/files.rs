//! Opening files of the scanned input: regular files only, never blocking, never more than a
//! bound read.
//!
//! A pull request can put a FIFO where `README.md` or `model.safetensors` is expected, a
//! device, a socket, or a link to `/dev/zero`. Opening a FIFO for reading blocks until a writer
//! comes, and reading a device may never end. So the file type is checked before the file is
//! opened (through a link, the type of its target), the file is opened with `O_NONBLOCK` and
//! `O_NOCTTY` (and `O_NOFOLLOW` when the path was not a link: a file swapped for a link between
//! the check and the open is refused), and the type is checked again on the opened file. A file
//! the walk has just listed as regular skips the first check (see [`Seen::RegularFile`]).
//! Whoever walked to the path has already decided whether a link may be followed (the walk and
//! the stores only hand out links that stay inside their root).

use std::{
    fs::{self, File, Metadata},
    io::{self, Read},
    path::Path,
};

/// What kind of non-regular file a path is, for messages.
pub fn kind_name(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
    }
    if t.is_file() { "a regular file" } else { "not a regular file" }
}

fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{}, not a regular file: not read", kind_name(meta)))
}

/// What is known about a path before it is opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Seen {
    /// Nothing: its type is checked before it is opened.
    #[default]
    Unchecked,
    /// A directory walk has just listed it as a regular file, not a link. The check before
    /// opening is skipped: it looks the path up again, which costs as much as the open (a third
    /// of the system calls of a 100,000-file scan). The open still refuses a link and never
    /// blocks, and the opened file's type is still checked, so a file swapped since the walk is
    /// refused unread. A device node swapped in is opened, though (what the first check
    /// avoids); putting one there between the walk and the read takes the right to make
    /// device nodes.
    RegularFile,
}

/// Opens a regular file for reading, refusing FIFOs, devices, sockets and directories without
/// ever blocking on them.
pub fn open_regular(path: &Path) -> io::Result<File> {
    open_seen(path, Seen::Unchecked).map(|(file, _)| file)
}

/// [`open_regular`] for a path the caller has `seen`, with the opened file's length.
pub fn open_seen(path: &Path, seen: Seen) -> io::Result<(File, u64)> {
    let no_follow = match seen {
        Seen::RegularFile => true,
        Seen::Unchecked => {
            let link = fs::symlink_metadata(path)?;
            let is_link = link.file_type().is_symlink();
            let meta = if is_link { fs::metadata(path)? } else { link };
            if !meta.is_file() {
                return Err(not_regular(&meta));
            }
            !is_link
        }
    };
    let file = open_nonblocking(path, no_follow)?;
    let opened = file.metadata()?;
    if !opened.is_file() {
        return Err(not_regular(&opened));
    }
    Ok((file, opened.len()))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path, no_follow: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if no_follow {
        flags |= libc::O_NOFOLLOW;
    }
    fs::OpenOptions::new().read(true).custom_flags(flags).open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path, _no_follow: bool) -> io::Result<File> {
    File::open(path)
}

/// Reads up to `limit` bytes of a regular file; says whether the file held more.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<(Vec<u8>, bool)> {
    read_seen(path, Seen::Unchecked, limit).map(|(bytes, cut)| (bytes, cut.is_some()))
}

/// [`read_bounded`] for a path the caller has `seen`; when the file held more than `limit`
/// bytes, its length.
pub fn read_seen(path: &Path, seen: Seen, limit: u64) -> io::Result<(Vec<u8>, Option<u64>)> {
    let (file, len) = open_seen(path, seen)?;
    read_rest(file, len, limit, Vec::new())
}

/// [`read_seen`], stopping after the first `head` bytes unless `wanted` says, from them, that
/// the file is worth reading whole: one open, where a look and then a read took two.
pub fn read_seen_if(
    path: &Path,
    seen: Seen,
    limit: u64,
    head: u64,
    wanted: impl FnOnce(&[u8]) -> bool,
) -> io::Result<Option<(Vec<u8>, Option<u64>)>> {
    let (mut file, len) = open_seen(path, seen)?;
    let mut start = Vec::new();
    (&mut file).take(head.min(limit)).read_to_end(&mut start)?;
    if !wanted(&start) {
        return Ok(None);
    }
    read_rest(file, len, limit, start).map(Some)
}

/// Reads the rest of `file` (`len` bytes long) after `bytes`, up to `limit` bytes in all; when
/// the file held more, also returns its length.
fn read_rest(file: File, len: u64, limit: u64, mut bytes: Vec<u8>) -> io::Result<(Vec<u8>, Option<u64>)> {
    // Sized from the file's length up front: growing the buffer by doubling copied each text
    // several times.
    let expected = usize::try_from(len.min(limit).saturating_add(1)).unwrap_or(0).min(1 << 26);
    bytes.reserve(expected.saturating_sub(bytes.len()));
    let left = limit.saturating_add(1).saturating_sub(bytes.len() as u64);
    file.take(left).read_to_end(&mut bytes)?;
    let cut = (bytes.len() as u64 > limit).then_some(len);
    bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((bytes, cut))
}

/// Reads a whole regular file as UTF-8 (a configuration, a pack, a baseline), refusing one
/// larger than `limit` bytes.
pub fn read_to_string_bounded(path: &Path, limit: u64) -> io::Result<String> {
    let (bytes, truncated) = read_bounded(path, limit)?;
    if truncated {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("larger than {limit} bytes: not read")));
    }
    String::from_utf8(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Largest configuration, pack, baseline or paths file read.
pub const MAX_SETTINGS_FILE: u64 = 64 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, b"hello world").unwrap();
        assert_eq!(read_bounded(&p, 5).unwrap(), (b"hello".to_vec(), true));
        assert_eq!(read_bounded(&p, 11).unwrap(), (b"hello world".to_vec(), false));
        assert!(read_to_string_bounded(&p, 5).is_err());
        assert_eq!(read_to_string_bounded(&p, 100).unwrap(), "hello world");
        let err = open_regular(dir.path()).unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
    }

    #[cfg(unix)]
    fn mkfifo(path: &Path) -> std::path::PathBuf {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        path.to_path_buf()
    }

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = mkfifo(&dir.path().join("README.md"));
        let err = open_regular(&fifo).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let link = dir.path().join("LICENSE");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = read_bounded(&link, 10).unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
        // A link to a regular file is read (the caller decided to follow it).
        let target = dir.path().join("t.txt");
        fs::write(&target, "x").unwrap();
        let link = dir.path().join("l.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read_bounded(&link, 10).unwrap().0, b"x");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_swapped_since_the_walk_is_refused_unread() {
        // The walk listed regular files; by the time they are opened unchecked, one is a FIFO
        // and one a link to a device. Neither blocks nor is read.
        let dir = tempfile::tempdir().unwrap();
        let fifo = mkfifo(&dir.path().join("README.md"));
        let err = read_seen(&fifo, Seen::RegularFile, 10).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let link = dir.path().join("LICENSE");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_seen(&link, Seen::RegularFile, 10).is_err());
        let file = dir.path().join("a.txt");
        fs::write(&file, b"hello world").unwrap();
        assert_eq!(read_seen(&file, Seen::RegularFile, 5).unwrap(), (b"hello".to_vec(), Some(11)));
        assert_eq!(read_seen(&file, Seen::RegularFile, 50).unwrap(), (b"hello world".to_vec(), None));
    }
}
