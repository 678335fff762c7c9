//! DocumentAttachments: file names (a few hostile ones), sizes, download URLs, and the file
//! bytes themselves — a valid PDF, JPEG, PNG, XML or text file padded to exactly `FileSize`.

use serde_json::Value;

use super::clock_dates::iso;
use super::documents;
use super::layout::Div;
use super::row::{Row, Sink, num, put, s};
use super::seeds::{Rng, hash};
use super::{Attachment, Entity, ImageSpec, Variant};

/// Document slot of an attachment.
pub fn document_of(div: &Div, k: u64) -> u64 {
    let (nd, na) = (div.counts.documents.max(1), div.counts.attachments);
    if k < na {
        k * nd / na
    } else {
        hash(&[div.seed, 0xA77, k]) % nd
    }
}

/// (file name, size in bytes).
pub fn file(div: &Div, k: u64) -> (String, usize) {
    let mut rng = Rng::new(&[div.seed, 0xF11E, k]);
    let size = 5 * 1024 + (rng.unit().powi(4) * 2.0 * 1024.0 * 1024.0) as usize;
    if rng.below(300) == 0 {
        let hostile = [
            "../../etc/passwd.pdf".to_string(),
            "CON.txt".to_string(),
            "rapport\u{7}\u{1b}[31m\r\n.pdf".to_string(),
            format!(
                "{}.pdf",
                "lange_bestandsnaam_"
                    .repeat(16)
                    .chars()
                    .take(296)
                    .collect::<String>()
            ),
            "<img src=x onerror=alert(1)>.png".to_string(),
            "..\\..\\Windows\\win.ini.txt".to_string(),
        ];
        return (rng.pick(&hostile).clone(), size);
    }
    let stem = documents::stem(div, document_of(div, k));
    let ext = match stem.split('_').next().unwrap_or("") {
        "foto" | "scan" => {
            if rng.below(2) == 0 {
                "jpg"
            } else {
                "png"
            }
        }
        "factuur" if rng.below(2) == 0 => "xml",
        "notitie" => "txt",
        _ => "pdf",
    };
    let name = if rng.below(5) == 0 {
        format!("{stem} (2).{ext}")
    } else {
        format!("{stem}.{ext}")
    };
    (name, size)
}

pub fn record(row: &Row, rec: &mut impl Sink) {
    let div = row.div;
    let (name, size) = file(div, row.slot);
    put(rec, "ID", s(row.id.clone()));
    put(rec, "Timestamp", Value::from(row.ts));
    put(
        rec,
        "Document",
        s(div.id(Entity::Documents, document_of(div, row.slot))),
    );
    put(rec, "FileName", s(name));
    put(rec, "FileSize", num(size as f64));
    put(
        rec,
        "Url",
        s(format!(
            "{}/docs/SysAttachment.aspx?ID={}&_Division_={}",
            div.base_url, row.id, div.code
        )),
    );
    let content = if row.variant == Variant::Regular {
        s(base64(&content(div, row.slot).bytes))
    } else {
        Value::Null
    };
    put(rec, "Attachment", content);
}

fn extension(name: &str) -> String {
    name.rsplit('.').next().unwrap_or("").to_ascii_lowercase()
}

/// The downloadable file of an attachment slot.
pub fn content(div: &Div, k: u64) -> Attachment {
    let (file_name, size) = file(div, k);
    let seed = hash(&[div.seed, 0xB17E, k]);
    let (bytes, content_type) = match extension(&file_name).as_str() {
        "jpg" | "png" => (
            picture(seed, extension(&file_name) == "png", size),
            if file_name.ends_with("png") {
                "image/png"
            } else {
                "image/jpeg"
            },
        ),
        "xml" => (
            padded_text(xml_body(&file_name, seed), size, "<!--", "-->"),
            "application/xml",
        ),
        "txt" => (
            padded_text(
                format!(
                    "Notitie {file_name}\r\nAangemaakt {}\r\n",
                    iso(div.origin_ms)
                ),
                size,
                "",
                "",
            ),
            "text/plain",
        ),
        _ => (pdf(&file_name, size), "application/pdf"),
    };
    Attachment {
        file_name,
        content_type,
        bytes,
    }
}

