//! Safe file names for attachments saved or opened on the user's disk.
//!
//! Invariant: [`safe_file_name`] returns one path component that is valid on Windows, macOS and
//! Linux — no separators, no `..`, no control characters, no reserved device names, no trailing
//! dots or spaces, at most [`MAX_NAME_BYTES`] bytes — and never an empty string.

/// Longest name produced, in UTF-8 bytes (well under every file system's 255).
pub const MAX_NAME_BYTES: usize = 150;

const FALLBACK: &str = "attachment";
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A name Exact sent (hostile or not) turned into one safe path component, keeping the
/// extension where possible.
pub fn safe_file_name(name: &str) -> String {
    // Only the last component counts: "../../x.pdf" and "..\\..\\win.ini" name x.pdf / win.ini.
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut clean: String = last
        .chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    clean = collapse_spaces(&clean);
    let mut clean = clean
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_owned();
    if is_reserved(&clean) {
        clean.insert(0, '_');
    }
    let clean = cap_length(&clean);
    let clean = clean.trim_end_matches(['.', ' ']);
    if clean.is_empty() {
        FALLBACK.to_owned()
    } else {
        clean.to_owned()
    }
}

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

/// `CON`, `con.txt`, `Com1.tar.gz`: Windows treats the stem before the first dot as the device.
fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").trim_end();
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem))
}

/// Cuts on a char boundary, keeping a short extension when there is one.
fn cap_length(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_owned();
    }
    let ext = name
        .rfind('.')
        .map(|i| &name[i..])
        .filter(|e| e.len() <= 16 && e.len() > 1);
    let ext = ext.unwrap_or("");
    let stem_len = name.len() - ext.len();
    let budget = MAX_NAME_BYTES - ext.len();
    let mut cut = budget.min(stem_len);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", name[..cut].trim_end_matches(['.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_safe(name: &str) {
        assert!(!name.is_empty());
        assert!(name.len() <= MAX_NAME_BYTES, "{name:?} is too long");
        assert!(!name.contains(['/', '\\']), "{name:?} has a separator");
        assert!(
            !name.chars().any(char::is_control),
            "{name:?} has control chars"
        );
        assert!(name != "." && name != "..");
        assert!(
            !name.ends_with(['.', ' ']),
            "{name:?} ends with a dot or space"
        );
        assert!(!is_reserved(name), "{name:?} is a device name");
    }

    #[test]
    fn hostile_names_become_one_safe_component() {
        let long = format!("{}.pdf", "lange_bestandsnaam_".repeat(16));
        let cases = [
            ("../../x", "x"),
            ("../../etc/passwd.pdf", "passwd.pdf"),
            ("..\\..\\Windows\\win.ini.txt", "win.ini.txt"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("COM1.tar.gz", "_COM1.tar.gz"),
            ("rapport\u{7}\u{1b}[31m\r\n.pdf", "rapport [31m .pdf"),
            ("..", "attachment"),
            ("", "attachment"),
            ("   ...  ", "attachment"),
            ("name. . .", "name"),
            (
                "<img src=x onerror=alert(1)>.png",
                "_img src=x onerror=alert(1)_.png",
            ),
            ("factuur 2024 (2).pdf", "factuur 2024 (2).pdf"),
        ];
        for (input, expected) in cases {
            let out = safe_file_name(input);
            assert_eq!(out, expected, "for {input:?}");
            assert_safe(&out);
        }
        let out = safe_file_name(&long);
        assert_safe(&out);
        assert!(
            out.ends_with(".pdf"),
            "the extension survives the cut: {out}"
        );
    }

    #[test]
    fn multibyte_names_are_cut_on_a_char_boundary() {
        let name = format!("{}.jpg", "ü€😀".repeat(60));
        let out = safe_file_name(&name);
        assert_safe(&out);
        assert!(out.ends_with(".jpg"));
        let no_ext = "é".repeat(300);
        assert_safe(&safe_file_name(&no_ext));
    }

    #[test]
    fn every_byte_pattern_is_safe() {
        // A cheap exhaustive-ish sweep instead of a property test: all short ASCII pairs.
        for a in 0u8..128 {
            for b in 0u8..128 {
                let name = format!("{}{}", a as char, b as char);
                assert_safe(&safe_file_name(&name));
            }
        }
    }
}
