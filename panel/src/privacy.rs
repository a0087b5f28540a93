//! GDPR tools: find a visitor's conversations by the e-mail address they
//! left, export one as JSON, erase one (confirmed; the edge logs who did it).

use crate::api;
use leptos::prelude::*;

#[component]
pub fn PrivacyPage(site: String) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Vec<String>>);
    let problem = RwSignal::new(None::<String>);
    let exports = RwSignal::new(Vec::<(String, String)>::new());
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let query = js_sys::encode_uri_component(&email.get_untracked())
            .as_string()
            .unwrap_or_default();
        let site = site.clone();
        leptos::task::spawn_local(async move {
            match api::get::<Vec<String>>(&format!(
                "/api/v1/agent/sites/{site}/visitors?email={query}"
            ))
            .await
            {
                Ok(ids) => found.set(Some(ids)),
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    let export = move |id: String| {
        leptos::task::spawn_local(async move {
            match api::get_text(&format!("/api/v1/agent/conversations/{id}/export")).await {
                Ok(json) => {
                    let href = format!(
                        "data:application/json;charset=utf-8,{}",
                        js_sys::encode_uri_component(&json)
                    );
                    exports.update(|e| e.push((id, href)));
                }
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    let erase = move |id: String| {
        let sure = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Erase conversation {id} for good? This cannot be undone."
                ))
                .ok()
            })
            .unwrap_or(false);
        if !sure {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/api/v1/agent/conversations/{id}")).await {
                Ok(_) => found.update(|f| {
                    if let Some(ids) = f {
                        ids.retain(|x| *x != id);
                    }
                }),
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="privacy-tools" aria-label="Privacy requests">
            <h2>"Privacy requests"</h2>
            <form class="visitor-search" on:submit=search>
                <label for="visitor-email">"Visitor's e-mail address"</label>
                <input id="visitor-email" type="email" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                <button type="submit">"Find conversations"</button>
            </form>
            <p class="problem" role="alert">{move || problem.get()}</p>
            {move || found.get().map(|ids| if ids.is_empty() {
                view! { <p class="empty">"No conversations with this address."</p> }.into_any()
            } else {
                view! {
                    <ul class="found">
                        {ids.into_iter().map(|id| {
                            let (a, b, c) = (id.clone(), id.clone(), id.clone());
                            view! {
                                <li>
                                    <code>{id.clone()}</code>" "
                                    <button type="button" on:click=move |_| export(a.clone())>"Export"</button>" "
                                    <button type="button" class="erase" on:click=move |_| erase(b.clone())>"Erase"</button>" "
                                    {move || exports.get().into_iter().find(|(x, _)| *x == c).map(|(x, href)| view! {
                                        <a href=href download=format!("conversation-{x}.json")>"Download JSON"</a>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}
