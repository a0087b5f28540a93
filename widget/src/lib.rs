//! The visitor widget, running in the frame the loader opens. It talks to
//! the edge over the shared protocol and renders everything as text.

mod api;
mod chat;
mod dom;
mod forms;
mod host;
pub mod i18n;
pub mod json;
pub mod log;
pub mod times;
pub mod view;

use wasm_bindgen::prelude::*;

/// Called by `/widget/boot.js` once the module is loaded.
#[wasm_bindgen]
pub fn start() {
    match view::Options::from_location() {
        Some(options) => leptos::mount::mount_to_body(
            move || leptos::view! { <view::App options=options.clone()/> },
        ),
        None => web_sys::console::warn_1(
            &"chat: not a chat frame (/chat/{site} with its words from the edge)".into(),
        ),
    }
}
