//! What the widget tells the host page's loader: to close the frame, and
//! what happens in the chat as it happens, for the page's `Chat("on", …)`
//! handlers and the launcher's unread count while the chat is closed.
//! Metadata only, never text: any parent may receive it (the browser shows
//! the frame only on the site's allowed origins), so it carries nothing a
//! visitor typed.

use shared::protocol::{Author, ConversationState, EventBody};
use wasm_bindgen::JsValue;

/// The loader closes the frame and moves focus back to the launcher.
pub fn ask_to_close() {
    post("chat:close", None);
}

/// A live event: `message` (`{from: "visitor" | "ai" | "agent"}`),
/// `handoff` (`{asked}`: did the visitor ask, or did the AI decide) or
/// `rated` (`{score}`). Other events are not told.
pub fn tell(body: &EventBody) {
    let event = match body {
        EventBody::Message(m) => {
            let from = match m.author {
                Author::Visitor => "visitor",
                Author::Ai => "ai",
                Author::Agent { .. } => "agent",
                Author::System => return,
            };
            ("message", "from", JsValue::from_str(from))
        }
        EventBody::State {
            state: ConversationState::WaitingForPerson,
            asked,
            ..
        } => ("handoff", "asked", JsValue::from_bool(*asked)),
        EventBody::Rating { score, .. } => ("rated", "score", JsValue::from(*score)),
        _ => return,
    };
    post("chat:event", Some(event));
}

fn post(kind: &str, event: Option<(&str, &str, JsValue)>) {
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let set = |o: &js_sys::Object, k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), v);
    };
    let message = js_sys::Object::new();
    set(&message, "type", &JsValue::from_str(kind));
    if let Some((name, key, value)) = event {
        let detail = js_sys::Object::new();
        set(&detail, key, &value);
        set(&message, "name", &JsValue::from_str(name));
        set(&message, "detail", &detail);
    }
    let _ = parent.post_message(&message, "*");
}
