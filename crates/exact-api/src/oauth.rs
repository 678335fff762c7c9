//! The OAuth2 authorization-code flow as Exact implements it, through the `oauth2` crate.
//!
//! Exact's quirks handled here: client credentials go in the request body (not Basic auth);
//! `expires_in` arrives as a string ("600"); there is no PKCE; a refresh within 570 s of the last
//! issue is refused with `access_denied` ("access_token not expired"); an old refresh token is
//! refused with "Old refresh token used".

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AccessToken, AsyncHttpClient, AuthType, AuthUrl, AuthorizationCode, Client, ClientId,
    ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, RedirectUrl,
    RefreshToken, RequestTokenError, Scope, StandardRevocableToken, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Deserializer, Serialize};

use crate::body::{CapError, TOKEN_ANSWER_CAP, human, read_capped};
use crate::error::Error;
use crate::tokens::{REFRESH_IDLE_MS, TokenSet};

/// The user's own app registration in Exact's App Center.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCredentials {
    pub client_id: String,
    pub client_secret: String,
    /// Must equal the registered redirect URI, character for character.
    pub redirect_uri: String,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// Exact's token response: like the standard one, but `expires_in` may be a string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExactTokenResponse {
    access_token: AccessToken,
    token_type: BasicTokenType,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    #[serde(skip)]
    scopes: Option<Vec<Scope>>,
}

fn lenient_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Text(String),
    }
    Ok(match Option::<Seconds>::deserialize(d)? {
        Some(Seconds::Number(n)) => Some(n),
        Some(Seconds::Text(t)) => Some(t.trim().parse().map_err(serde::de::Error::custom)?),
        None => None,
    })
}

impl TokenResponse for ExactTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.scopes.as_ref()
    }
}

type ExactOAuthClient = Client<
    BasicErrorResponse,
    ExactTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Why a token request failed, in the terms the session acts on.
#[derive(Debug)]
pub enum TokenError {
    /// Exact's 570 s rule: the previous token is too young to be replaced.
    TooEarly,
    /// The grant is dead (old or expired refresh token, revoked consent, wrong secret).
    Rejected(String),
    /// Network trouble or an unexpected answer; may be retried.
    Transient(Error),
    /// An answer no retry would change (larger than [`TOKEN_ANSWER_CAP`]).
    Fatal(Error),
}

/// The OAuth endpoints of one Exact instance for one app registration.
#[derive(Debug, Clone)]
pub struct OAuth {
    client: ExactOAuthClient,
    http: CappedHttp,
}

impl OAuth {
    /// `http` must not follow redirects (the token endpoint never redirects legitimately).
    pub fn new(base_url: &str, app: &AppCredentials, http: reqwest::Client) -> Result<Self, Error> {
        let base = base_url.trim_end_matches('/');
        let bad =
            |what: &str, e: &dyn fmt::Display| Error::Protocol(format!("invalid {what}: {e}"));
        let client = Client::new(ClientId::new(app.client_id.clone()))
            .set_client_secret(ClientSecret::new(app.client_secret.clone()))
            .set_auth_uri(
                AuthUrl::new(format!("{base}/api/oauth2/auth")).map_err(|e| bad("base URL", &e))?,
            )
            .set_token_uri(
                TokenUrl::new(format!("{base}/api/oauth2/token"))
                    .map_err(|e| bad("base URL", &e))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(app.redirect_uri.clone()).map_err(|e| bad("redirect URI", &e))?,
            )
            .set_auth_type(AuthType::RequestBody);
        Ok(OAuth {
            client,
            http: CappedHttp(http),
        })
    }

    /// The URL to open in the browser. `force_login` makes Exact ignore a browser session, so the
    /// user can pick another account.
    pub fn authorize_url(&self, state: &str, force_login: bool) -> String {
        let (url, _) = self
            .client
            .authorize_url(|| CsrfToken::new(state.to_owned()))
            .add_extra_param("force_login", if force_login { "1" } else { "0" })
            .url();
        url.to_string()
    }

    /// Exchanges an authorization code (single use, valid a few minutes) for a token set.
    pub async fn exchange_code(&self, code: &str, now_ms: i64) -> Result<TokenSet, TokenError> {
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(classify)?;
        token_set(&response, now_ms)
    }

    /// Trades a refresh token for a new token set (with a new refresh token).
    pub async fn refresh(&self, refresh_token: &str, now_ms: i64) -> Result<TokenSet, TokenError> {
        let token = RefreshToken::new(refresh_token.to_owned());
        let response = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&self.http)
            .await
            .map_err(classify)?;
        token_set(&response, now_ms)
    }
}

/// Why the HTTP exchange with the token endpoint failed.
#[derive(Debug, thiserror::Error)]
enum TokenHttpError {
    /// The request could not be sent, or its answer was cut off.
    #[error("{0}")]
    Request(String),
    /// The answer was larger than [`TOKEN_ANSWER_CAP`] (inflated).
    #[error("the token answer from Exact Online is larger than {}", human(*.0))]
    TooLarge(u64),
}

/// The HTTP client of the token requests: what the oauth2 crate's own reqwest client does, but
/// the body is read with a cap, where the crate would read a (possibly gzip-inflated) answer
/// whole.
#[derive(Debug, Clone)]
struct CappedHttp(reqwest::Client);

