//! Logging in and out, and admins managing agents.

use super::{Caller, COOKIE};
use crate::directory::{self, AdminCall};
use crate::error::{EdgeError, EdgeResult};
use crate::http;
use shared::protocol::{AgentSession, LoginRequest, MAX_BODY_BYTES};
use worker::{Env, Method, Request, Response};

pub async fn login(req: &mut Request, env: &Env) -> EdgeResult<Response> {
    let body: LoginRequest = http::read_json(req, MAX_BODY_BYTES).await?;
    let address = req
        .headers()
        .get("cf-connecting-ip")?
        .unwrap_or_else(|| "local".into());
    let login = directory::Login {
        email: body.email,
        password: body.password,
        address,
    };
    let logged_in = directory::call(env, login).await?;
    let res = http::json_response::<AgentSession>(&logged_in.session, 200)?;
    let max_age = directory::SESSION_TTL_MS / 1000;
    res.headers().set(
        "set-cookie",
        &format!(
            "{COOKIE}={}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age}",
            logged_in.token
        ),
    )?;
    Ok(res)
}

pub async fn logout(req: &Request, caller: &Caller<'_>) -> EdgeResult<Response> {
    http::require_method(req, Method::Post)?;
    let logout = directory::Logout {
        token: caller.token.clone(),
    };
    directory::call(caller.env, logout).await?;
    let res = Response::empty()?.with_status(204);
    res.headers().set(
        "set-cookie",
        &format!("{COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0"),
    )?;
    Ok(res)
}

/// `admin/agents[/{id}[/disable|enable]]`: list, add, disable, enable,
/// remove.
pub async fn agents(mut req: Request, caller: &Caller<'_>, rest: &[&str]) -> EdgeResult<Response> {
    caller.require_admin("Only an admin can manage agents.")?;
    let call = match (req.method(), rest) {
        (Method::Get, []) => AdminCall::List,
        (Method::Post, []) => AdminCall::Add(http::read_json(&mut req, MAX_BODY_BYTES).await?),
        (Method::Post, [id, "disable"]) => AdminCall::SetDisabled {
            id: id.to_string(),
            disabled: true,
        },
        (Method::Post, [id, "enable"]) => AdminCall::SetDisabled {
            id: id.to_string(),
            disabled: false,
        },
        (Method::Delete, [id]) => AdminCall::Remove { id: id.to_string() },
        _ => return Err(EdgeError::nothing_here()),
    };
    let status = if matches!(call, AdminCall::Add(_)) {
        201
    } else {
        200
    };
    let admin = directory::Admin {
        by: caller.session.agent.id.clone(),
        call,
    };
    http::json_response(&directory::call(caller.env, admin).await?, status)
}
