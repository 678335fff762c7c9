//! The one gate for URLs the app hands to the system: mail, phone and web links from Exact's data,
//! and the sign-in page. Each link is parsed and written anew, so that nothing the data carries
//! beyond an address reaches the handler: an e-mail value `a@b.nl?bcc=x@evil.tld&attach=...`
//! would otherwise add a hidden Bcc or an attachment in mail clients that honour them.

use url::Url;

/// Why a link is not opened (the message is shown to the user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(&'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Refused {}

/// Characters that end or extend an address in a `mailto:` URL (headers, more recipients,
/// percent-escapes of either), besides white space and the URL's own delimiters.
const NOT_IN_ADDRESS: &[char] = &[
    '?', '&', '%', ';', ',', '<', '>', '"', '\'', '(', ')', '[', ']', '\\', '/', '#', ':',
];

/// The link as it may be opened: `mailto:` with exactly one plain address, `tel:` with a
/// number, or an `http(s):` URL with a host and no user name or password in it.
pub fn checked(raw: &str) -> Result<String, Refused> {
    let raw = raw.trim();
    let (scheme, rest) = raw
        .split_once(':')
        .ok_or(Refused("Only mail, phone and web links can be opened."))?;
    match scheme.to_ascii_lowercase().as_str() {
        "mailto" => mail(rest),
        "tel" => phone(rest),
        "http" | "https" => web(raw),
        _ => Err(Refused("Only mail, phone and web links can be opened.")),
    }
}

fn mail(address: &str) -> Result<String, Refused> {
    const BAD: Refused = Refused("This e-mail address cannot be opened as a link.");
    if address.is_empty()
        || address.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || NOT_IN_ADDRESS.contains(&c)
                || offline_assets::is_invisible(c)
        })
    {
        return Err(BAD);
    }
    let (local, domain) = address.split_once('@').ok_or(BAD)?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') || !domain.contains('.') {
        return Err(BAD);
    }
    Ok(format!("mailto:{local}@{domain}"))
}

fn phone(number: &str) -> Result<String, Refused> {
    const BAD: Refused = Refused("This phone number cannot be opened as a link.");
    let visual = |c: char| matches!(c, ' ' | '-' | '.' | '(' | ')' | '/');
    if number
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == '+' || visual(c)))
    {
        return Err(BAD);
    }
    let digits: String = number.chars().filter(|c| !visual(*c)).collect();
    let valid = digits
        .strip_prefix('+')
        .unwrap_or(&digits)
        .chars()
        .all(|c| c.is_ascii_digit())
        && digits.chars().any(|c| c.is_ascii_digit());
    if !valid {
        return Err(BAD);
    }
    Ok(format!("tel:{digits}"))
}

fn web(raw: &str) -> Result<String, Refused> {
    const BAD: Refused = Refused("This web address cannot be opened.");
    let url = Url::parse(raw).map_err(|_| BAD)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(BAD);
    }
    // `https://exactonline.nl@evil.example/` shows one host and opens another.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BAD);
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_links_carry_one_address_and_nothing_else() {
        assert_eq!(
            checked("mailto:info@example.nl").unwrap(),
            "mailto:info@example.nl"
        );
        assert_eq!(
            checked("MAILTO:Info@Example.nl ").unwrap(),
            "mailto:Info@Example.nl"
        );
        for hostile in [
            "mailto:a@b.nl?bcc=x@evil.tld&attach=~/.ssh/id_rsa",
            "mailto:a@b.nl&cc=x@evil.tld",
            "mailto:a@b.nl%3Fbcc=x@evil.tld",
            "mailto:a@b.nl,x@evil.tld",
            "mailto:a@b.nl;x@evil.tld",
            "mailto:a@b.nl x@evil.tld",
            "mailto:a@b.nl\r\nBcc: x@evil.tld",
            "mailto:a\u{202E}@b.nl",
            "mailto:a@b@c.nl",
            "mailto:@b.nl",
            "mailto:a@",
            "mailto:",
        ] {
            assert!(checked(hostile).is_err(), "{hostile:?} must not be opened");
        }
    }

    #[test]
    fn phone_links_keep_digits_only() {
        assert_eq!(
            checked("tel:+31 (0)20-123 45 67").unwrap(),
            "tel:+310201234567"
        );
        for hostile in [
            "tel:",
            "tel:+",
            "tel:123?x=1",
            "tel:12+34",
            "tel:javascript:1",
        ] {
            assert!(checked(hostile).is_err(), "{hostile:?} must not be opened");
        }
    }

    #[test]
    fn web_links_are_http_with_a_host_and_no_credentials() {
        assert_eq!(
            checked("https://www.example.nl/shop?a=1").unwrap(),
            "https://www.example.nl/shop?a=1"
        );
        assert_eq!(checked("http://example.nl").unwrap(), "http://example.nl/");
        for hostile in [
            "https://start.exactonline.nl@evil.example/",
            "https://user:pw@example.nl/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "exo://x",
            "smb://host/share",
            "https://",
            "/relative",
        ] {
            assert!(checked(hostile).is_err(), "{hostile:?} must not be opened");
        }
    }
}
