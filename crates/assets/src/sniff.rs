//! What a file really is, from its first bytes: the content half of [`crate::open_policy`].
//!
//! Invariants: only the first [`SNIFF_BYTES`] bytes are read; a signature that only a binary file
//! can have (a NUL in a header) is required where a short signature could also start a text
//! (`MZ`, `BM`), so a CSV beginning with "BMW" stays text; programs and markup are recognised
//! before text, so a web page is never "plain text".

/// How many leading bytes decide what a file is.
pub const SNIFF_BYTES: usize = 512;

/// A file's content as sniffed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    Empty,
    Pdf,
    /// A raster picture; the name of its format.
    Picture(&'static str),
    Zip(ZipKind),
    /// An OLE compound file: Office 97–2003 documents, Windows installers, Outlook messages.
    Ole,
    Rtf,
    WindowsProgram,
    LinuxProgram,
    MacProgram,
    /// `CA FE BA BE`: a Java class or a universal macOS program.
    JavaOrMacProgram,
    Script,
    WindowsShortcut,
    WebAssembly,
    /// gzip, 7-Zip, RAR, xz, bzip2, cabinet: its name.
    Archive(&'static str),
    WebPage,
    Svg,
    Xml,
    Text,
    Unknown,
}

/// What a ZIP's first entry says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ZipKind {
    /// Word, Excel or PowerPoint 2007+ (`[Content_Types].xml`, `word/`, `xl/`, `ppt/`, ...).
    Office,
    /// A stored `mimetype` entry naming `application/vnd.oasis.opendocument.*` (ODF 1.2 §3.3).
    OpenDocument,
    /// `META-INF/` or a `.class` first: a Java program (JAR) or another signed package.
    Java,
    Other,
}

impl Content {
    /// The content in words, for a confirmation ("... is really a Windows program").
    pub(crate) fn describe(self) -> String {
        let words = match self {
            Content::Empty => "an empty file",
            Content::Pdf => "a PDF document",
            Content::Picture(format) => return format!("a {format} picture"),
            Content::Zip(ZipKind::Office) => "an Office document",
            Content::Zip(ZipKind::OpenDocument) => "an OpenDocument file",
            Content::Zip(ZipKind::Java) => "a Java program",
            Content::Zip(ZipKind::Other) => "a ZIP archive",
            Content::Ole => "an older Office document or a Windows installer",
            Content::Rtf => "a Rich Text document",
            Content::WindowsProgram => "a Windows program",
            Content::LinuxProgram => "a Linux program",
            Content::MacProgram => "a macOS program",
            Content::JavaOrMacProgram => "a Java or macOS program",
            Content::Script => "a script",
            Content::WindowsShortcut => "a Windows shortcut",
            Content::WebAssembly => "a WebAssembly program",
            Content::Archive(kind) => return format!("a {kind} archive"),
            Content::WebPage => "a web page",
            Content::Svg => "an SVG drawing",
            Content::Xml => "an XML document",
            Content::Text => "plain text",
            Content::Unknown => "unknown content",
        };
        words.to_owned()
    }
}

/// Fixed signatures at offset 0 that no text file starts with.
const MAGIC: &[(&[u8], Content)] = &[
    (b"%PDF-", Content::Pdf),
    (b"\x89PNG\r\n\x1a\n", Content::Picture("PNG")),
    (b"\xFF\xD8\xFF", Content::Picture("JPEG")),
    (b"GIF87a", Content::Picture("GIF")),
    (b"GIF89a", Content::Picture("GIF")),
    (b"II*\0", Content::Picture("TIFF")),
    (b"MM\0*", Content::Picture("TIFF")),
    (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Content::Ole),
    (b"{\\rtf", Content::Rtf),
    (b"\x7FELF", Content::LinuxProgram),
    (b"\xFE\xED\xFA\xCE", Content::MacProgram),
    (b"\xFE\xED\xFA\xCF", Content::MacProgram),
    (b"\xCE\xFA\xED\xFE", Content::MacProgram),
    (b"\xCF\xFA\xED\xFE", Content::MacProgram),
    (b"\xCA\xFE\xBA\xBE", Content::JavaOrMacProgram),
    (b"#!", Content::Script),
    (
        b"\x4C\0\0\0\x01\x14\x02\0\0\0\0\0\xC0\0\0\0\0\0\0\x46",
        Content::WindowsShortcut,
    ),
    (b"\0asm", Content::WebAssembly),
    (b"\x1F\x8B", Content::Archive("gzip")),
    (b"7z\xBC\xAF\x27\x1C", Content::Archive("7-Zip")),
    (b"Rar!\x1A\x07", Content::Archive("RAR")),
    (b"\xFD7zXZ\0", Content::Archive("xz")),
    (b"MSCF\0\0\0\0", Content::Archive("cabinet")),
];

