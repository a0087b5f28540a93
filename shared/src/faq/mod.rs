//! The FAQ answering engine: the site's own knowledge base, matched at the
//! edge with no external API. It answers only when it is confident enough,
//! and otherwise offers the closest entries and a person.

pub mod analyzer;
pub mod index;
pub mod kb;

pub use index::{Candidate, FaqIndex, Search};
pub use kb::{Entry, KbError, KnowledgeBase, Language, Settings};
