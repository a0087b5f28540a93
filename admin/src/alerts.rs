//! Admins point the site's alerts at their own tools: webhooks for new
//! hand-offs, tickets and ratings (signed JSON, or Slack-compatible text),
//! with the secret to check signatures, a test button and the delivery log.

use leptos::prelude::*;
use panel::api;
use shared::alerts::{AlertEvent, AlertsView, DeliveryStatus, HookFormat, NewHook};

const EVENTS: [(AlertEvent, &str); 3] = [
    (AlertEvent::Handoff, "A visitor waits for a person"),
    (AlertEvent::Ticket, "A visitor left a question"),
    (AlertEvent::Rating, "A visitor rated a conversation"),
];

#[component]
pub fn AlertsPage(site: String) -> impl IntoView {
    let view_data = RwSignal::new(AlertsView::default());
    let problem = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let base = format!("/api/v1/agent/sites/{site}/alerts");
    let reload = {
        let base = base.clone();
        move || {
            let base = base.clone();
            leptos::task::spawn_local(async move {
                match api::get::<AlertsView>(&base).await {
                    Ok(v) => view_data.set(v),
                    Err(e) => problem.set(Some(e.message)),
                }
            });
        }
    };
    reload();
    // Remove or test a hook, then show the log again (a test goes out
    // from the edge's alarm, a moment later).
    let act = {
        let reload = reload.clone();
        move |method: &'static str, path: String, done: &'static str| {
            problem.set(None);
            status.set(None);
            let reload = reload.clone();
            leptos::task::spawn_local(async move {
                match api::act(method, &path).await {
                    Ok(_) => {
                        status.set(Some(done.into()));
                        reload();
                    }
                    Err(e) => problem.set(Some(e.message)),
                }
            });
        }
    };
    let url = RwSignal::new(String::new());
    let slack = RwSignal::new(false);
    let wanted = RwSignal::new(vec![true; EVENTS.len()]);
    let add = {
        let (base, reload) = (base.clone(), reload.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let hook = NewHook {
                url: url.get_untracked(),
                format: if slack.get_untracked() {
                    HookFormat::Slack
                } else {
                    HookFormat::Json
                },
                events: EVENTS
                    .iter()
                    .zip(wanted.get_untracked())
                    .filter(|(_, on)| *on)
                    .map(|((e, _), _)| *e)
                    .collect(),
            };
            let body = serde_json::to_string(&hook).unwrap_or_default();
            let (base, reload) = (base.clone(), reload.clone());
            problem.set(None);
            status.set(None);
            leptos::task::spawn_local(async move {
                match api::post(&base, &body).await {
                    Ok(_) => {
                        url.set(String::new());
                        status.set(Some("Added. Send a test to check the receiver.".into()));
                        reload();
                    }
                    Err(e) => problem.set(Some(e.message)),
                }
            });
        }
    };
    let hook_url = move |id: i64| {
        view_data.with(|v| {
            v.hooks
                .iter()
                .find(|h| h.id == id)
                .map_or_else(|| "(removed)".to_string(), |h| h.url.clone())
        })
    };
    view! {
        <section class="alerts" aria-labelledby="alerts-title">
            <h2 id="alerts-title">"Alerts"</h2>
            <p>"Webhooks tell your tools when a visitor needs the team. Each delivery is signed (Standard Webhooks: the README shows how to check it) and tried again for about eight hours if the receiver fails. Only what happened is sent, never what the visitor wrote: that stays in the panel."</p>
            <p class="problem" role="alert">{move || problem.get()}</p>
            <p class="saved" role="status">{move || status.get()}</p>
            <table class="hooks-table">
                <caption>"Hooks"</caption>
                <thead><tr><th scope="col">"Address"</th><th scope="col">"Format"</th><th scope="col">"Events"</th><th scope="col">"Signing secret"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>
                    {move || view_data.get().hooks.into_iter().map(|h| {
                        let test = format!("{base}/{}/test", h.id);
                        let remove = format!("{base}/{}", h.id);
                        let act = act.clone();
                        let act2 = act.clone();
                        let events: Vec<&str> = h.events.iter().map(|e| e.as_str()).collect();
                        view! {
                            <tr>
                                <td class="hook-url">{h.url}</td>
                                <td>{if h.format == HookFormat::Slack { "Slack" } else { "JSON" }}</td>
                                <td>{events.join(", ")}</td>
                                <td><code>{h.secret}</code></td>
                                <td>
                                    <button type="button" on:click=move |_| act("POST", test.clone(), "Test sent: see the log below.")>"Send a test"</button>
                                    " "
                                    <button type="button" on:click=move |_| act2("DELETE", remove.clone(), "Removed.")>"Remove"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form class="add-hook" on:submit=add>
                <h3>"Add a hook"</h3>
                <label for="hook-url">"Address (https)"</label>
                <input id="hook-url" type="url" required maxlength="2000" placeholder="https://hooks.example.com/chat"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                <label for="hook-format">"Format"</label>
                <select id="hook-format" on:change=move |ev| slack.set(event_target_value(&ev) == "slack")>
                    <option value="json">"JSON, signed"</option>
                    <option value="slack">"Slack-compatible incoming webhook"</option>
                </select>
                <fieldset>
                    <legend>"Events"</legend>
                    {EVENTS.iter().enumerate().map(|(i, (_, label))| view! {
                        <label><input type="checkbox" prop:checked=move || wanted.with(|w| w[i])
                            on:change=move |ev| wanted.update(|w| w[i] = event_target_checked(&ev))/>" "{*label}</label>
                    }).collect_view()}
                </fieldset>
                <button type="submit">"Add hook"</button>
            </form>
            <h3>"Deliveries"</h3>
            <button type="button" on:click=move |_| reload()>"Refresh"</button>
            <table class="deliveries-table">
                <thead><tr><th scope="col">"Time"</th><th scope="col">"Event"</th><th scope="col">"Address"</th><th scope="col">"Attempts"</th><th scope="col">"Status"</th><th scope="col">"Last result"</th></tr></thead>
                <tbody>
                    {move || view_data.get().deliveries.into_iter().map(|d| {
                        let when = js_sys::Date::new(&(d.at_ms as f64).into())
                            .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED);
                        view! {
                            <tr>
                                <td>{String::from(when)}</td>
                                <td>{d.event.as_str()}</td>
                                <td class="hook-url">{hook_url(d.hook_id)}</td>
                                <td>{d.attempts}</td>
                                <td>{match d.status {
                                    DeliveryStatus::Pending => "pending",
                                    DeliveryStatus::Delivered => "delivered",
                                    DeliveryStatus::Failed => "failed",
                                }}</td>
                                <td>{d.result}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
