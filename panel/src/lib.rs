//! The agent panel, served by the edge. Two programs, each loaded only on
//! its page: the desk (`/agent/`, this crate's `start`): the site's live
//! queue, a conversation with its hand-off packet, claim, reply, hand back,
//! resolve, tickets, metrics and privacy requests; and the admin pages
//! (`/agent/admin/`, the `admin` crate): agents, site settings, alerts.
//! What both share is public here: the API client, JSON decoding, the
//! login and the header (`shell`). The desk speaks the same protocol types
//! as the widget (`shared::protocol`) and keeps a conversation with the
//! same `shared::transcript` (order, gaps, outbox).
//!
//! The `desk` feature (on by default) builds the desk; the admin crate
//! turns it off, so its download carries none of the desk's code.

pub mod api;
pub mod json;
pub mod labels;
pub mod shell;

#[cfg(feature = "desk")]
mod conversation;
#[cfg(feature = "desk")]
mod keys;
#[cfg(feature = "desk")]
mod live;
#[cfg(feature = "desk")]
mod metrics;
#[cfg(feature = "desk")]
mod photos;
#[cfg(feature = "desk")]
mod privacy;
#[cfg(feature = "desk")]
mod profile;
#[cfg(feature = "desk")]
mod tickets;
#[cfg(feature = "desk")]
mod view;

/// Called by `/agent/boot.js` once the module is loaded.
#[cfg(feature = "desk")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start() {
    leptos::mount::mount_to_body(|| shell::signed_in(view::desk));
}
