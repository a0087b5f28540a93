//! Each site's knowledge base and its matching indexes. The knowledge base
//! is versioned in the site's `Inbox` (agents add entries from the panel);
//! a conversation answers from the version current when it started. A
//! site's `Faq` is kept per site and version in each isolate; it builds the
//! index of a language the first time a visitor of that language asks.
//! The file bundled with the worker (`sites/<id>/faq.toml`) seeds version 1.

use crate::inbox;
use shared::faq::{Faq, KnowledgeBase};
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
    static FAQS: RefCell<HashMap<(String, i64), Rc<Faq>>> = RefCell::new(HashMap::new());
}

/// The bundled knowledge base of a site: its file name and text (empty for
/// a site without one: the AI then never answers and always offers a person).
pub fn bundled(site: &str) -> (&'static str, &'static str) {
    BUNDLED
        .iter()
        .find(|(id, _, _)| *id == site)
        .map_or(("none", ""), |(_, f, t)| (*f, *t))
}

/// `version` of the site's knowledge base, ready to answer (the bundled
/// one when the conversation predates versions or the inbox cannot be
/// reached).
pub async fn faq(env: &Env, site: &str, version: Option<i64>) -> Rc<Faq> {
    let key = (site.to_string(), version.unwrap_or(0));
    if let Some(faq) = FAQS.with(|c| c.borrow().get(&key).cloned()) {
        return faq;
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
    let faq = Rc::new(Faq::new(kb));
    FAQS.with(|c| c.borrow_mut().insert(key, faq.clone()));
    faq
}
