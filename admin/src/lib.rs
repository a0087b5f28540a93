//! The panel's admin pages at `/agent/admin/`: agents, the site's
//! settings and knowledge base, and its alerts. A program of its own
//! (the desk is the `panel` crate), sharing the panel's login, header and
//! API client; the edge checks that the agent is an admin on every call.

mod agents;
mod alerts;
mod drafts;
mod entries;
mod identity;
mod proactive;
mod settings;
mod teams;
mod trial;

use leptos::prelude::*;
use panel::shell::{self, Header};
use shared::protocol::AgentSession;

/// Called by `/agent/admin/boot.js` once the module is loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start() {
    leptos::mount::mount_to_body(|| shell::signed_in(admin));
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Agents,
    Settings,
    Alerts,
}

fn admin(session: AgentSession, signed_out: RwSignal<Option<AgentSession>>) -> AnyView {
    if !session.agent.admin {
        return view! {
            <main class="panel">
                <p>"Only admins set up sites and agents. "<a href="/agent/">"Back to the desk"</a></p>
            </main>
        }
        .into_any();
    }
    let (sites, site) = shell::pick_site();
    // `#settings` (the loader's console message links there) opens Settings.
    let hash = web_sys::window().and_then(|w| w.location().hash().ok());
    let first = match hash.as_deref() {
        Some("#settings") => Tab::Settings,
        Some("#alerts") => Tab::Alerts,
        _ => Tab::Agents,
    };
    let tab = RwSignal::new(first);
    let desk_href = move || format!("/agent/?site={}", site.get().unwrap_or_default());
    view! {
        <div class="desk">
            <Header title="Admin" name=session.agent.name signed_out=signed_out sites=sites site=site>
                <button type="button" aria-pressed=move || (tab.get() == Tab::Agents).to_string() on:click=move |_| tab.set(Tab::Agents)>"Agents"</button>
                <button type="button" aria-pressed=move || (tab.get() == Tab::Settings).to_string() on:click=move |_| tab.set(Tab::Settings)>"Settings"</button>
                <button type="button" aria-pressed=move || (tab.get() == Tab::Alerts).to_string() on:click=move |_| tab.set(Tab::Alerts)>"Alerts"</button>
                <a class="nav-link" href=desk_href>"Desk"</a>
            </Header>
            {move || site.get().map(|s| match tab.get() {
                Tab::Agents => view! { <agents::AgentsPage/> }.into_any(),
                Tab::Settings => view! { <settings::SettingsPage site=s/> }.into_any(),
                Tab::Alerts => view! { <alerts::AlertsPage site=s/> }.into_any(),
            })}
        </div>
    }
    .into_any()
}
