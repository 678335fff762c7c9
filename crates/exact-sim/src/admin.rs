//! Admin routes under `/_sim/` (no auth, not counted, not rate limited): statistics, mutations,
//! fault rules, dumps of the current data, and the sim clock.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::App;
use crate::data::{Entity, Mutation};
use crate::faults::FaultSet;

fn bad_request(text: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": text.into()}))).into_response()
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
pub async fn mutate(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let body: MutateBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(format!("mutate body is invalid: {e}")),
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
pub async fn set_faults(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<FaultSet>(&body) {
        Ok(set) => {
            let count = set.rules.len();
            app.faults().replace(set.rules);
            Json(json!({"rules": count})).into_response()
        }
        Err(e) => bad_request(format!("fault body is invalid: {e}")),
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
pub async fn move_division(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<MoveDivision>(&body) {
        Ok(m) => {
            let now = app.now_ms();
            if app.data_mut().move_division(m.division, now) {
                Json(json!({"division": m.division, "moved_ms": now})).into_response()
            } else {
                bad_request(format!("unknown division {}", m.division))
            }
        }
        Err(e) => bad_request(format!("move body is invalid: {e}")),
    }
}

/// `POST /_sim/clock/advance {"ms":N}`: jumps the sim clock forward.
pub async fn advance_clock(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Advance>(&body) {
        Ok(a) if a.ms >= 0 => {
            app.clock.advance(a.ms);
            Json(json!({"now_ms": app.now_ms(), "time_scale": app.clock.time_scale()}))
                .into_response()
        }
        Ok(_) => bad_request("the clock only moves forward"),
        Err(e) => bad_request(format!("advance body is invalid: {e}")),
    }
}
