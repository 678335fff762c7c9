//! Receives the authorization code on the loopback redirect URI registered for the app.
//!
//! The browser is sent to Exact's authorize URL; Exact redirects it to
//! `http://127.0.0.1:PORT/path?code=...&state=...`. Any local process, and any web page the user
//! has open (`<img src="http://127.0.0.1:PORT/path?error=...">`), can send requests to that port
//! too, so only a request carrying the sign-in's own random `state` ends the wait: with its code,
//! or with its `error` turned into a fixed message (the received text is never shown, so a forged
//! answer cannot choose what the user reads). Every other request is answered and ignored.

use std::collections::HashMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

use crate::error::{Error, Result};

/// A bound listener for the redirect URI.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    path: String,
}

impl Loopback {
    /// Binds the host and port of `redirect_uri` (which must be `http://` on a loopback host).
    pub async fn bind(redirect_uri: &str) -> Result<Self> {
        let url = Url::parse(redirect_uri)
            .map_err(|e| Error::Protocol(format!("invalid redirect URI: {e}")))?;
        let host = url
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_owned();
        let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1");
        if url.scheme() != "http" || !loopback {
            return Err(Error::Protocol(format!(
                "the redirect URI {redirect_uri} must be http:// on 127.0.0.1, localhost or [::1] for the app to receive the code"
            )));
        }
        let port = url.port().unwrap_or(80);
        let bind_host = if host == "localhost" {
            "127.0.0.1".to_owned()
        } else {
            host
        };
        let listener = TcpListener::bind((bind_host.as_str(), port))
            .await
            .map_err(|e| Error::Network(format!("cannot listen on {redirect_uri}: {e}")))?;
        Ok(Loopback {
            listener,
            path: url.path().to_owned(),
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> Option<u16> {
        self.listener.local_addr().ok().map(|a| a.port())
    }

    /// Waits for the redirect carrying `expected_state` and returns its code, or the refusal it
    /// carries as [`Error::AuthRequired`] with a fixed reason. Requests for other paths (a
    /// browser's favicon) are answered 404, requests without exactly this state 400; both are
    /// ignored and the wait goes on.
    pub async fn receive_code(&self, expected_state: &str) -> Result<String> {
        loop {
            let (mut socket, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| Error::Network(e.to_string()))?;
            let mut buffer = vec![0u8; 16 * 1024];
            let mut filled = 0;
            // A browser may open a connection and send nothing (a speculative preconnect): give
            // each connection a few seconds, then move on to the next one.
            let read_head = async {
                while filled < buffer.len()
                    && !buffer[..filled].windows(4).any(|w| w == b"\r\n\r\n")
                {
                    match socket.read(&mut buffer[filled..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => filled += n,
                    }
                }
            };
            if tokio::time::timeout(std::time::Duration::from_secs(5), read_head)
                .await
                .is_err()
            {
                continue;
            }
            let head = String::from_utf8_lossy(&buffer[..filled]);
            let target = head
                .lines()
                .next()
                .and_then(|line| line.split_whitespace().nth(1))
                .unwrap_or("");
            let Ok(url) = Url::parse(&format!("http://loopback{target}")) else {
                continue;
            };
            if url.path() != self.path {
                let _ = respond(&mut socket, "404 Not Found", "Not found").await;
                continue;
            }
            let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
            let ours = query
                .get("state")
                .is_some_and(|state| same_secret(state, expected_state));
            if !ours {
                // Not our sign-in's answer (a forged or stale request): it must neither end nor
                // steer the sign-in in progress.
                let _ = respond(
                    &mut socket,
                    "400 Bad Request",
                    "This request was not expected.",
                )
                .await;
                continue;
            }
            let outcome = match (query.get("code"), query.get("error")) {
                (_, Some(error)) => Err(Error::AuthRequired {
                    reason: refusal_reason(error).to_owned(),
                }),
                (Some(code), None) => Ok(code.clone()),
                (None, None) => Err(Error::Protocol("the sign-in answer has no code".into())),
            };
            let page = match &outcome {
                Ok(_) => {
                    "Signed in to Exact Online. You can close this window and return to Exact Offline."
                }
                Err(_) => "Sign-in did not complete. Return to Exact Offline for details.",
            };
            let _ = respond(&mut socket, "200 OK", page).await;
            return outcome;
        }
    }
}

/// A fixed text for each OAuth2 error code (RFC 6749 §4.1.2.1). The code is all that is used:
/// `error_description` and unknown codes are not shown, since whoever sent them chose the words.
fn refusal_reason(code: &str) -> &'static str {
    match code {
        "access_denied" => "access was refused in Exact Online",
        "invalid_request" => "Exact Online found the sign-in request invalid",
        "unauthorized_client" => "Exact Online does not allow this app to sign in this way",
        "unsupported_response_type" => "Exact Online does not support this kind of sign-in",
        "invalid_scope" => "Exact Online refused the requested access scope",
        "server_error" => "Exact Online had an error during the sign-in",
        "temporarily_unavailable" => "Exact Online's sign-in is temporarily unavailable",
        _ => "Exact Online did not complete the sign-in",
    }
}

/// Compares a received `state` with ours in time independent of where they differ, so the
/// answer's timing reveals nothing about the expected value.
fn same_secret(received: &str, expected: &str) -> bool {
    let (a, b) = (received.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

async fn respond(
    socket: &mut tokio::net::TcpStream,
    status: &str,
    text: &str,
) -> std::io::Result<()> {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>Exact Offline</title><p style=\"font-family:sans-serif\">{text}</p>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nContent-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(response.as_bytes()).await?;
    socket.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn hit(port: u16, target: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connects");
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .expect("writes");
        let mut out = String::new();
        s.read_to_string(&mut out).await.expect("reads");
        out
    }

    #[tokio::test]
    async fn returns_the_code_and_checks_state() {
        let lb = Loopback::bind("http://127.0.0.1:0/callback")
            .await
            .expect("binds");
        let port = lb.port().expect("bound");
        let wait = tokio::spawn(async move { lb.receive_code("s1").await });
        assert!(hit(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        assert!(
            hit(port, "/callback?code=abc%21&state=s1")
                .await
                .contains("Signed in")
        );
        assert_eq!(wait.await.expect("joins").expect("a code"), "abc!");
    }

    /// A listener on `/cb` waiting for the state `mine`, and its port.
    async fn waiting_for_mine() -> (u16, tokio::task::JoinHandle<Result<String>>) {
        let lb = Loopback::bind("http://127.0.0.1:0/cb")
            .await
            .expect("binds");
        let port = lb.port().expect("bound");
        (
            port,
            tokio::spawn(async move { lb.receive_code("mine").await }),
        )
    }

    #[tokio::test]
    async fn refusals_with_our_state_end_the_wait_with_a_fixed_reason() {
        let (port, wait) = waiting_for_mine().await;
        hit(
            port,
            "/cb?error=access_denied&error_description=Nope&state=mine",
        )
        .await;
        match wait.await.expect("joins") {
            Err(Error::AuthRequired { reason }) => {
                assert_eq!(
                    reason, "access was refused in Exact Online",
                    "the table's text"
                )
            }
            other => panic!("a refusal with our state ends the wait, got {other:?}"),
        }

        let (port, wait) = waiting_for_mine().await;
        let answer = hit(port, "/cb?state=mine").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(
            matches!(wait.await.expect("joins"), Err(Error::Protocol(_))),
            "our state without a code or an error is a broken answer"
        );
    }

    #[tokio::test]
    async fn forged_answers_neither_end_nor_steer_the_sign_in() {
        let (port, wait) = waiting_for_mine().await;
        for forged in [
            "/cb?error=access_denied",
            "/cb?error=access_denied&state=theirs",
            "/cb?code=stolen&state=theirs",
            "/cb?code=stolen",
            "/cb?code=stolen&state=MINE",
            "/cb?code=stolen&state=mine2",
        ] {
            let answer = hit(port, forged).await;
            assert!(
                answer.starts_with("HTTP/1.1 400"),
                "a foreign request is answered 400: {forged} -> {answer}"
            );
            assert!(
                !answer.contains("stolen") && !answer.contains("access_denied"),
                "the 400 page repeats nothing of the request: {answer}"
            );
            assert!(
                !wait.is_finished(),
                "{forged} must not end the wait for our sign-in"
            );
        }
        assert!(
            hit(port, "/cb?code=real&state=mine")
                .await
                .contains("Signed in")
        );
        assert_eq!(
            wait.await.expect("joins").expect("the real code"),
            "real",
            "only the answer with our state counts"
        );
    }

    #[tokio::test]
    async fn unknown_error_codes_get_one_generic_message() {
        let (port, wait) = waiting_for_mine().await;
        hit(
            port,
            "/cb?error=Your%20account%20is%20locked%2C%20call%200900-SCAM&error_description=evil&state=mine",
        )
        .await;
        match wait.await.expect("joins") {
            Err(Error::AuthRequired { reason }) => {
                assert_eq!(reason, "Exact Online did not complete the sign-in");
                assert!(
                    !reason.contains("SCAM") && !reason.contains("evil"),
                    "the received text is never echoed: {reason}"
                );
            }
            other => panic!("an error with our state ends the wait, got {other:?}"),
        }
    }

    #[test]
    fn every_standard_error_code_has_its_own_text() {
        let codes = [
            "access_denied",
            "invalid_request",
            "unauthorized_client",
            "unsupported_response_type",
            "invalid_scope",
            "server_error",
            "temporarily_unavailable",
        ];
        let texts: std::collections::HashSet<&str> =
            codes.iter().map(|c| refusal_reason(c)).collect();
        assert_eq!(texts.len(), codes.len(), "no two codes share a text");
        assert!(
            !texts.contains(refusal_reason("something_else")),
            "the generic text is only for unknown codes"
        );
        assert!(
            same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("ab", "abc")
        );
    }

    #[tokio::test]
    async fn an_idle_preconnect_does_not_block_the_redirect() {
        let lb = Loopback::bind("http://127.0.0.1:0/cb")
            .await
            .expect("binds");
        let port = lb.port().expect("bound");
        let wait = tokio::spawn(async move { lb.receive_code("s").await });
        // A browser's speculative connection that never sends a request.
        let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connects");
        let answer = hit(port, "/cb?code=c0de&state=s").await;
        assert!(answer.contains("Signed in"), "{answer}");
        assert_eq!(wait.await.expect("joins").expect("a code"), "c0de");
    }

    #[tokio::test]
    async fn refuses_non_loopback_redirects() {
        assert!(Loopback::bind("https://example.com/cb").await.is_err());
        assert!(Loopback::bind("http://10.1.2.3:8080/cb").await.is_err());
    }
}
