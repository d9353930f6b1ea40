//! Writing files atomically: into the vault never over a file that exists, and upward's own
//! files (the output's manifest, the note cache) without waiting for the disk.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Creates `path` with `contents`, its folders as needed. The file appears whole or not at
/// all (written beside it, then linked into place), and an existing file is never replaced:
/// then the result is [`Error::Exists`] and nothing changed.
pub fn create_new(path: &Path, contents: &[u8]) -> Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if path.exists() || path.is_symlink() {
        return Err(Error::Exists {
            path: path.to_path_buf(),
        });
    }
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let mut temp = beside(parent)?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    temp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::Exists {
                path: path.to_path_buf(),
            }
        } else {
            Error::io(path, e.error)
        }
    })?;
    Ok(())
}

/// A new file in `folder`, to be renamed into place once written. It has the usual mode of a
/// new file (0666 less the umask), not a temporary file's 0600: a note is the user's own
/// file, and a web server must be able to read a page.
pub fn beside(folder: &Path) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".upward-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
        .tempfile_in(folder)
        .map_err(|e| Error::io(folder, e))
}

/// Puts `temp` where `path` is in one step, as a rename does, but without the flush of the new
/// file's data that ext4 starts when a rename replaces a file (milliseconds for a small file,
/// tens for a large one): where the system can (Linux), the two files are swapped and the old
/// one, left at the temporary name, is removed. For files upward makes and can make again (the
/// output's manifest, the note cache); a note goes through [`replace`], which has its bytes on
/// disk first.
pub fn swap_into_place(temp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    if exchange(temp.path(), path) {
        // The temporary file now holds the old one: removed as it is closed.
        return temp.close();
    }
    temp.persist(path).map(drop).map_err(|e| e.error)
}

/// Swaps two files in one step, where the system can (Linux).
fn exchange(a: &Path, b: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (Ok(a), Ok(b)) = (
            std::ffi::CString::new(a.as_os_str().as_bytes()),
            std::ffi::CString::new(b.as_os_str().as_bytes()),
        ) else {
            return false;
        };
        // SAFETY: two valid NUL-terminated paths; the call reads them and changes no memory.
        unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            ) == 0
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        false
    }
}

/// Replaces the contents of an existing file atomically: the new bytes are written beside it
/// and renamed over it, so a reader sees the old file or the new one, never half of one. The
/// file keeps its permissions.
pub fn replace(path: &Path, contents: &[u8]) -> Result<()> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".upward-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().set_permissions(metadata.permissions()))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_replaces_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.md");
        create_new(&path, b"first").unwrap();
        let error = create_new(&path, b"second").unwrap_err();
        assert!(matches!(error, Error::Exists { .. }));
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["b.md"], "no temporary file is left behind");
    }
}
