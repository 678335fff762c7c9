//! OAuth2 as Exact Online does it: authorization codes, access tokens, refresh-token rotation.
//!
//! Invariants (all on the sim clock):
//! - a code is single use and valid for 3 minutes, and only with the redirect URI it was issued for;
//! - an access token lives 600 s; `expires_in` goes out as the string `"600"`;
//! - a grant is the chain of tokens from one authorization; each refresh hands out a new refresh
//!   token and the old one is refused from then on ("Old refresh token used.");
//! - a refresh less than 570 s after the grant's previous issue is refused (TooEarlyToRefreshTokens);
//! - a refresh token unused for 30 days has expired.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// Lifetime of an authorization code.
pub const CODE_TTL_MS: i64 = 3 * 60_000;
/// Lifetime of an access token.
pub const ACCESS_TTL_MS: i64 = 600_000;
/// Minimum time between two token issues of one grant.
pub const REFRESH_MIN_GAP_MS: i64 = 570_000;
/// Lifetime of an unused refresh token.
pub const REFRESH_TTL_MS: i64 = 30 * 86_400_000;

/// The one app registered with the simulated App Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRegistration {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
}

impl Default for AppRegistration {
    fn default() -> Self {
        AppRegistration {
            client_id: "exact-offline-demo".to_string(),
            client_secret: "demo-secret".to_string(),
            redirect_uri: "http://127.0.0.1:8765/callback".to_string(),
        }
    }
}

/// Result of checking a bearer token on an API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    Valid,
    /// Unknown, revoked, or its grant was revoked.
    Invalid,
    /// Known but older than 600 s; carries the expiry instant (epoch ms).
    Expired(i64),
}

/// An answer of the token endpoint: status, flat OAuth JSON body, extra headers.
#[derive(Debug, Clone)]
pub struct TokenReply {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
}

impl TokenReply {
    fn error(status: u16, error: &str, description: Option<&str>) -> TokenReply {
        let body = match description {
            Some(d) => json!({"error": error, "error_description": d}),
            None => json!({"error": error}),
        };
        TokenReply {
            status,
            body,
            headers: Vec::new(),
        }
    }
}

#[derive(Debug)]
struct Code {
    issued_ms: i64,
    redirect_uri: String,
    used: bool,
}

#[derive(Debug)]
struct Access {
    grant: u64,
    issued_ms: i64,
    revoked: bool,
}

#[derive(Debug)]
struct Refresh {
    grant: u64,
    issued_ms: i64,
    current: bool,
}

#[derive(Debug)]
struct Grant {
    alive: bool,
    last_issue_ms: i64,
}

/// All OAuth state of the simulator.
#[derive(Debug)]
pub struct OAuth {
    app: AppRegistration,
    rng: StdRng,
    codes: HashMap<String, Code>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    grants: HashMap<u64, Grant>,
    next_grant: u64,
}

impl OAuth {
    /// OAuth state for one registered app; `seed` makes the issued strings reproducible.
    pub fn new(app: AppRegistration, seed: u64) -> OAuth {
        OAuth {
            app,
            rng: StdRng::seed_from_u64(seed ^ 0x0a17_5eed),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            grants: HashMap::new(),
            next_grant: 1,
        }
    }

    /// The registered app.
    pub fn app(&self) -> &AppRegistration {
        &self.app
    }

    fn random_hex(&mut self, bytes: usize) -> String {
        (0..bytes)
            .map(|_| format!("{:02x}", self.rng.random::<u8>()))
            .collect()
    }