/// What `head` (a file's first bytes; more than [`SNIFF_BYTES`] are ignored) is.
pub(crate) fn sniff(head: &[u8]) -> Content {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if head.is_empty() {
        return Content::Empty;
    }
    if let Some((_, content)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return *content;
    }
    let has_nul = head.contains(&0);
    if head.starts_with(b"MZ") && has_nul {
        return Content::WindowsProgram;
    }
    // BMP: "BM", the file size, then two reserved 16-bit words that are zero.
    if head.starts_with(b"BM") && head.get(6..10) == Some(&[0, 0, 0, 0]) {
        return Content::Picture("BMP");
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Content::Picture("WebP");
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Content::Zip(zip_kind(head));
    }
    if let Some(markup) = markup(head) {
        return markup;
    }
    if is_text(head) {
        Content::Text
    } else {
        Content::Unknown
    }
}

/// Reads the first local file header: name length at 26, extra length at 28, name at 30.
fn zip_kind(head: &[u8]) -> ZipKind {
    let field = |at: usize| {
        head.get(at..at + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let (Some(name_len), Some(extra_len)) = (field(26), field(28)) else {
        return ZipKind::Other;
    };
    let Some(name) = head.get(30..30 + name_len) else {
        return ZipKind::Other;
    };
    if name == b"mimetype" {
        let data = head.get(30 + name_len + extra_len..).unwrap_or_default();
        if data.starts_with(b"application/vnd.oasis.opendocument.") {
            return ZipKind::OpenDocument;
        }
        return ZipKind::Other;
    }
    const OFFICE: [&[u8]; 7] = [
        b"[Content_Types].xml",
        b"_rels/",
        b"docProps/",
        b"word/",
        b"xl/",
        b"ppt/",
        b"customXml/",
    ];
    if OFFICE.iter().any(|prefix| name.starts_with(prefix)) {
        ZipKind::Office
    } else if name.starts_with(b"META-INF/") || name.ends_with(b".class") {
        ZipKind::Java
    } else {
        ZipKind::Other
    }
}

/// Web pages, SVG and XML: text that starts with a tag (after a byte-order mark or spaces).
fn markup(head: &[u8]) -> Option<Content> {
    let start = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = start.trim_ascii_start();
    if !start.starts_with(b"<") {
        return None;
    }
    let lower = start.to_ascii_lowercase();
    let has = |tag: &[u8]| lower.windows(tag.len()).any(|w| w == tag);
    Some(if has(b"<svg") {
        Content::Svg
    } else if [
        &b"<!doctype html"[..],
        b"<html",
        b"<head",
        b"<body",
        b"<script",
        b"<iframe",
        b"<meta",
    ]
    .iter()
    .any(|tag| has(tag))
    {
        Content::WebPage
    } else {
        Content::Xml
    })
}

/// Plain text: UTF-16 with a byte-order mark, or UTF-8 or a legacy 8-bit encoding (Windows-1252
/// CSVs from Excel) without NUL; in every case at most 1 % other control characters.
fn is_text(head: &[u8]) -> bool {
    let units = |bytes: &[u8], from: fn([u8; 2]) -> u16| -> Vec<u16> {
        bytes
            .chunks_exact(2)
            .map(|pair| from([pair[0], pair[1]]))
            .collect()
    };
    let utf16 = if let Some(rest) = head.strip_prefix(b"\xFF\xFE") {
        Some(units(rest, u16::from_le_bytes))
    } else {
        head.strip_prefix(b"\xFE\xFF")
            .map(|rest| units(rest, u16::from_be_bytes))
    };
    let stray = |c: u32| c < 0x20 && !matches!(c, 0x09 | 0x0A | 0x0C | 0x0D | 0x1A) || c == 0x7F;
    if let Some(units) = utf16 {
        let mut chars = Vec::with_capacity(units.len());
        for (i, c) in char::decode_utf16(units.iter().copied()).enumerate() {
            match c {
                Ok(c) => chars.push(u32::from(c)),
                // The head may end between the two halves of a surrogate pair.
                Err(_) if i + 1 == units.len() => {}
                Err(_) => return false,
            }
        }
        let odd = chars.iter().filter(|c| stray(**c)).count();
        return !chars.contains(&0) && odd * 100 <= chars.len().max(1);
    }
    if head.contains(&0) {
        return false;
    }
    let odd = head.iter().filter(|b| stray(u32::from(**b))).count();
    odd * 100 <= head.len()
}
