//! Receives the authorization code on the loopback redirect URI registered for the app.
//!
//! The browser is sent to Exact's authorize URL; Exact redirects it to
//! `http://HOST:PORT/path?code=...&state=...`. For the host `localhost` the browser may connect
//! to `127.0.0.1` or to `::1`, whichever its resolver gives first, so both are listened on, on the
//! same port; an IP literal is listened on alone. Any local process, and any web page the user
//! has open (`<img src="http://127.0.0.1:PORT/path?error=...">`), can send requests to that port
//! too, so only a request carrying the sign-in's own random `state` ends the wait: with its code,
//! or with its `error` turned into a fixed message (the received text is never shown, so a forged
//! answer cannot choose what the user reads). Every other request is answered and ignored.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use futures::future::select_all;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::error::{Error, Result};

/// How often a `localhost` redirect on port 0 tries another port when the one IPv4 got is taken
/// on IPv6.
const PORT_ZERO_ATTEMPTS: usize = 5;

/// The bound listeners for the redirect URI: one, or for `localhost` one per loopback address
/// (IPv4 always, IPv6 where the computer has it), all on the same port.
#[derive(Debug)]
pub struct Loopback {
    listeners: Vec<TcpListener>,
    path: String,
}

impl Loopback {
    /// Binds the host and port of `redirect_uri` (which must be `http://` on a loopback host).
    ///
    /// `localhost` binds `127.0.0.1` and `[::1]` on the port of the URI (with port 0: the port
    /// IPv4 got, on both). IPv6 is skipped, with a log line, when the computer has no IPv6
    /// loopback; a port taken on either address is an error, since the browser could be
    /// answered by the program holding it.
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
        let listeners = match host.as_str() {
            "localhost" => bind_both(port).await?,
            "::1" => vec![bind_one(IpAddr::V6(Ipv6Addr::LOCALHOST), port).await?],
            _ => vec![bind_one(IpAddr::V4(Ipv4Addr::LOCALHOST), port).await?],
        };
        Ok(Loopback {
            listeners,
            path: url.path().to_owned(),
        })
    }

    /// The addresses listened on (`127.0.0.1`, and `::1` where it could be bound).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// The port actually bound (the same on every address).
    pub fn port(&self) -> Option<u16> {
        self.local_addrs().first().map(|a| a.port())
    }

    /// The next connection on any of the addresses.
    async fn accept(&self) -> std::io::Result<TcpStream> {
        // Accepting is cancel-safe: the listeners not chosen lose no connection.
        let accepts = self.listeners.iter().map(|l| Box::pin(l.accept()));
        let (accepted, _, _) = select_all(accepts).await;
        accepted.map(|(socket, _)| socket)
    }

    /// Waits for the redirect carrying `expected_state` and returns its code, or the refusal it
    /// carries as [`Error::AuthRequired`] with a fixed reason. Requests for other paths (a
    /// browser's favicon) are answered 404, requests without exactly this state 400; both are
    /// ignored and the wait goes on.
    pub async fn receive_code(&self, expected_state: &str) -> Result<String> {
        loop {
            let mut socket = self
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

/// `127.0.0.1` and, where the computer has it, `::1`, on the same port.
async fn bind_both(port: u16) -> Result<Vec<TcpListener>> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let v4 = bind_one(IpAddr::V4(Ipv4Addr::LOCALHOST), port).await?;
        let bound = v4
            .local_addr()
            .map_err(|e| Error::Network(e.to_string()))?
            .port();
        match TcpListener::bind((Ipv6Addr::LOCALHOST, bound)).await {
            Ok(v6) => return Ok(vec![v4, v6]),
            // The port the system gave IPv4 is taken on IPv6: ask for another one.
            Err(e)
                if e.kind() == std::io::ErrorKind::AddrInUse
                    && port == 0
                    && attempts < PORT_ZERO_ATTEMPTS => {}
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(in_use(IpAddr::V6(Ipv6Addr::LOCALHOST), bound, &e));
            }
            Err(e) => {
                // No IPv6 loopback here: a browser resolving `localhost` uses 127.0.0.1 then.
                tracing::info!(error = %e, port = bound, "listening for the sign-in on 127.0.0.1 only: ::1 cannot be bound");
                return Ok(vec![v4]);
            }
        }
    }
}

async fn bind_one(ip: IpAddr, port: u16) -> Result<TcpListener> {
    TcpListener::bind((ip, port)).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            in_use(ip, port, &e)
        } else {
            Error::Network(format!(
                "cannot listen on {}: {e}",
                SocketAddr::new(ip, port)
            ))
        }
    })
}

