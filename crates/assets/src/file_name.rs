//! Safe file names for attachments saved or opened on the user's disk.
//!
//! Invariants:
//! - [`safe_file_name`] returns one path component that is valid on Windows, macOS and Linux — no
//!   separators, no `..`, no control characters, no reserved device names, no trailing dots or
//!   spaces, at most [`MAX_NAME_BYTES`] bytes — and never an empty string;
//! - neither it nor [`display_file_name`] lets an invisible character through (Unicode format
//!   characters such as the right-to-left override, zero-width joiners, the byte-order mark, and
//!   the other default-ignorable code points), and every kind of space or line break becomes one
//!   plain space: `Factuur\u{202E}fdp.exe` would otherwise *show* as "Factuurexe.pdf", and a run of
//!   wide spaces could push the real extension out of sight. What is shown is what is stored.

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
    let clean: String = visible(last)
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let mut clean = collapse_spaces(&clean)
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

/// A name Exact sent, cleaned for showing (a window title, a list, a dialog): the same invisible
/// characters are dropped and spaces collapsed as in [`safe_file_name`], but separators, reserved
/// names and the length are left alone, since nothing is written under this name. Empty when the
/// name has nothing visible.
pub fn display_file_name(name: &str) -> String {
    collapse_spaces(&visible(name).collect::<String>())
        .trim()
        .to_owned()
}

/// The characters of `text` that show, with every control character, space and line break
/// turned into a plain space.
fn visible(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|c| !is_invisible(*c)).map(|c| {
        if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        }
    })
}

/// Invisible code points, as ranges: Unicode general category Cf (format characters: bidi
/// controls, zero-width space and joiners, word joiner, invisible operators, the byte-order mark,
/// soft hyphen, interlinear annotation, prepended number signs, tags) plus the rest of
/// `Default_Ignorable_Code_Point` (combining grapheme joiner, Hangul fillers, variation
/// selectors, reserved ignorables), from the Unicode 16 character database. Written out because
/// no crate of ours carries Unicode properties; Unicode reserves the ignorable ranges ahead, so
/// a format character added later most likely falls in one already listed.
const INVISIBLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),   // soft hyphen
    (0x034F, 0x034F),   // combining grapheme joiner
    (0x0600, 0x0605),   // Arabic number signs
    (0x061C, 0x061C),   // Arabic letter mark
    (0x06DD, 0x06DD),   // Arabic end of ayah
    (0x070F, 0x070F),   // Syriac abbreviation mark
    (0x0890, 0x0891),   // Arabic pound/piastre mark above
    (0x08E2, 0x08E2),   // Arabic disputed end of ayah
    (0x115F, 0x1160),   // Hangul choseong/jungseong fillers
    (0x17B4, 0x17B5),   // Khmer inherent vowels
    (0x180B, 0x180F),   // Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),   // zero-width space, ZWNJ, ZWJ, LRM, RLM
    (0x202A, 0x202E),   // bidi embeddings and overrides
    (0x2060, 0x206F),   // word joiner, invisible operators, bidi isolates, deprecated formats
    (0x3164, 0x3164),   // Hangul filler
    (0xFE00, 0xFE0F),   // variation selectors
    (0xFEFF, 0xFEFF),   // byte-order mark / zero-width no-break space
    (0xFFA0, 0xFFA0),   // halfwidth Hangul filler
    (0xFFF0, 0xFFFB),   // reserved ignorables, interlinear annotation
    (0x110BD, 0x110BD), // Kaithi number sign
    (0x110CD, 0x110CD), // Kaithi number sign above
    (0x13430, 0x1343F), // Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3), // shorthand format controls
    (0x1D173, 0x1D17A), // musical symbol beam, tie, slur and phrase controls
    (0xE0000, 0xE0FFF), // tags (U+E0001, U+E0020–U+E007F) and variation selectors supplement
];

/// Whether `c` is a character that shows nothing (Unicode format characters such as bidi
/// overrides and zero-width ones, and the other default-ignorables): text holding one can read
/// as other text.
pub fn is_invisible(c: char) -> bool {
    let c = u32::from(c);
    INVISIBLE
        .iter()
        .any(|(first, last)| (*first..=*last).contains(&c))
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
            !name.chars().any(|c| c.is_control() || is_invisible(c)),
            "{name:?} has control or invisible chars"
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
    fn invisible_characters_never_reach_a_stored_or_shown_name() {
        // The right-to-left override makes "Factuur\u{202E}fdp.exe" read "Factuurexe.pdf".
        let disguised = "Factuur\u{202E}fdp.exe";
        for shown in [safe_file_name(disguised), display_file_name(disguised)] {
            assert_eq!(shown, "Factuurfdp.exe", "the override is dropped");
            assert!(
                shown.ends_with(".exe"),
                "{shown:?} must show its real extension last"
            );
        }
        let cases = [
            ("fac\u{200D}tuur\u{200B}.pdf", "factuur.pdf"), // zero-width joiner and space
            ("\u{FEFF}offerte.pdf\u{FEFF}", "offerte.pdf"), // byte-order marks
            ("a\u{2066}b\u{2069}c\u{061C}.txt\u{00AD}", "abc.txt"), // isolates, ALM, soft hyphen
            ("x\u{E0001}\u{E0041}\u{E007F}.pdf", "x.pdf"),  // tag characters
            (
                "rapport.pdf\u{2003}\u{2003}\u{3000}.exe",
                "rapport.pdf .exe",
            ), // wide spaces
            ("regel\u{2028}twee.txt", "regel twee.txt"),    // a line separator
        ];
        for (input, expected) in cases {
            assert_eq!(safe_file_name(input), expected, "stored name of {input:?}");
            assert_eq!(
                display_file_name(input),
                expected,
                "shown name of {input:?}"
            );
        }
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| is_invisible(*c))
        {
            let name = format!("a{c}b.pdf");
            assert_eq!(
                safe_file_name(&name),
                "ab.pdf",
                "U+{:04X} is dropped",
                u32::from(c)
            );
        }
    }

    #[test]
    fn shown_names_keep_their_path_and_only_lose_what_does_not_show() {
        assert_eq!(display_file_name("../map/CON.txt"), "../map/CON.txt");
        assert_eq!(display_file_name("  naam\t\r\n  .pdf "), "naam .pdf");
        assert_eq!(display_file_name("\u{200B}\u{FEFF}"), "", "nothing visible");
        assert_eq!(display_file_name("ü€😀 ❤ 名前.jpg"), "ü€😀 ❤ 名前.jpg");
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
