//! The OAuth redirect URI the user registers in the Exact App Center: `http://HOST:PORT/callback`
//! with a host and port of their choosing.
//!
//! Exact compares the redirect URI of the authorize and token requests with the registered one
//! character for character, so the app builds it from exactly two choices: the host (`localhost`
//! or `127.0.0.1`) and a port from 1024 to 65535. The default, `http://localhost:47615/callback`,
//! has the form public clients register with Exact; an IP literal may be chosen where that is what
//! the App Center accepts. A URI saved with a connection is reused as it is, never rebuilt.

use std::fmt;
use std::str::FromStr;

/// The port of the default redirect URI.
pub const DEFAULT_PORT: u16 = 47615;
/// The lowest port the user may choose: lower ones need administrator rights on most systems.
pub const MIN_PORT: u16 = 1024;
/// The path of every redirect URI the app builds.
pub const PATH: &str = "/callback";

/// The loopback name the browser is sent back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedirectHost {
    /// `localhost`: the browser may resolve it to `127.0.0.1` or `::1`; the app listens on both.
    #[default]
    Localhost,
    /// `127.0.0.1`: IPv4 loopback only.
    Ipv4,
}

impl RedirectHost {
    /// Every host the user may choose, the default first.
    pub const ALL: [RedirectHost; 2] = [RedirectHost::Localhost, RedirectHost::Ipv4];

    /// The host as written in the URI.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectHost::Localhost => "localhost",
            RedirectHost::Ipv4 => "127.0.0.1",
        }
    }
}

impl fmt::Display for RedirectHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RedirectHost {
    type Err = String;

    fn from_str(host: &str) -> Result<Self, String> {
        RedirectHost::ALL
            .into_iter()
            .find(|h| h.as_str() == host)
            .ok_or_else(|| {
                format!("The redirect host must be localhost or 127.0.0.1, not {host:?}.")
            })
    }
}

/// A redirect URI the user can choose: `http://{host}:{port}/callback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedirectUri {
    pub host: RedirectHost,
    pub port: u16,
}

impl Default for RedirectUri {
    fn default() -> Self {
        RedirectUri {
            host: RedirectHost::default(),
            port: DEFAULT_PORT,
        }
    }
}

impl RedirectUri {
    /// Checks the user's choice: a host from [`RedirectHost::ALL`] and a port from [`MIN_PORT`]
    /// to 65535. The port is taken wider than `u16` so that 70000 is refused with a message
    /// rather than wrapped or rejected by the decoder.
    pub fn new(host: &str, port: u32) -> Result<Self, String> {
        Ok(RedirectUri {
            host: host.parse()?,
            port: check_port(port)?,
        })
    }

    /// Reads a URI this module builds; any other URI (another path, scheme, host or port, a
    /// query) is `None`.
    pub fn parse(uri: &str) -> Option<Self> {
        let rest = uri.strip_prefix("http://")?;
        let (authority, path) = rest.split_at(rest.find('/')?);
        if path != PATH {
            return None;
        }
        let (host, port) = authority.rsplit_once(':')?;
        // `u16::from_str` accepts a leading `+`; the registered URI has digits only.
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.starts_with('0') {
            return None;
        }
        RedirectUri::new(host, port.parse().ok()?).ok()
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}:{}{PATH}", self.host, self.port)
    }
}

/// A port the user may choose, or why not.
pub fn check_port(port: u32) -> Result<u16, String> {
    u16::try_from(port)
        .ok()
        .filter(|p| *p >= MIN_PORT)
        .ok_or_else(|| {
            format!("The redirect port must be a number from {MIN_PORT} to 65535, not {port}.")
        })
}

/// Parses `--redirect-port`.
pub fn parse_port(text: &str) -> Result<u16, String> {
    let port: u32 = text.trim().parse().map_err(|_| {
        format!("The redirect port must be a number from {MIN_PORT} to 65535, not {text:?}.")
    })?;
    check_port(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_localhost_on_47615() {
        assert_eq!(
            RedirectUri::default().to_string(),
            "http://localhost:47615/callback",
            "the URI the README and the App Center instructions name"
        );
    }

    #[test]
    fn only_the_two_loopback_names_are_hosts() {
        for bad in [
            "",
            "LOCALHOST",
            "::1",
            "[::1]",
            "127.0.0.2",
            "0.0.0.0",
            "example.com",
            "localhost.",
            " localhost",
        ] {
            assert!(
                RedirectUri::new(bad, 47615).is_err(),
                "{bad:?} is not a host the app listens on under that exact name"
            );
        }
        assert_eq!(
            RedirectUri::new("127.0.0.1", 8100).unwrap().to_string(),
            "http://127.0.0.1:8100/callback"
        );
    }

    #[test]
    fn ports_below_1024_and_above_65535_are_refused() {
        for bad in [0, 1, 80, 443, 1023, 65536, 70000, u32::MAX] {
            let refused = RedirectUri::new("localhost", bad).expect_err("out of range");
            assert!(
                refused.contains("1024 to 65535"),
                "the message says which ports may be chosen: {refused}"
            );
        }
        for good in [1024, 8100, 47615, 65535] {
            assert_eq!(
                RedirectUri::new("localhost", good).unwrap().port as u32,
                good
            );
        }
        assert_eq!(parse_port("47615"), Ok(47615));
        for bad in ["", "abc", "-1", "80", "70000", "4761.5"] {
            assert!(
                parse_port(bad).is_err(),
                "--redirect-port {bad:?} is refused"
            );
        }
    }

    #[test]
    fn every_choice_round_trips_through_its_uri() {
        for host in RedirectHost::ALL {
            for port in MIN_PORT..=u16::MAX {
                let uri = RedirectUri { host, port };
                assert_eq!(
                    RedirectUri::parse(&uri.to_string()),
                    Some(uri),
                    "a saved URI is read back as the choice that built it"
                );
            }
        }
    }

    #[test]
    fn other_uris_are_not_a_choice() {
        for other in [
            "https://localhost:47615/callback",
            "http://localhost/callback",
            "http://localhost:47615",
            "http://localhost:47615/",
            "http://localhost:47615/callback/",
            "http://localhost:47615/callback?x=1",
            "http://localhost:047615/callback",
            "http://localhost:+47615/callback",
            "http://localhost:80/callback",
            "http://[::1]:47615/callback",
            "http://example.com:47615/callback",
            "http://user@localhost:47615/callback",
        ] {
            assert_eq!(
                RedirectUri::parse(other),
                None,
                "{other} cannot be built from a host and a port, so the dialog cannot offer it"
            );
        }
        assert_eq!(
            RedirectUri::parse("http://127.0.0.1:47615/callback"),
            Some(RedirectUri {
                host: RedirectHost::Ipv4,
                port: 47615
            }),
            "the URI earlier versions registered is a choice"
        );
    }
}