fn xml_body(name: &str, seed: u64) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">\n  <ID>{}</ID>\n  <Note>{}</Note>\n</Invoice>\n",
        seed % 1_000_000,
        name.replace('&', "&amp;").replace('<', "&lt;")
    )
}

/// Text padded with filler lines (inside `open`…`close` when given) to exactly `size` bytes.
fn padded_text(head: String, size: usize, open: &str, close: &str) -> Vec<u8> {
    let mut out = head.into_bytes();
    if out.len() + open.len() + close.len() + 1 < size {
        out.extend_from_slice(open.as_bytes());
        let filler = b"Lorem ipsum dolor sit amet, regel met opvulling voor een realistische bestandsgrootte.\n";
        while out.len() + close.len() < size {
            let take = (size - close.len() - out.len()).min(filler.len());
            out.extend_from_slice(&filler[..take]);
        }
        out.extend_from_slice(close.as_bytes());
    }
    out
}

/// A valid one-page PDF whose content stream is padded with comments to `size` bytes.
fn pdf(title: &str, size: usize) -> Vec<u8> {
    let text: String = title
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || " ._-".contains(*c))
        .take(60)
        .collect();
    let build = |pad: usize| -> Vec<u8> {
        let mut stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET\n");
        let mut left = pad;
        while left > 0 {
            let take = left.min(64);
            if take == 1 {
                stream.push('\n');
            } else {
                stream.push('%');
                stream.push_str(&"o".repeat(take - 2));
                stream.push('\n');
            }
            left -= take;
        }
        let objs = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
            format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        ];
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objs.len() + 1
            )
            .as_bytes(),
        );
        out
    };
    let mut pad = size.saturating_sub(build(0).len());
    let mut out = build(pad);
    for _ in 0..4 {
        if out.len() == size {
            break;
        }
        pad = (pad as i64 + size as i64 - out.len() as i64).max(0) as usize;
        out = build(pad);
    }
    out
}

/// A picture small enough for `size`, padded with comment data to exactly `size` bytes.
fn picture(seed: u64, png: bool, size: usize) -> Vec<u8> {
    let budget = (size.saturating_sub(4096) as f64 / 3.2).max(64.0);
    let w = (budget.sqrt() * 1.2).clamp(8.0, 2400.0) as u32;
    let h = ((budget / f64::from(w)) as u32).clamp(8, 1600);
    let spec = ImageSpec {
        seed,
        width: w,
        height: h,
        png,
        alpha: false,
    };
    let (mut bytes, _) = spec.encode(None);
    if bytes.len() + 12 > size {
        return bytes;
    }
    let mut pad = size - bytes.len();
    if png {
        // A private ancillary chunk before IEND (12 bytes: len, type, data, crc).
        let data = vec![b' '; pad - 12];
        let mut chunk = Vec::with_capacity(pad);
        chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut typed = b"prVt".to_vec();
        typed.extend_from_slice(&data);
        chunk.extend_from_slice(&typed);
        chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
        let at = bytes.len() - 12;
        bytes.splice(at..at, chunk);
    } else {
        // COM segments right after SOI (at most 65533 data bytes each, 4 header bytes).
        let mut segs = Vec::with_capacity(pad);
        while pad > 0 {
            let take = pad.min(65_537);
            let take = if pad - take > 0 && pad - take < 4 {
                take - 4
            } else {
                take
            };
            let data = take - 4;
            segs.extend_from_slice(&[0xFF, 0xFE]);
            segs.extend_from_slice(&((data + 2) as u16).to_be_bytes());
            segs.extend(std::iter::repeat_n(b' ', data));
            pad -= take;
        }
        bytes.splice(2..2, segs);
    }
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_files_have_exact_size_and_valid_format() {
        for size in [5 * 1024, 70_000, 300_001] {
            let p = pdf("productblad hk-10001", size);
            assert_eq!(p.len(), size);
            assert!(p.starts_with(b"%PDF-1.4") && p.ends_with(b"%%EOF\n"));
            for png in [true, false] {
                let b = picture(size as u64, png, size);
                assert_eq!(
                    b.len(),
                    size,
                    "picture png={png} must be padded to its FileSize"
                );
                image::load_from_memory(&b).expect("padded picture still decodes");
            }
            assert_eq!(padded_text("x".into(), size, "<!--", "-->").len(), size);
        }
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }
}
