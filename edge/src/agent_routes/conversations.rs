//! One conversation, for an agent: its packet and transcript, socket,
//! export, erasure, claim, hand back, resolve, transfer, suggestions and
//! the draft of an FAQ entry from the agent's answer, the question the
//! visitor left for the team (take, answer, close), and photos.
//! Each is passed on to the conversation's object with the agent.

use super::{forward, Caller};
use crate::conversation::{self, TransferCall};
use crate::directory;
use crate::error::{EdgeError, EdgeResult};
use crate::http;
use shared::protocol::{parse_conversation_id, TicketReply, Transfer, MAX_BODY_BYTES};
use worker::{Method, Request, Response};

pub async fn route(
    mut req: Request,
    caller: &Caller<'_>,
    id: &str,
    rest: &[&str],
) -> EdgeResult<Response> {
    let id = parse_conversation_id(id).ok_or_else(EdgeError::not_found)?;
    let stub = conversation::stub(caller.env, id)?;
    match (req.method(), rest) {
        // The packet and transcript; or, with DELETE, erase it.
        (Method::Get, [] | ["export" | "suggestions" | "faq-draft" | "visitor"]) => {
            forward(&req, stub, caller, Method::Get, None).await
        }
        (Method::Delete, []) => forward(&req, stub, caller, Method::Delete, None).await,
        (
            Method::Post,
            ["claim" | "hand-back" | "resolve" | "take-question" | "close-question"],
        ) => forward(&req, stub, caller, Method::Post, None).await,
        (Method::Post, ["transfer"]) => {
            // Checked here, before it is passed on: the colleague must be
            // an active agent.
            let call = match http::read_json(&mut req, MAX_BODY_BYTES).await? {
                Transfer::Team(team) => TransferCall::Team(team),
                Transfer::Agent(id) => TransferCall::Agent(
                    directory::call(caller.env, directory::Colleague { id }).await?,
                ),
            };
            let body = serde_json::to_string(&call)?;
            forward(&req, stub, caller, Method::Post, Some(&body)).await
        }
        // An answer to the question the visitor left; checked here, before
        // it is passed on.
        (Method::Post, ["reply"]) => {
            let reply: TicketReply = http::read_json(&mut req, MAX_BODY_BYTES).await?;
            let body = serde_json::to_string(&reply)?;
            forward(&req, stub, caller, Method::Post, Some(&body)).await
        }
        // A photo for the visitor, from the agent who has the conversation.
        (Method::Post, ["photos"]) => {
            crate::photos::check_upload(caller.env, &req).await?;
            super::forward_upload(req, stub, caller).await
        }
        (_, ["ws"]) => {
            http::require_websocket_upgrade(&req)?;
            forward(&req, stub, caller, Method::Get, None).await
        }
        (
            _,
            []
            | ["export" | "suggestions" | "faq-draft" | "claim" | "hand-back" | "resolve" | "transfer"
            | "reply" | "photos"],
        ) => Err(EdgeError::new(
            shared::protocol::ErrorCode::MethodNotAllowed,
            "This method is not allowed here.",
        )),
        _ => Err(EdgeError::nothing_here()),
    }
}