    /// `GET /api/oauth2/auth`: auto-consent. Ok = the redirect location; Err = the text of a 400 page.
    pub fn authorize(
        &mut self,
        params: &[(String, String)],
        now_ms: i64,
    ) -> Result<String, String> {
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let client_id = get("client_id").unwrap_or_default();
        if client_id != self.app.client_id {
            return Err(format!("The client_id '{client_id}' is not registered."));
        }
        let redirect = get("redirect_uri").unwrap_or_default();
        if redirect != self.app.redirect_uri {
            return Err(format!(
                "The redirect_uri '{redirect}' does not match the redirect URI registered for this app."
            ));
        }
        match get("response_type") {
            Some("code") => {}
            other => {
                return Err(format!(
                    "Unsupported response_type '{}'.",
                    other.unwrap_or_default()
                ));
            }
        }
        // Real codes contain characters that must be URL-decoded by the client ('!', '*').
        let code = format!(
            "stampSIM001.{}!IAAAA{}*",
            self.random_hex(6),
            self.random_hex(48)
        );
        self.codes.insert(
            code.clone(),
            Code {
                issued_ms: now_ms,
                redirect_uri: redirect.to_string(),
                used: false,
            },
        );
        let mut location =
            url::Url::parse(redirect).map_err(|e| format!("bad redirect_uri: {e}"))?;
        location.query_pairs_mut().append_pair("code", &code);
        if let Some(state) = get("state") {
            location.query_pairs_mut().append_pair("state", state);
        }
        Ok(location.to_string())
    }

    /// `POST /api/oauth2/token` with the decoded form fields.
    pub fn token(&mut self, form: &[(String, String)], now_ms: i64) -> TokenReply {
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if get("client_id").as_deref() != Some(self.app.client_id.as_str())
            || get("client_secret").as_deref() != Some(self.app.client_secret.as_str())
        {
            return TokenReply::error(401, "invalid_client", None);
        }
        match get("grant_type").as_deref() {
            Some("authorization_code") => {
                self.exchange_code(get("code"), get("redirect_uri"), now_ms)
            }
            Some("refresh_token") => self.refresh(get("refresh_token"), now_ms),
            _ => TokenReply::error(400, "unsupported_grant_type", None),
        }
    }

    fn exchange_code(
        &mut self,
        code: Option<String>,
        redirect: Option<String>,
        now_ms: i64,
    ) -> TokenReply {
        let Some(code) = code else {
            return TokenReply::error(400, "invalid_request", None);
        };
        let Some(entry) = self.codes.get_mut(&code) else {
            return TokenReply::error(400, "invalid_grant", None);
        };
        if entry.used || now_ms > entry.issued_ms + CODE_TTL_MS {
            entry.used = true;
            return TokenReply::error(400, "invalid_grant", None);
        }
        entry.used = true;
        if redirect.as_deref() != Some(entry.redirect_uri.as_str()) {
            return TokenReply::error(400, "invalid_grant", None);
        }
        let grant = self.next_grant;
        self.next_grant += 1;
        self.grants.insert(
            grant,
            Grant {
                alive: true,
                last_issue_ms: now_ms,
            },
        );
        self.issue(grant, now_ms)
    }

    fn refresh(&mut self, token: Option<String>, now_ms: i64) -> TokenReply {
        let Some(token) = token else {
            return TokenReply::error(400, "invalid_request", None);
        };
        let Some(entry) = self.refresh.get(&token) else {
            return TokenReply::error(400, "invalid_grant", None);
        };
        let (grant_id, issued_ms, current) = (entry.grant, entry.issued_ms, entry.current);
        let Some(grant) = self.grants.get(&grant_id) else {
            return TokenReply::error(400, "invalid_grant", None);
        };
        if !grant.alive {
            return TokenReply::error(400, "invalid_grant", Some("The grant has been revoked."));
        }
        if !current {
            return TokenReply::error(
                401,
                "invalid_grant",
                Some("Unauthorized Client: Old refresh token used."),
            );
        }
        let expires_at = issued_ms + REFRESH_TTL_MS;
        if now_ms > expires_at {
            let text = format!(
                "The refresh token expired at {} and it is now {}.",
                us_datetime(expires_at),
                us_datetime(now_ms)
            );
            return TokenReply::error(400, "invalid_request", Some(&text));
        }
        let earliest = grant.last_issue_ms + REFRESH_MIN_GAP_MS;
        if now_ms < earliest {
            let mut reply = TokenReply::error(
                400,
                "access_denied",
                Some("Rate limit exceeded: access_token not expired"),
            );
            reply.headers.push((
                "Reason",
                format!(
                    "TooEarlyToRefreshTokens: a new token can be requested from {}",
                    us_datetime(earliest)
                ),
            ));
            return reply;
        }
        if let Some(old) = self.refresh.get_mut(&token) {
            old.current = false;
        }
        if let Some(grant) = self.grants.get_mut(&grant_id) {
            grant.last_issue_ms = now_ms;
        }
        self.issue(grant_id, now_ms)
    }

