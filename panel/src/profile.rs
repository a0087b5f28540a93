//! The visitor beside their conversation: who they are (the name the site
//! gave or signed, the address they left), their other conversations with
//! the site (of the agent's teams), each opening in the desk, and the
//! questions they left (`GET …/conversations/{id}/visitor`).

use crate::api;
use crate::labels::describe;
use leptos::prelude::*;
use serde::Deserialize;
use shared::protocol::{ConversationState, TicketStatus};

/// What the desk reads of a `shared::protocol::VisitorProfile`.
#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    user_id: Option<String>,
    conversations: Vec<Past>,
    #[serde(default)]
    same_typed_email: Vec<Past>,
    tickets: Vec<crate::tickets::TicketItem>,
}

/// What the desk reads of a `shared::protocol::SearchHit`.
#[derive(Deserialize)]
struct Past {
    conversation_id: String,
    title: String,
    team: Option<String>,
    state: ConversationState,
    rating: Option<u8>,
    created_ms: i64,
}

#[component]
pub fn VisitorCard(id: String, teams: RwSignal<Vec<shared::team::Team>>) -> impl IntoView {
    let profile = RwSignal::new(None::<Profile>);
    {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            if let Ok(p) = api::get(&format!("/api/v1/agent/conversations/{id}/visitor")).await {
                profile.set(Some(p));
            }
        });
    }
    let selected = use_context::<RwSignal<Option<String>>>();
    move || {
        profile.with(|p| p.as_ref().map(|p| {
            let others: Vec<&Past> = p
                .conversations
                .iter()
                .filter(|c| c.conversation_id != id)
                .collect();
            let count = match others.len() {
                0 => "No other conversations".to_string(),
                1 => "1 other conversation".into(),
                n => format!("{n} other conversations"),
            };
            let list = |items: Vec<&Past>| items.into_iter().map(|c| {
                let open = c.conversation_id.clone();
                // The team by its name, as elsewhere in the desk.
                let team = c.team.as_deref().map(|id| teams.with(|all| {
                    all.iter().find(|t| t.id == id).map_or(id.to_string(), |t| t.name.clone())
                }));
                let meta = describe(c.created_ms, team.as_deref(), c.state, c.rating);
                view! { <li><button type="button" class="past-item"
                    on:click=move |_| if let Some(s) = selected { s.set(Some(open.clone())) }>
                    <span class="wants">{c.title.clone()}</span><span class="meta">{meta}</span>
                </button></li> }
            }).collect_view();
            let fact = |label: &'static str, class: &'static str, value: Option<String>| {
                value.map(|v| view! { <dt>{label}</dt><dd class=class>{v}</dd> })
            };
            view! {
                <section class="visitor-profile" aria-label="Visitor">
                    <h3>"Visitor"</h3>
                    <dl>
                        {fact("Name", "name", p.name.clone())}
                        {fact("E-mail", "email", p.email.clone().map(|e| {
                            if p.email_verified { e } else { format!("{e} (typed, not verified)") }
                        }))}
                        {fact("Signed in as", "user", p.user_id.clone())}
                    </dl>
                    <h4>{count}</h4>
                    <ul class="past">{list(others)}</ul>
                    {(!p.same_typed_email.is_empty()).then(|| view! {
                        // Anyone can type anyone's address: maybe not this visitor.
                        <h4>"Same e-mail address, typed: maybe someone else"</h4>
                        <ul class="same-email">{list(p.same_typed_email.iter().collect())}</ul>
                    })}
                    {(!p.tickets.is_empty()).then(|| view! {
                        <h4>"Questions left"</h4>
                        <ul class="tickets-left">
                            {p.tickets.iter().map(|t| view! { <li>{format!("{} · {}", t.question, match t.status {
                                TicketStatus::Open => "open",
                                TicketStatus::Answered => "answered",
                                TicketStatus::Closed => "closed",
                            })}</li> }).collect_view()}
                        </ul>
                    })}
                </section>
            }
        }))
    }
}
