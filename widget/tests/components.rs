//! Widget components mounted in real headless Chromium (wasm-bindgen-test).

use leptos::prelude::*;
use shared::protocol::{Author, Message};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use widget::view::MessageItem;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts one message into a fresh container and returns the container.
fn mount_message(author: Author, text: &str) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let container: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let message = Message { author, text: text.to_string(), client_id: None };
    let handle = leptos::mount::mount_to(container.clone(), move || view! { <MessageItem seq=1 message=message.clone()/> });
    handle.forget();
    container
}

#[wasm_bindgen_test]
fn markup_in_a_message_is_shown_as_text_and_never_parsed() {
    let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    let el = mount_message(Author::Visitor, hostile);
    assert!(el.query_selector("img").unwrap().is_none());
    assert!(el.query_selector("script").unwrap().is_none());
    let text = el.query_selector(".msg-text").unwrap().unwrap().text_content().unwrap();
    assert_eq!(text, hostile);
}

#[wasm_bindgen_test]
fn an_ai_message_carries_the_ai_badge() {
    let el = mount_message(Author::Ai, "We open at 9.");
    let badge = el.query_selector(".badge").unwrap().unwrap();
    assert_eq!(badge.class_name(), "badge badge-ai");
    assert_eq!(badge.text_content().unwrap(), "AI");
    assert!(el.query_selector(".msg-ai").unwrap().is_some());
}

#[wasm_bindgen_test]
fn an_agent_named_like_a_label_is_still_shown_as_a_person() {
    let el = mount_message(Author::Agent { name: "AI".into() }, "Hello");
    let badge = el.query_selector(".badge").unwrap().unwrap();
    assert_eq!(badge.class_name(), "badge badge-agent", "the badge style comes from the author kind");
    assert_eq!(badge.text_content().unwrap(), "AI · person");
    let name = el.query_selector("bdi.agent-name").unwrap().unwrap();
    assert_eq!(name.text_content().unwrap(), "AI", "the name is isolated in its own <bdi>");
}
