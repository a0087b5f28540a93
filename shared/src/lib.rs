//! The product's decisions, as plain Rust with no I/O: the wire protocol
//! spoken by widget, panel and edge, and the rules applied to visitor text.
//! Everything here is tested natively; the edge and the front ends only move
//! data in and out.

pub mod access;
pub mod alerts;
pub mod analysis;
pub mod assistant;
pub mod backoff;
pub mod color;
pub mod disclosure;
pub mod embed;
pub mod escalation;
pub mod faq;
pub mod handoff;
pub mod identity;
pub mod lifecycle;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod photo;
pub mod presence;
pub mod proactive;
pub mod protocol;
pub mod search;
pub mod shortcuts;
pub mod site;
pub mod smalltalk;
pub mod team;
pub mod text;
pub mod transcript;
pub mod widget_text;
