//! Exact Online regions. Each country is a separate Exact instance with its own host, which
//! serves both OAuth and REST; an administration exists on one host only.

use std::fmt;
use std::str::FromStr;

/// A country instance of Exact Online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    Nl,
    Be,
    De,
    Fr,
    Es,
    Uk,
    Us,
}

impl Region {
    pub const ALL: [Region; 7] = [
        Region::Nl,
        Region::Be,
        Region::De,
        Region::Fr,
        Region::Es,
        Region::Uk,
        Region::Us,
    ];

    /// The instance's base URL (no trailing slash).
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Nl => "https://start.exactonline.nl",
            Region::Be => "https://start.exactonline.be",
            Region::De => "https://start.exactonline.de",
            Region::Fr => "https://start.exactonline.fr",
            Region::Es => "https://start.exactonline.es",
            Region::Uk => "https://start.exactonline.co.uk",
            Region::Us => "https://start.exactonline.com",
        }
    }

    /// The short code used in settings and flags.
    pub fn code(self) -> &'static str {
        match self {
            Region::Nl => "nl",
            Region::Be => "be",
            Region::De => "de",
            Region::Fr => "fr",
            Region::Es => "es",
            Region::Uk => "co.uk",
            Region::Us => "com",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "nl" => Ok(Region::Nl),
            "be" => Ok(Region::Be),
            "de" => Ok(Region::De),
            "fr" => Ok(Region::Fr),
            "es" => Ok(Region::Es),
            "uk" | "co.uk" | "gb" => Ok(Region::Uk),
            "us" | "com" => Ok(Region::Us),
            other => Err(format!(
                "unknown Exact Online region {other:?}; use one of nl, be, de, fr, es, co.uk, com"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for region in Region::ALL {
            assert_eq!(region.code().parse::<Region>(), Ok(region));
            assert!(region.base_url().starts_with("https://start.exactonline."));
        }
        assert!("xx".parse::<Region>().is_err());
    }
}
