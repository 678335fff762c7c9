//! The `exact-sim` binary (`src/main.rs`): the listening line comes first, for a parent process.

use exact_sim::ADMIN_SECRET_HEADER;
use serde_json::Value;

use crate::support::client;

#[tokio::test]
async fn binary_prints_the_listening_line_first() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_exact-sim"))
        .args([
            "--port",
            "0",
            "--items",
            "50",
            "--accounts",
            "10",
            "--fault",
            r#"{"path":"x","kind":"reset"}"#,
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = lines
        .next_line()
        .await
        .expect("readable")
        .expect("a first line");
    let url = first
        .strip_prefix("exact-sim listening on http://127.0.0.1:")
        .map(|port| {
            assert!(
                port.parse::<u16>().is_ok_and(|p| p > 0),
                "the line ends in the real port: {first}"
            );
            format!("http://127.0.0.1:{port}")
        });
    let url = url.unwrap_or_else(|| panic!("first line must announce the URL exactly: {first}"));
    let second = lines
        .next_line()
        .await
        .expect("readable")
        .expect("a second line");
    let secret = second
        .strip_prefix("admin_secret: ")
        .unwrap_or_else(|| panic!("the second line gives the admin secret: {second}"));
    assert!(
        secret.len() >= 32 && secret.bytes().all(|b| b.is_ascii_hexdigit()),
        "a random secret of 32 hex digits or more: {secret}"
    );
    let clock: Value = client()
        .get(format!("{url}/_sim/clock"))
        .header(ADMIN_SECRET_HEADER, secret)
        .send()
        .await
        .expect("the announced URL answers")
        .json()
        .await
        .expect("clock JSON");
    assert!(
        clock["now_ms"].as_i64().is_some(),
        "the running binary serves the admin routes with the printed secret"
    );
    let mut rest = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        rest.push(line);
        if rest.len() == 4 {
            break;
        }
    }
    assert!(
        rest.iter().any(|l| l.starts_with("client_id: ")),
        "app registration is printed: {rest:?}"
    );
    child.kill().await.expect("the child we started stops");
}
