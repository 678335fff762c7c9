//! Admin routes under `/_sim/` (not counted, not rate limited): statistics, mutations, fault
//! rules, dumps of the current data, and the sim clock.
//!
//! The demo runs a simulator on this computer, where other users and web pages can reach it too.
//! So every admin request passes [`guard`]: its `Host` must be a loopback name (a web page that
//! rebinds its own name to 127.0.0.1 still sends its own name, so DNS rebinding fails) and it must
//! carry the simulator's admin secret in [`ADMIN_SECRET_HEADER`](crate::ADMIN_SECRET_HEADER),
//! which a page cannot send cross-origin without a CORS preflight the simulator never approves.
//! Routes that take a body also require `Content-Type: application/json`, which a "simple"
//! cross-origin POST cannot set either.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::data::{Entity, Mutation};
use crate::faults::FaultSet;
use crate::{ADMIN_SECRET_HEADER, App};

fn refusal(status: StatusCode, text: impl Into<String>) -> Response {
    (status, Json(json!({"error": text.into()}))).into_response()
}

fn bad_request(text: impl Into<String>) -> Response {
    refusal(StatusCode::BAD_REQUEST, text)
}

/// Lets an admin request through only from a loopback `Host` with the admin secret (403 with a
/// JSON error otherwise).
pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if !host.is_some_and(is_loopback_host) {
        return refusal(
            StatusCode::FORBIDDEN,
            "admin routes answer only requests to 127.0.0.1, localhost or [::1]",
        );
    }
    let presented = request
        .headers()
        .get(ADMIN_SECRET_HEADER)
        .map(|v| v.as_bytes());
    if !presented.is_some_and(|p| same_secret(p, app.admin_secret.as_bytes())) {
        return refusal(
            StatusCode::FORBIDDEN,
            format!("admin routes need the simulator's admin secret in {ADMIN_SECRET_HEADER}"),
        );
    }
    next.run(request).await
}

/// `127.0.0.1`, `localhost` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, "")) => (name, None),
            Some((name, after)) => match after.strip_prefix(':') {
                Some(port) => (name, Some(port)),
                None => return false,
            },
            None => return false,
        },
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok());
    port_ok && (name == "127.0.0.1" || name == "::1" || name.eq_ignore_ascii_case("localhost"))
}

/// Equality in time independent of where the values differ, so timing reveals nothing of the
/// secret.
fn same_secret(presented: &[u8], secret: &[u8]) -> bool {
    presented.len() == secret.len()
        && presented
            .iter()
            .zip(secret)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// The JSON body of an admin route: 415 unless declared `application/json`, 400 if invalid.
/// The refusal is the status and text for [`refusal`].
fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    what: &str,
) -> Result<T, (StatusCode, String)> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !declared {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "admin routes take a body only as Content-Type: application/json".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            format!("{what} body is invalid: {e}"),
        )
    })
}

/// `GET /_sim/stats`.
pub async fn stats(State(app): State<Arc<App>>) -> Response {
    let stats = app.stats().clone();
    Json(stats).into_response()
}

/// `POST /_sim/stats/reset`.
pub async fn reset_stats(State(app): State<Arc<App>>) -> Response {
    *app.stats() = Default::default();
    Json(json!({"reset": true})).into_response()
}

/// Body of `POST /_sim/mutate`.
#[derive(Debug, Deserialize)]
pub struct MutateBody {
    pub division: i32,
    pub entity: String,
    #[serde(flatten)]
    pub mutation: Mutation,
}

/// `POST /_sim/mutate` → the data module's `MutationResult`.
pub async fn mutate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body: MutateBody = match json_body(&headers, &body, "mutate") {
        Ok(b) => b,
        Err((status, text)) => return refusal(status, text),
    };
    let Some(entity) = Entity::from_name(&body.entity) else {
        return bad_request(format!("unknown entity '{}'", body.entity));
    };
    if !app.divisions.contains(&body.division) {
        return bad_request(format!("unknown division {}", body.division));
    }
    let now = app.now_ms();
    let result = app
        .data_mut()
        .mutate(body.division, entity, &body.mutation, now);
    match result {
        Ok(r) => Json(r).into_response(),
        Err(e) => bad_request(e),
    }
}

