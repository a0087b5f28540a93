//! The agent panel, served by the edge at `/agent`: log in, the site's
//! live queue, a conversation with its hand-off packet, claim, reply, hand
//! back, resolve, and the metrics. It speaks the same protocol types as
//! the widget (`shared::protocol`) and keeps a conversation with the same
//! `shared::transcript` (order, gaps, outbox).

mod agents;
mod api;
mod conversation;
mod json;
mod live;
mod metrics;
mod privacy;
mod settings;
mod tickets;
mod view;

use wasm_bindgen::prelude::*;

/// Called by `/agent/boot.js` once the module is loaded.
#[wasm_bindgen]
pub fn start() {
    leptos::mount::mount_to_body(view::App);
}
