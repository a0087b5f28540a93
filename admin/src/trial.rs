//! "Try a question": what the AI would answer a visitor, with which entry
//! and how sure, the runners-up, and whether it would hand over to a
//! person. Against the saved knowledge base, or the text being edited.

use leptos::prelude::*;
use panel::api;
use shared::protocol::{Trial, TrialRequest};

#[component]
pub fn TryQuestion(site: String) -> impl IntoView {
    let question = RwSignal::new(String::new());
    let language = RwSignal::new("en".to_string());
    let draft = RwSignal::new(false);
    let result = RwSignal::new(None::<Trial>);
    let problem = RwSignal::new(None::<String>);
    let path = format!("/api/v1/agent/sites/{site}/faq/try");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let toml = draft.get_untracked().then(|| {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("kb-text"))
                .and_then(|e| {
                    wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlTextAreaElement>(e).ok()
                })
                .map(|t| t.value())
                .unwrap_or_default()
        });
        let body = serde_json::to_string(&TrialRequest {
            question: question.get_untracked(),
            language: language.get_untracked(),
            toml,
        })
        .unwrap_or_default();
        let path = path.clone();
        problem.set(None);
        leptos::task::spawn_local(async move {
            match api::post(&path, &body).await {
                Ok(text) => result.set(panel::json::decode::<Trial>(&text)),
                Err(e) => {
                    result.set(None);
                    problem.set(Some(e.message));
                }
            }
        });
    };
    view! {
        <form class="try-question" on:submit=submit aria-labelledby="try-title">
            <h3 id="try-title">"Try a question"</h3>
            <label for="try-text">"A visitor writes"</label>
            <input id="try-text" required maxlength="2000" prop:value=move || question.get()
                on:input=move |ev| question.set(event_target_value(&ev))/>
            <label for="try-lang">"In"</label>
            <select id="try-lang" on:change=move |ev| language.set(event_target_value(&ev))>
                <option value="en">"English"</option>
                <option value="de">"German"</option>
                <option value="es">"Spanish"</option>
            </select>
            <label><input type="checkbox" on:change=move |ev| draft.set(event_target_checked(&ev))/>" Against the text above, not yet saved"</label>
            <button type="submit">"Try"</button>
            <p class="problem" role="alert">{move || problem.get()}</p>
            <div class="trial" role="status">
                {move || result.get().map(|t| view! {
                    <p class="trial-verdict">{match (&t.entry_id, t.hand_over) {
                        (_, Some(why)) => format!("Hands over to a person ({}).", why.as_str().replace('_', " ")),
                        (Some(id), None) => format!("Answers from \u{201c}{id}\u{201d}, {:.0}% sure.", t.confidence * 100.0),
                        (None, None) => format!("Not sure ({:.0}%): offers choices and the person button.", t.confidence * 100.0),
                    }}</p>
                    <blockquote class="trial-reply">{t.reply}</blockquote>
                    <ul class="trial-reasons">{t.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                    <table class="trial-candidates">
                        <caption>"Entries weighed"</caption>
                        <thead><tr><th scope="col">"Entry"</th><th scope="col">"Question"</th><th scope="col">"Similarity"</th></tr></thead>
                        <tbody>{t.candidates.into_iter().map(|c| view! {
                            <tr><td>{c.entry_id}</td><td>{c.question}</td><td>{format!("{:.2}", c.score)}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                })}
            </div>
        </form>
    }
}
