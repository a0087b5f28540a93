//! What the widget tells the host page's loader: to close the frame, and
//! what happens in the chat as it happens, for the page's `Chat("on", …)`
//! handlers and the launcher's unread count while the chat is closed.
//! Metadata only unless the site turns message text on (any script of the
//! page may read it; the browser shows the frame only on the site's
//! allowed origins). The panel's preview sends its test questions to this
//! origin only.

use shared::protocol::{Author, ConversationState, EventBody};
use wasm_bindgen::JsValue;

/// The loader closes the frame and moves focus back to the launcher.
pub fn ask_to_close() {
    post(&[("type", "chat:close".into())], "*");
}

/// A live event: `message` (`{from: "visitor" | "ai" | "agent"}`, and
/// `text` when the site turned that on), `handoff` (`{asked}`: did the
/// visitor ask, or did the AI decide) or `rated` (`{score}`). Other events
/// are not told.
pub fn tell(body: &EventBody, with_text: bool) {
    let (name, key, value, text) = match body {
        EventBody::Message(m) => {
            let from = match m.author {
                Author::Visitor => "visitor",
                Author::Ai => "ai",
                Author::Agent { .. } => "agent",
                Author::System => return,
            };
            let text = with_text.then_some(m.text.as_str());
            ("message", "from", JsValue::from_str(from), text)
        }
        EventBody::State {
            state: ConversationState::WaitingForPerson,
            asked,
            ..
        } => ("handoff", "asked", JsValue::from_bool(*asked), None),
        EventBody::Rating { score, .. } => ("rated", "score", JsValue::from(*score), None),
        _ => return,
    };
    let detail = object(&[(key, value)]);
    if let Some(text) = text {
        set(&detail, "text", &text.into());
    }
    post(
        &[
            ("type", "chat:event".into()),
            ("name", name.into()),
            ("detail", detail.into()),
        ],
        "*",
    );
}

/// The panel's preview: the admin's test question, to the panel page of
/// this same origin, which answers with the frames the edge would send.
pub fn ask_panel(text: &str, lang: &str) {
    if let Some(origin) = own_origin() {
        let message = [
            ("type", "chat:try".into()),
            ("text", text.into()),
            ("lang", lang.into()),
        ];
        post(&message, &origin);
    }
}

/// A message posted by a page of the widget's own origin (the panel).
pub fn from_own_origin(ev: &web_sys::MessageEvent) -> bool {
    own_origin().is_some_and(|own| own == ev.origin())
}

fn own_origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

fn set(o: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(o, &JsValue::from_str(key), value);
}

fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (key, value) in pairs {
        set(&o, key, value);
    }
    o
}

/// `message` to the parent page, for `target` (an origin, or `*`).
fn post(message: &[(&str, JsValue)], target: &str) {
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let _ = parent.post_message(&object(message), target);
    }
}
