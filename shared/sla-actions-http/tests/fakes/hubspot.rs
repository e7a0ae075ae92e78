//! HubSpot CRM v3, per <https://developers.hubspot.com/docs/api/crm/tickets> (`GET` with
//! `properties=`, `PATCH /crm/v3/objects/tickets/{id}` `{"properties"}`),
//! <https://developers.hubspot.com/docs/api/crm/notes> (`POST /crm/v3/objects/notes`:
//! `hs_timestamp` required, `hs_note_body`, associations with HUBSPOT_DEFINED type 228
//! note→ticket) and private-app bearer auth (<https://developers.hubspot.com/docs/api/private-apps>).

use serde_json::{json, Value};

use super::{check_auth, check_json, Call, Reply};

pub const TOKEN: &str = "pat-na1-token";
pub const TICKET: &str = "31";

pub fn state() -> Value {
    json!({"hs_ticket_priority": "MEDIUM", "hubspot_owner_id": null, "notes": []})
}

pub fn handle(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_auth(call, &format!("Bearer {TOKEN}")) {
        return reply;
    }
    let ticket = format!("/crm/v3/objects/tickets/{TICKET}");
    let path = call.path.as_str();
    match call.method.as_str() {
        "GET" if path == format!("{ticket}?properties=hs_ticket_priority") => Reply::ok(json!({
            "id": TICKET,
            "properties": {"hs_ticket_priority": state["hs_ticket_priority"]},
        })),
        "PATCH" if path == ticket => {
            if let Some(reply) = check_json(call) {
                return reply;
            }
            let Some(properties) = call.body["properties"].as_object() else {
                return Reply::bad("body must be {\"properties\": {...}}");
            };
            for (name, value) in properties {
                if !matches!(name.as_str(), "hs_ticket_priority" | "hubspot_owner_id")
                    || !value.is_string()
                {
                    return Reply::bad(format!("unexpected property {name}: {value}"));
                }
                state[name] = value.clone();
            }
            Reply::ok(json!({"id": TICKET}))
        }
        "POST" if path == "/crm/v3/objects/notes" => note(call, state),
        _ => Reply::status(404, json!({"status": "error"})),
    }
}

fn note(call: &Call, state: &mut Value) -> Reply {
    if let Some(reply) = check_json(call) {
        return reply;
    }
    let body = &call.body;
    let association = &body["associations"][0];
    let valid = body["properties"]["hs_timestamp"].is_string()
        && body["properties"]["hs_note_body"].is_string()
        && association["to"]["id"] == TICKET
        && association["types"][0]["associationCategory"] == "HUBSPOT_DEFINED"
        && association["types"][0]["associationTypeId"] == 228;
    if !valid {
        return Reply::bad(
            "note needs hs_timestamp, hs_note_body and a 228 association to the ticket",
        );
    }
    state["notes"].as_array_mut().unwrap().push(body.clone());
    Reply::status(201, json!({"id": "note_1"}))
}
