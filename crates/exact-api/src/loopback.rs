//! Receives the authorization code on the loopback redirect URI registered for the app.
//!
//! The browser is sent to Exact's authorize URL; Exact redirects it to
//! `http://127.0.0.1:PORT/path?code=...&state=...`. This listener answers that one request with a
//! short page and returns the code, after checking `state` (a mismatch means the redirect was not
//! ours) and turning `error=access_denied` into a clear refusal.

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

    /// Waits for the redirect carrying `expected_state` and returns its code. Requests for other
    /// paths (a browser's favicon) are answered 404 and ignored.
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
            let outcome = match (query.get("code"), query.get("state"), query.get("error")) {
                (_, _, Some(error)) => Err(Error::AuthRequired {
                    reason: match error.as_str() {
                        "access_denied" => "access was refused in Exact Online".to_owned(),
                        other => format!("Exact Online answered {other}"),
                    },
                }),
                (Some(_), state, _) if state.map(String::as_str) != Some(expected_state) => {
                    Err(Error::Protocol(
                        "the sign-in answer does not belong to this sign-in (state mismatch)"
                            .into(),
                    ))
                }
                (Some(code), _, _) => Ok(code.clone()),
                (None, _, None) => Err(Error::Protocol("the sign-in answer has no code".into())),
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

    #[tokio::test]
    async fn refusals_and_foreign_states_are_errors() {
        let lb = Loopback::bind("http://127.0.0.1:0/cb")
            .await
            .expect("binds");
        let port = lb.port().expect("bound");
        let wait = tokio::spawn(async move { lb.receive_code("mine").await });
        hit(port, "/cb?error=access_denied&state=mine").await;
        assert!(matches!(
            wait.await.expect("joins"),
            Err(Error::AuthRequired { .. })
        ));

        let lb = Loopback::bind("http://127.0.0.1:0/cb")
            .await
            .expect("binds");
        let port = lb.port().expect("bound");
        let wait = tokio::spawn(async move { lb.receive_code("mine").await });
        hit(port, "/cb?code=x&state=theirs").await;
        assert!(matches!(
            wait.await.expect("joins"),
            Err(Error::Protocol(_))
        ));
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