fn in_use(ip: IpAddr, port: u16, error: &std::io::Error) -> Error {
    Error::Network(format!(
        "port {port} is in use on {ip} by another program ({error}): close that program, or choose another port and register the redirect URI with it in the Exact App Center"
    ))
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
        hit_at(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            target,
        )
        .await
    }

    async fn hit_at(addr: SocketAddr, target: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr)
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

    /// Whether this computer can listen on `::1` at all; when it cannot, the IPv6 half of a test
    /// is skipped and says so.
    fn ipv6_loopback_available() -> bool {
        match std::net::TcpListener::bind("[::1]:0") {
            Ok(_) => true,
            Err(e) => {
                eprintln!("SKIPPED the ::1 half: this computer cannot listen on ::1 ({e})");
                false
            }
        }
    }

    #[tokio::test]
    async fn a_localhost_redirect_is_answered_on_ipv4_and_on_ipv6() {
        let v6 = ipv6_loopback_available();
        let lb = Loopback::bind("http://localhost:0/cb")
            .await
            .expect("binds");
        let port = lb.port().expect("bound");
        let addrs = lb.local_addrs();
        let v4_addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
        let v6_addr = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
        assert!(
            addrs.contains(&v4_addr),
            "localhost always listens on 127.0.0.1: {addrs:?}"
        );
        assert_eq!(
            addrs.contains(&v6_addr),
            v6,
            "localhost listens on ::1, on the port IPv4 got, exactly when ::1 can be bound: {addrs:?}"
        );
        let wait = tokio::spawn(async move { lb.receive_code("s4").await });
        if v6 {
            assert!(
                hit_at(v6_addr, "/cb?code=forged&state=other")
                    .await
                    .starts_with("HTTP/1.1 400"),
                "::1 is answered, and checks the state as 127.0.0.1 does"
            );
        }
        assert!(
            hit_at(v4_addr, "/cb?code=four&state=s4")
                .await
                .contains("Signed in")
        );
        assert_eq!(
            wait.await.expect("joins").expect("a code"),
            "four",
            "the redirect to 127.0.0.1 ends the wait"
        );

        if !v6 {
            return;
        }
        let lb = Loopback::bind("http://localhost:0/cb")
            .await
            .expect("binds");
        let port = lb.port().expect("bound");
        let wait = tokio::spawn(async move { lb.receive_code("s6").await });
        let v6_addr = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
        assert!(
            hit_at(v6_addr, "/cb?code=six&state=s6")
                .await
                .contains("Signed in")
        );
        assert_eq!(
            wait.await.expect("joins").expect("a code"),
            "six",
            "a browser resolving localhost to ::1 ends the wait too"
        );
    }

    #[tokio::test]
    async fn an_ip_literal_is_listened_on_alone() {
        let lb = Loopback::bind("http://127.0.0.1:0/cb")
            .await
            .expect("binds");
        let addrs = lb.local_addrs();
        assert_eq!(addrs.len(), 1, "127.0.0.1 is not localhost: {addrs:?}");
        assert!(
            addrs[0].ip().is_loopback() && addrs[0].is_ipv4(),
            "{addrs:?}"
        );
    }

    #[tokio::test]
    async fn a_taken_port_is_refused_with_a_clear_message() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = taken.local_addr().expect("bound").port();
        for host in ["127.0.0.1", "localhost"] {
            let refused = Loopback::bind(&format!("http://{host}:{port}/cb"))
                .await
                .expect_err("the port is held by another listener");
            assert!(
                refused
                    .to_string()
                    .contains(&format!("port {port} is in use")),
                "the user is told the port is taken ({host}): {refused}"
            );
        }

        if !ipv6_loopback_available() {
            return;
        }
        // Taken on ::1 only: the browser might reach the other program, so this is refused too.
        let taken = std::net::TcpListener::bind("[::1]:0").expect("binds");
        let port = taken.local_addr().expect("bound").port();
        match Loopback::bind(&format!("http://localhost:{port}/cb")).await {
            Err(refused) => assert!(
                refused
                    .to_string()
                    .contains(&format!("port {port} is in use")),
                "{refused}"
            ),
            Ok(lb) => panic!(
                "a port held on ::1 must not be half-bound: {:?}",
                lb.local_addrs()
            ),
        }
    }

    #[tokio::test]
    async fn refuses_non_loopback_redirects() {
        assert!(Loopback::bind("https://example.com/cb").await.is_err());
        assert!(Loopback::bind("http://10.1.2.3:8080/cb").await.is_err());
    }
}
