//! Attachments the user opens. The file is copied into the data folder's `opened/` under a safe
//! name, marked there as downloaded from the internet, and handed to the system's viewer only
//! when its name and its content agree on a document type that does not run
//! (`offline_assets::open_policy`); anything else is shown in its folder, or opened after the
//! user has read what it really is.

use std::path::Path;

/// Marks `path` as downloaded from the internet, as a browser would, so that the system asks
/// before it runs or opens it with rights: the `Zone.Identifier` stream on Windows (SmartScreen,
/// Office's Protected View) and the `com.apple.quarantine` attribute on macOS (Gatekeeper).
/// Linux desktops have no such mark that their file managers or viewers honour.
pub fn mark_downloaded(path: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        let mut stream = path.as_os_str().to_owned();
        stream.push(":Zone.Identifier");
        // Zone 3 is "Internet".
        std::fs::write(
            std::path::PathBuf::from(stream),
            "[ZoneTransfer]\r\nZoneId=3\r\n",
        )
    }
    #[cfg(target_os = "macos")]
    {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // Flags 0081: downloaded, not yet approved by the user; then time, agent, no event id.
        let value = format!("0081;{seconds:08x};Exact Offline;");
        xattr::set(path, "com.apple.quarantine", value.as_bytes())
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        let _ = path;
        Ok(())
    }
}

/// Removes the copies the user opened (with the other downloaded files, on *Clear downloaded
/// files*); a folder that is not there is already clear.
pub fn clear(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_removes_every_opened_copy() {
        let data = tempfile::tempdir().unwrap();
        let opened = data.path().join("opened");
        std::fs::create_dir_all(&opened).unwrap();
        std::fs::write(opened.join("Factuur.pdf"), b"%PDF-1.7").unwrap();
        mark_downloaded(&opened.join("Factuur.pdf")).unwrap();
        clear(&opened).unwrap();
        assert!(!opened.exists(), "opened copies stay after clearing");
        clear(&opened).expect("clearing twice is fine");
    }
}