    fn issue(&mut self, grant: u64, now_ms: i64) -> TokenReply {
        let access = format!("gAAAA{}", self.random_hex(96));
        let refresh = format!("Gcp7!IAAAA{}", self.random_hex(64));
        self.access.insert(
            access.clone(),
            Access {
                grant,
                issued_ms: now_ms,
                revoked: false,
            },
        );
        self.refresh.insert(
            refresh.clone(),
            Refresh {
                grant,
                issued_ms: now_ms,
                current: true,
            },
        );
        TokenReply {
            status: 200,
            body: json!({
                "access_token": access,
                "token_type": "bearer",
                "expires_in": (ACCESS_TTL_MS / 1000).to_string(),
                "refresh_token": refresh,
            }),
            headers: Vec::new(),
        }
    }

    /// Validity of a bearer access token at `now_ms`.
    pub fn check_access(&self, token: &str, now_ms: i64) -> TokenCheck {
        let Some(entry) = self.access.get(token) else {
            return TokenCheck::Invalid;
        };
        let alive = self.grants.get(&entry.grant).is_some_and(|g| g.alive);
        if entry.revoked || !alive {
            return TokenCheck::Invalid;
        }
        let expires = entry.issued_ms + ACCESS_TTL_MS;
        if now_ms >= expires {
            TokenCheck::Expired(expires)
        } else {
            TokenCheck::Valid
        }
    }

    /// Invalidates one access token (the refresh chain stays usable).
    pub fn revoke_access(&mut self, token: &str) {
        if let Some(entry) = self.access.get_mut(token) {
            entry.revoked = true;
        }
    }

    /// Kills the whole grant the token belongs to: every access and refresh token of the chain.
    pub fn revoke_grant(&mut self, token: &str) {
        let grant = self
            .access
            .get(token)
            .map(|a| a.grant)
            .or_else(|| self.refresh.get(token).map(|r| r.grant));
        if let Some(grant) = grant.and_then(|g| self.grants.get_mut(&g)) {
            grant.alive = false;
        }
    }
}

/// .NET-style US date as Exact prints it in OAuth errors: `10/11/2022 9:18:20 PM` (UTC here).
pub fn us_datetime(epoch_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(epoch_ms)
        .map(|d| d.format("%-m/%-d/%Y %-I:%M:%S %p").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn code_from(location: &str) -> String {
        let url = url::Url::parse(location).expect("location is a URL");
        url.query_pairs()
            .find(|(k, _)| k == "code")
            .expect("code in redirect")
            .1
            .into_owned()
    }

    #[test]
    fn a_refresh_rotates_and_too_early_is_refused() {
        let mut oauth = OAuth::new(AppRegistration::default(), 1);
        let app = oauth.app().clone();
        let loc = oauth
            .authorize(
                &pairs(&[
                    ("client_id", &app.client_id),
                    ("redirect_uri", &app.redirect_uri),
                    ("response_type", "code"),
                ]),
                0,
            )
            .expect("registered app is accepted");
        let form = |extra: &[(&str, &str)]| {
            let mut v = pairs(&[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
            ]);
            v.extend(pairs(extra));
            v
        };
        let code = code_from(&loc);
        let first = oauth.token(
            &form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &app.redirect_uri),
            ]),
            1_000,
        );
        assert_eq!(
            first.status, 200,
            "a fresh code is exchanged once: {:?}",
            first.body
        );
        let refresh = first.body["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_string();
        let early = oauth.token(
            &form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]),
            60_000,
        );
        assert_eq!(
            early.body["error"], "access_denied",
            "refresh within 570 s is refused"
        );
        let ok = oauth.token(
            &form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]),
            572_000,
        );
        assert_eq!(ok.status, 200, "refresh after 570 s works: {:?}", ok.body);
        let old = oauth.token(
            &form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]),
            1_200_000,
        );
        assert_eq!(old.status, 401, "the rotated-out refresh token is refused");
    }

    #[test]
    fn us_dates_look_like_exact() {
        assert_eq!(us_datetime(1_665_523_100_000), "10/11/2022 9:18:20 PM");
    }
}
