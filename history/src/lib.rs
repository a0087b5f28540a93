//! Search through a site's past conversations: words, and behind
//! "Filters" the visitor, dates, team, reason, rating and state (`GET
//! …/sites/{site}/search`). A program of its own, which the desk mounts
//! into its queue column once it has started (`mount`), so the desk's own
//! download stays in its budget. A result is opened in the desk: it is
//! told with a `panel-open` event carrying the conversation's id. The
//! matching line is shown as text with the words found in `<mark>`.

use leptos::prelude::*;
use panel::api;
use panel::labels::{describe, reason_label, stars, state_label};
use shared::protocol::{ConversationState, SearchHit, SearchRequest, Trigger};
use wasm_bindgen::prelude::*;

/// Called by the desk's boot script with the element to draw into.
#[wasm_bindgen]
pub fn mount(container: web_sys::HtmlElement, site: String) {
    leptos::mount::mount_to(container, move || view! { <SearchBox site=site/> }).forget();
    // Opened by the agent (a click or `/`): the words next.
    if let Some(words) = document().get_element_by_id("search-words") {
        if let Ok(words) = words.dyn_into::<web_sys::HtmlElement>() {
            let _ = words.focus();
        }
    }
}

/// Asks the desk to open a conversation.
fn open(id: &str) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&JsValue::from_str(id));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("panel-open", &init) {
        let _ = window().dispatch_event(&event);
    }
}

/// The search form and its results (none until the agent searches). The
/// fields are read from the form when it is sent: one handler, not one per
/// field.
#[component]
fn SearchBox(site: String) -> impl IntoView {
    let selected = RwSignal::new(None::<String>);
    let results = RwSignal::new(None::<Result<Vec<SearchHit>, String>>);
    let teams = RwSignal::new(Vec::<shared::team::Team>::new());
    {
        let site = site.clone();
        leptos::task::spawn_local(async move {
            if let Ok(t) = api::get(&format!("/api/v1/agent/sites/{site}/teams")).await {
                teams.set(t);
            }
        });
    }
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let Ok(fields) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let field = |name| fields.get(name).as_string().unwrap_or_default();
        let search = SearchRequest::from_pairs([
            ("words", field("words").as_str()),
            ("visitor", &field("visitor")),
            ("team", &field("team")),
            ("trigger", &field("trigger")),
            ("rating", &field("rating")),
            ("state", &field("state")),
        ])
        .map(|mut s| {
            s.from_ms = day_start(&field("from"), 0);
            // Through the end of the day chosen.
            s.to_ms = day_start(&field("to"), 1);
            s
        });
        let site = site.clone();
        leptos::task::spawn_local(async move {
            let found = match search {
                Ok(search) => {
                    let query = web_sys::UrlSearchParams::new().ok();
                    if let Some(q) = &query {
                        for (name, value) in search.to_pairs() {
                            q.append(name, &value);
                        }
                    }
                    let query: String = query.map(|q| q.to_string().into()).unwrap_or_default();
                    api::get::<Vec<SearchHit>>(&format!(
                        "/api/v1/agent/sites/{site}/search?{query}"
                    ))
                    .await
                    .map_err(|e| e.message)
                }
                Err(bad) => Err(bad.0.to_string()),
            };
            results.set(Some(found));
        });
    };
    view! {
        <form class="search" role="search" aria-label="Search conversations" on:submit=run>
            <div class="search-row">
                <input id="search-words" name="words" type="search" placeholder="Search conversations"
                    aria-label="Words in conversations" aria-keyshortcuts="/" maxlength="200"/>
                <button type="submit">"Search"</button>
            </div>
            <details class="filters">
                <summary>"Filters"</summary>
                <label>"Visitor name or e-mail"<input name="visitor" type="text" maxlength="200"/></label>
                <label>"From"<input name="from" type="date"/></label>
                <label>"To"<input name="to" type="date"/></label>
                <label>"Team"<select name="team">
                    <option value="">"Any"</option>
                    {move || teams.get().into_iter().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                </select></label>
                <label>"Reason"<select name="trigger">
                    <option value="">"Any"</option>
                    {Trigger::ALL.map(|t| view! { <option value=t.as_str()>{reason_label(t)}</option> }).collect_view()}
                </select></label>
                <label>"Rating"<select name="rating">
                    <option value="">"Any"</option>
                    {[1u8, 2, 3, 4, 5].map(|r| view! { <option value=r>{stars(r)}</option> }).collect_view()}
                </select></label>
                <label>"State"<select name="state">
                    <option value="">"Any"</option>
                    {ConversationState::ALL.map(|s| view! { <option value=s.as_str()>{state_label(s)}</option> }).collect_view()}
                </select></label>
            </details>
        </form>
        {move || results.get().map(|found| match found {
            Err(message) => view! { <p class="problem" role="alert">{message}</p> }.into_any(),
            Ok(hits) => view! {
                <section class="search-results" aria-label="Search results">
                    <h2>{match hits.len() { 0 => "Nothing found".to_string(), 1 => "1 found".into(), n => format!("{n} found") }}
                        " "<button type="button" class="clear" on:click=move |_| results.set(None)>"Clear"</button></h2>
                    <ul class="queue-list">{hits.into_iter().map(|mut h| {
                        // The team by its name, as the filter shows it.
                        h.team = h.team.map(|id| teams.with_untracked(|all| {
                            all.iter().find(|t| t.id == id).map_or(id, |t| t.name.clone())
                        }));
                        view! { <li><HitButton hit=h selected=selected/></li> }
                    }).collect_view()}</ul>
                </section>
            }.into_any(),
        })}
    }
}

/// One conversation found: its title, what it is, and the matching line.
#[component]
fn HitButton(hit: SearchHit, selected: RwSignal<Option<String>>) -> impl IntoView {
    let id = hit.conversation_id.clone();
    let current = {
        let id = id.clone();
        move || (selected.get().as_deref() == Some(id.as_str())).to_string()
    };
    let meta = describe(hit.created_ms, hit.team.as_deref(), hit.state, hit.rating);
    let who = hit.who.map(|w| match w.as_str() {
        "visitor" => "Visitor: ".to_string(),
        "ai" => "AI: ".into(),
        "packet" => "Hand-off: ".into(),
        name => format!("{name}: "),
    });
    let line = (!hit.line.is_empty()).then(|| {
        view! {
            <span class="line">{who}{hit.line.into_iter().map(|part| if part.hit {
                view! { <mark>{part.text}</mark> }.into_any()
            } else {
                part.text.into_any()
            }).collect_view()}</span>
        }
    });
    view! {
        <button type="button" class="queue-item hit" aria-current=current
            on:click=move |_| { open(&id); selected.set(Some(id.clone())); }>
            <span class="wants">{hit.title}</span>
            <span class="meta">{meta}</span>
            {line}
        </button>
    }
}

/// Local midnight of a date field's `YYYY-MM-DD`, `days` later, in Unix ms.
fn day_start(date: &str, days: u32) -> Option<i64> {
    if date.is_empty() {
        return None;
    }
    let start = js_sys::Date::new(&format!("{date}T00:00").into());
    let ms = start.get_time();
    if ms.is_nan() {
        return None;
    }
    start.set_date(start.get_date() + days);
    Some(start.get_time() as i64)
}
