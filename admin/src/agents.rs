//! Admins manage agents: add, disable or enable, remove.

use leptos::prelude::*;
use panel::api;
use shared::protocol::{AgentAccount, NewAgent};

#[component]
pub fn AgentsPage() -> impl IntoView {
    let accounts = RwSignal::new(Vec::<AgentAccount>::new());
    let problem = RwSignal::new(None::<String>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<AgentAccount>>("/api/v1/agent/admin/agents").await {
                Ok(a) => accounts.set(a),
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    reload();
    let act = move |method: &'static str, path: String| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            match api::act(method, &path).await {
                Ok(_) => reload(),
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    let (name, email, password, teams, sites, admin) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(false),
    );
    let ids = |text: String| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = NewAgent {
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            teams: ids(teams.get_untracked()),
            sites: ids(sites.get_untracked()),
            admin: admin.get_untracked(),
        };
        let body = serde_json::to_string(&new).unwrap_or_default();
        problem.set(None);
        leptos::task::spawn_local(async move {
            match api::post("/api/v1/agent/admin/agents", &body).await {
                Ok(_) => {
                    password.set(String::new());
                    reload();
                }
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="agents" aria-label="Agents">
            <h2>"Agents"</h2>
            <p class="problem" role="alert">{move || problem.get()}</p>
            <table class="agents-table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Teams"</th><th scope="col">"Sites"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>
                    {move || accounts.get().into_iter().map(|a| {
                        let id = a.profile.id.clone();
                        let toggle = if a.disabled { "enable" } else { "disable" };
                        let toggle_path = format!("/api/v1/agent/admin/agents/{id}/{toggle}");
                        let remove_path = format!("/api/v1/agent/admin/agents/{id}");
                        let who = a.profile.name.clone();
                        view! {
                            <tr>
                                <td>{a.profile.name.clone()}{a.profile.admin.then_some(" (admin)")}</td>
                                <td>{a.profile.email.clone()}</td>
                                <td>{if a.profile.teams.is_empty() { "all".to_string() } else { a.profile.teams.join(", ") }}</td>
                                <td>{if a.profile.sites.is_empty() { "all".to_string() } else { a.profile.sites.join(", ") }}</td>
                                <td>{if a.disabled { "disabled" } else { "active" }}</td>
                                <td>
                                    <button type="button" on:click=move |_| act("POST", toggle_path.clone())>{if a.disabled { "Enable" } else { "Disable" }}</button>
                                    " "
                                    <button type="button" on:click=move |_| {
                                        let sure = web_sys::window()
                                            .and_then(|w| w.confirm_with_message(&format!("Remove {who} for good?")).ok())
                                            .unwrap_or(false);
                                        if sure { act("DELETE", remove_path.clone()) }
                                    }>"Remove"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form class="add-agent" on:submit=add>
                <h3>"Add an agent"</h3>
                <label for="new-name">"Name"</label>
                <input id="new-name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <label for="new-email">"E-mail"</label>
                <input id="new-email" type="email" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                <label for="new-password">"Password (12 characters or more)"</label>
                <input id="new-password" type="password" autocomplete="new-password" required minlength="12"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <label for="new-teams">"Teams (ids, comma-separated; empty for all)"</label>
                <input id="new-teams" prop:value=move || teams.get() on:input=move |ev| teams.set(event_target_value(&ev))/>
                <label for="new-sites">"Sites (ids, comma-separated; empty for all)"</label>
                <input id="new-sites" prop:value=move || sites.get() on:input=move |ev| sites.set(event_target_value(&ev))/>
                <label><input type="checkbox" on:change=move |ev| admin.set(event_target_checked(&ev))/>" Admin"</label>
                <button type="submit">"Add"</button>
            </form>
        </section>
    }
}