impl<'c> AsyncHttpClient<'c> for CappedHttp {
    type Error = TokenHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TokenHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(capped_call(&self.0, request))
    }
}

async fn capped_call(
    http: &reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, TokenHttpError> {
    let request = reqwest::Request::try_from(request)
        .map_err(|e| TokenHttpError::Request(crate::client::describe(e)))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| TokenHttpError::Request(crate::client::describe(e)))?;
    let mut answer = oauth2::http::Response::builder()
        .status(response.status())
        .version(response.version());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let body = read_capped(response, TOKEN_ANSWER_CAP)
        .await
        .map_err(|e| match e {
            CapError::TooLarge(cap) => TokenHttpError::TooLarge(cap),
            CapError::Cut(text) => TokenHttpError::Request(text),
        })?;
    answer
        .body(body)
        .map_err(|e| TokenHttpError::Request(e.to_string()))
}

fn token_set(response: &ExactTokenResponse, now_ms: i64) -> Result<TokenSet, TokenError> {
    let refresh_token = response.refresh_token().ok_or_else(|| {
        TokenError::Transient(Error::Protocol(
            "the token answer has no refresh token".into(),
        ))
    })?;
    // Exact documents 600 s; assume that when the answer omits it.
    let lifetime_ms = response
        .expires_in()
        .map_or(600_000, |d| d.as_millis() as i64);
    Ok(TokenSet {
        access_token: response.access_token().secret().clone(),
        refresh_token: refresh_token.secret().clone(),
        issued_at_ms: now_ms,
        expires_at_ms: now_ms + lifetime_ms,
        refresh_expires_at_ms: now_ms + REFRESH_IDLE_MS,
    })
}

type OAuthRequestError = RequestTokenError<TokenHttpError, BasicErrorResponse>;

fn classify(e: OAuthRequestError) -> TokenError {
    match e {
        RequestTokenError::ServerResponse(resp) => {
            let code = resp.error().to_string();
            let description = resp.error_description().cloned().unwrap_or_default();
            let message = if description.is_empty() {
                code.clone()
            } else {
                format!("{code}: {description}")
            };
            if description.to_ascii_lowercase().contains("not expired") {
                return TokenError::TooEarly;
            }
            match resp.error() {
                BasicErrorResponseType::InvalidGrant
                | BasicErrorResponseType::InvalidClient
                | BasicErrorResponseType::InvalidRequest
                | BasicErrorResponseType::UnauthorizedClient => TokenError::Rejected(message),
                BasicErrorResponseType::Extension(ext) if ext == "access_denied" => {
                    TokenError::Rejected(message)
                }
                _ => TokenError::Transient(Error::Protocol(message)),
            }
        }
        RequestTokenError::Request(e @ TokenHttpError::TooLarge(_)) => TokenError::Fatal(
            Error::Protocol(format!("{e}; it was not read (is the base URL right?)")),
        ),
        RequestTokenError::Request(e) => TokenError::Transient(Error::Network(e.to_string())),
        // The body is never shown: a 2xx answer that failed to parse may still hold tokens.
        RequestTokenError::Parse(e, body) => TokenError::Transient(Error::Protocol(format!(
            "the token answer ({} bytes) was not understood: {e}",
            body.len()
        ))),
        RequestTokenError::Other(text) => TokenError::Transient(Error::Protocol(text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_may_be_a_string_or_a_number() {
        let text: ExactTokenResponse = serde_json::from_str(
            r#"{"access_token":"a","token_type":"bearer","expires_in":"600","refresh_token":"r"}"#,
        )
        .expect("string seconds parse");
        assert_eq!(text.expires_in(), Some(Duration::from_secs(600)));
        let number: ExactTokenResponse = serde_json::from_str(
            r#"{"access_token":"a","token_type":"Bearer","expires_in":600,"refresh_token":"r"}"#,
        )
        .expect("numeric seconds parse");
        assert_eq!(number.expires_in(), Some(Duration::from_secs(600)));
        let set = token_set(&number, 1_000).expect("a full answer makes a token set");
        assert_eq!(set.expires_at_ms, 601_000);
        assert!(
            serde_json::from_str::<ExactTokenResponse>(
                r#"{"access_token":"a","token_type":"bearer","expires_in":"soon"}"#
            )
            .is_err()
        );
    }

    #[test]
    fn authorize_url_carries_exacts_parameters() {
        let app = AppCredentials {
            client_id: "abc".into(),
            client_secret: "s3cret".into(),
            redirect_uri: "http://127.0.0.1:8765/callback".into(),
        };
        let oauth = OAuth::new(
            "https://start.exactonline.nl/",
            &app,
            reqwest::Client::new(),
        )
        .expect("valid config");
        let url = url::Url::parse(&oauth.authorize_url("st4te", false)).expect("absolute URL");
        assert_eq!(url.path(), "/api/oauth2/auth");
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q.get("client_id").map(String::as_str), Some("abc"));
        assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
        assert_eq!(q.get("state").map(String::as_str), Some("st4te"));
        assert_eq!(
            q.get("redirect_uri").map(String::as_str),
            Some("http://127.0.0.1:8765/callback")
        );
        assert_eq!(q.get("force_login").map(String::as_str), Some("0"));
        assert!(!q.contains_key("code_challenge"), "Exact supports no PKCE");
        assert!(
            !format!("{app:?}").contains("s3cret"),
            "secrets never reach Debug output"
        );
    }
}
