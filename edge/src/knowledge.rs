//! Each site's knowledge base and its matching index. The knowledge base
//! is versioned in the site's `Inbox` (agents add entries from the panel);
//! a conversation answers from the version current when it started. The
//! index is built once per site and version in each isolate and reused.
//! The file bundled with the worker (`sites/<id>/faq.toml`) seeds version 1.

use crate::inbox;
use shared::faq::{FaqIndex, KnowledgeBase};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use worker::Env;

/// Knowledge bases shipped with the worker, by site id.
const BUNDLED: &[(&str, &str, &str)] = &[(
    "demo",
    "sites/demo/faq.toml",
    include_str!("../../sites/demo/faq.toml"),
)];

thread_local! {
    static INDEXES: RefCell<HashMap<(String, i64), Rc<FaqIndex>>> = RefCell::new(HashMap::new());
}

/// The bundled knowledge base of a site: its file name and text (empty for
/// a site without one: the AI then never answers and always offers a person).
pub fn bundled(site: &str) -> (&'static str, &'static str) {
    BUNDLED
        .iter()
        .find(|(id, _, _)| *id == site)
        .map_or(("none", ""), |(_, f, t)| (*f, *t))
}

/// The index of `version` of the site's knowledge base (the bundled one
/// when the conversation predates versions or the inbox cannot be reached).
pub async fn index(env: &Env, site: &str, version: Option<i64>) -> Rc<FaqIndex> {
    let key = (site.to_string(), version.unwrap_or(0));
    if let Some(index) = INDEXES.with(|c| c.borrow().get(&key).cloned()) {
        return index;
    }
    let (file, bundled_text) = bundled(site);
    let text = match version {
        Some(version) => {
            let call = inbox::KnowledgeAt {
                site: site.to_string(),
                version,
            };
            match inbox::call(env, site, call).await {
                Ok(toml) => toml,
                Err(e) => {
                    worker::console_error!("knowledge base {site} v{version}: {}", e.message);
                    bundled_text.to_string()
                }
            }
        }
        None => bundled_text.to_string(),
    };
    let kb = KnowledgeBase::from_toml(file, &text).unwrap_or_else(|e| {
        // Every stored version was parsed before it was stored.
        worker::console_error!("knowledge base: {e}");
        KnowledgeBase::from_toml(file, "")
            .unwrap_or_else(|_| unreachable!("an empty knowledge base is valid"))
    });
    let index = Rc::new(FaqIndex::build(&kb));
    INDEXES.with(|c| c.borrow_mut().insert(key, index.clone()));
    index
}
