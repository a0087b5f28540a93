//! What both pages of the panel share (the desk at `/agent/` and the
//! admin pages at `/agent/admin/`, two programs so that each download
//! stays within its budget): the session check, the login form, and the
//! header with the page's sections, the site picker, who is signed in and
//! log out.

use crate::api;
use leptos::prelude::*;
use shared::protocol::{AgentSession, LoginRequest};

/// What a page shows once an agent is signed in; it gets the session and
/// the signal that, set to `None`, signs out.
pub type Page = fn(AgentSession, RwSignal<Option<AgentSession>>) -> AnyView;

/// The page after the session is checked, the login form without one.
pub fn signed_in(page: Page) -> impl IntoView {
    let session = RwSignal::new(None::<AgentSession>);
    let checked = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Ok(Some(s)) = api::get::<Option<AgentSession>>("/api/v1/agent/session").await {
            api::set_csrf(&s.csrf_token);
            session.set(Some(s));
        }
        checked.set(true);
    });
    move || match (checked.get(), session.get()) {
        (false, _) => view! { <main class="panel"><p>"Loading…"</p></main> }.into_any(),
        (true, None) => view! { <Login session=session/> }.into_any(),
        (true, Some(s)) => page(s, session),
    }
}

#[component]
fn Login(session: RwSignal<Option<AgentSession>>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let login = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        let body = serde_json::to_string(&login).unwrap_or_default();
        leptos::task::spawn_local(async move {
            match api::post("/api/v1/agent/login", &body).await.and_then(|t| {
                crate::json::decode::<AgentSession>(&t).ok_or_else(api::network_error)
            }) {
                Ok(s) => {
                    api::set_csrf(&s.csrf_token);
                    session.set(Some(s));
                }
                Err(e) => problem.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <main class="panel login">
            <h1>"Agent panel"</h1>
            <form class="login-form" on:submit=submit>
                <label for="email">"E-mail"</label>
                <input id="email" type="email" autocomplete="username" required
                    prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                <label for="password">"Password"</label>
                <input id="password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <button type="submit" disabled=move || busy.get()>"Log in"</button>
                <p class="problem" role="alert">{move || problem.get()}</p>
            </form>
        </main>
    }
}

/// The sites this agent works for, and the one chosen: `?site=demo` in
/// the address opens that site, else the first.
pub fn pick_site() -> (RwSignal<Vec<String>>, RwSignal<Option<String>>) {
    let sites = RwSignal::new(Vec::<String>::new());
    let site = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::get::<Vec<String>>("/api/v1/agent/sites").await {
            let wanted = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .and_then(|q| q.strip_prefix("?site=").map(str::to_string))
                .filter(|s| list.contains(s));
            site.set(wanted.or_else(|| list.first().cloned()));
            sites.set(list);
        }
    });
    (sites, site)
}

/// The header of both pages; `children` are the page's sections.
#[component]
pub fn Header(
    title: &'static str,
    name: String,
    signed_out: RwSignal<Option<AgentSession>>,
    sites: RwSignal<Vec<String>>,
    site: RwSignal<Option<String>>,
    children: Children,
) -> impl IntoView {
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::post("/api/v1/agent/logout", "{}").await;
            signed_out.set(None);
        });
    };
    view! {
        <header class="desk-header">
            <h1>{title}</h1>
            <nav aria-label="Sections">{children()}</nav>
            <label class="site-pick">"Site "
                <select prop:value=move || site.get().unwrap_or_default() on:change=move |ev| site.set(Some(event_target_value(&ev)))>
                    {move || sites.get().into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <span class="me">{name}</span>
            <button type="button" on:click=logout>"Log out"</button>
        </header>
    }
}
