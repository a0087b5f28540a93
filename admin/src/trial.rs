//! "Try a question": what the AI would answer a visitor, with which entry
//! and how sure, the runners-up, and whether it would hand over to a
//! person. Against the saved knowledge base, or the text being edited.
//! The settings preview asks the same of the text being edited.

use js_sys::Reflect;
use leptos::prelude::*;
use panel::api;
use shared::protocol::{
    Author, ConversationState, Event, EventBody, Message, ServerFrame, Trial, TrialRequest,
};
use wasm_bindgen::{JsCast, JsValue};

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
        let toml = draft
            .get_untracked()
            .then(|| draft_text().unwrap_or_default());
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
                    <blockquote class="trial-reply">{t.message.text}</blockquote>
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

/// The knowledge base's text in the editor, saved or not.
fn draft_text() -> Option<String> {
    document()
        .get_element_by_id("kb-text")?
        .dyn_into::<web_sys::HtmlTextAreaElement>()
        .ok()
        .map(|t| t.value())
}

/// Answers the settings preview (the real widget, in preview mode): its
/// `chat:try` questions get, as JSON text, the frames the edge would send a
/// visitor: their message, the AI's answer from the text in the
/// editor and, if the policy would hand over, the waiting notice. Only that
/// frame, on this origin, is listened to and answered; nothing is stored.
pub fn answer_preview(
    site: &str,
    frame: NodeRef<leptos::html::Iframe>,
    problem: RwSignal<Option<String>>,
) -> impl Fn() {
    let path = format!("/api/v1/agent/sites/{site}/faq/try");
    // The preview's sequence numbers; it starts anew when the frame loads.
    let last_seq = StoredValue::new(0u64);
    let listener = window_event_listener(leptos::ev::message, move |ev| {
        let (Some(preview), Ok(own)) = (
            frame.get_untracked().and_then(|f| f.content_window()),
            window().location().origin(),
        ) else {
            return;
        };
        let data = ev.data();
        let field = |key: &str| {
            Reflect::get(&data, &key.into())
                .ok()
                .and_then(|v| v.as_string())
        };
        let from_preview = ev
            .source()
            .is_some_and(|s| JsValue::from(s) == JsValue::from(&preview));
        if !from_preview || ev.origin() != own || field("type").as_deref() != Some("chat:try") {
            return;
        }
        let question = field("text").unwrap_or_default();
        let body = serde_json::to_string(&TrialRequest {
            question: question.clone(),
            language: field("lang").unwrap_or_default(),
            toml: draft_text(),
        })
        .unwrap_or_default();
        let path = path.clone();
        problem.set(None);
        leptos::task::spawn_local(async move {
            let trial = match api::post(&path, &body).await {
                Ok(text) => panel::json::decode::<Trial>(&text),
                Err(e) => {
                    return problem.set(Some(format!("The preview got no answer: {}", e.message)))
                }
            };
            let Some(trial) = trial else { return };
            // The label is chrome: the answer is shown as the AI's.
            let answer = Message {
                author: Author::Ai,
                ..trial.message
            };
            let waiting = trial.hand_over.map(|_| EventBody::State {
                state: ConversationState::WaitingForPerson,
                agent: None,
                team: None,
                asked: false,
            });
            let asked = Message::plain(Author::Visitor, question, None);
            let bodies = [
                Some(EventBody::Message(asked)),
                Some(EventBody::Message(answer)),
                waiting,
            ];
            for body in bodies.into_iter().flatten() {
                let seq = last_seq.get_value() + 1;
                last_seq.set_value(seq);
                let at_ms = js_sys::Date::now() as i64;
                let frame = ServerFrame::Event(Event { seq, at_ms, body });
                // As the edge sends it: the frame's JSON text.
                let text = serde_json::to_string(&frame).unwrap_or_default();
                let _ = preview.post_message(&text.into(), &own);
            }
        });
    });
    on_cleanup(move || listener.remove());
    move || last_seq.set_value(0)
}