/// `POST /_sim/faults` replaces the rule set; `{"rules":[]}` clears it.
pub async fn set_faults(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match json_body::<FaultSet>(&headers, &body, "fault") {
        Ok(set) => {
            let count = set.rules.len();
            app.faults().replace(set.rules);
            Json(json!({"rules": count})).into_response()
        }
        Err((status, text)) => refusal(status, text),
    }
}

/// `GET /_sim/faults`: the current rules with their remaining counts.
pub async fn get_faults(State(app): State<Arc<App>>) -> Response {
    let rules = app.faults().rules().to_vec();
    Json(FaultSet { rules }).into_response()
}

/// Query of `GET /_sim/dump`.
#[derive(Debug, Deserialize)]
pub struct DumpQuery {
    pub division: i32,
    pub entity: String,
}

/// `GET /_sim/dump?division=D&entity=E`: every current record (API property names).
pub async fn dump(State(app): State<Arc<App>>, Query(q): Query<DumpQuery>) -> Response {
    let Some(entity) = Entity::from_name(&q.entity) else {
        return bad_request(format!("unknown entity '{}'", q.entity));
    };
    if !app.divisions.contains(&q.division) {
        return bad_request(format!("unknown division {}", q.division));
    }
    let records = app.data().dump(q.division, entity);
    // Navigation links point where the sync endpoint serves the row, as its pages do.
    let sync_path = crate::catalog::ENDPOINTS
        .iter()
        .find(|e| e.entity == Some(entity) && e.family == crate::catalog::Family::Sync)
        .map(|e| e.path);
    let rows: Vec<Value> = records
        .into_iter()
        .map(|mut record| {
            if let (Some(path), Some(id)) = (
                sync_path,
                record.get("ID").and_then(Value::as_str).map(str::to_owned),
            ) {
                for (name, value) in record.iter_mut() {
                    if value.get("__deferred").is_some() {
                        let uri = format!(
                            "{}/api/v1/{}/{path}(guid'{id}')/{name}",
                            app.base_url, q.division
                        );
                        *value = json!({"__deferred": {"uri": uri}});
                    }
                }
            }
            Value::Object(record)
        })
        .collect();
    Json(Value::Array(rows)).into_response()
}

/// `GET /_sim/clock`.
pub async fn clock(State(app): State<Arc<App>>) -> Response {
    Json(json!({"now_ms": app.now_ms(), "time_scale": app.clock.time_scale()})).into_response()
}

/// Body of `POST /_sim/clock/advance`.
#[derive(Debug, Deserialize)]
pub struct Advance {
    pub ms: i64,
}

/// Body of `POST /_sim/divisions/move`.
#[derive(Debug, Deserialize)]
pub struct MoveDivision {
    pub division: i32,
}

/// `POST /_sim/divisions/move {"division":D}`: the division moves to another database, so its
/// `DivisionMoveDate` becomes now.
pub async fn move_division(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match json_body::<MoveDivision>(&headers, &body, "move") {
        Ok(m) => {
            let now = app.now_ms();
            if app.data_mut().move_division(m.division, now) {
                Json(json!({"division": m.division, "moved_ms": now})).into_response()
            } else {
                bad_request(format!("unknown division {}", m.division))
            }
        }
        Err((status, text)) => refusal(status, text),
    }
}

/// `POST /_sim/clock/advance {"ms":N}`: jumps the sim clock forward.
pub async fn advance_clock(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match json_body::<Advance>(&headers, &body, "advance") {
        Ok(a) if a.ms >= 0 => {
            app.clock.advance(a.ms);
            Json(json!({"now_ms": app.now_ms(), "time_scale": app.clock.time_scale()}))
                .into_response()
        }
        Ok(_) => bad_request("the clock only moves forward"),
        Err((status, text)) => refusal(status, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_are_admin_hosts() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost",
            "LocalHost:1",
            "[::1]",
            "[::1]:47615",
        ] {
            assert!(is_loopback_host(host), "{host} is loopback");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "localhost.evil.example:80",
            "127.0.0.2:80",
            "0.0.0.0:80",
            "[::1]x",
            "[::1",
            "127.0.0.1:port",
            "127.0.0.1:80:80",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host} must be refused");
        }
    }

    #[test]
    fn secrets_match_exactly() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
