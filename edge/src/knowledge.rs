//! Each site's knowledge base and its matching indexes. The knowledge base
//! is versioned in the site's `Inbox` (agents add entries from the panel);
//! a conversation answers from the version current when it started. A
//! site's `Faq` is kept per site and version in each isolate; it builds the
//! index of a language the first time a visitor of that language asks.
//! The file bundled with the worker (`sites/<id>/faq.toml`) seeds version 1.
//! The English word vectors (`shared/models/word-vectors.bin`, a static
//! asset the worker keeps out of the public paths) are read once per
//! isolate, the first time a knowledge base that speaks English is built.

use crate::inbox;
use shared::faq::{Faq, KnowledgeBase, Language, WordVectors};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use worker::Env;

/// Where the build puts the word vectors among the static files.
const VECTORS_PATH: &str = "/models/word-vectors.bin";

/// Knowledge bases shipped with the worker, by site id.
const BUNDLED: &[(&str, &str, &str)] = &[(
    "demo",
    "sites/demo/faq.toml",
    include_str!("../../sites/demo/faq.toml"),
)];

thread_local! {
    static FAQS: RefCell<HashMap<(String, i64), Rc<Faq>>> = RefCell::new(HashMap::new());
    /// `None` until asked for; `Some(None)` when they could not be read
    /// (the engine then matches by words alone, and says so in the log).
    static VECTORS: RefCell<Option<Option<Arc<WordVectors>>>> = const { RefCell::new(None) };
}

/// A knowledge base ready to answer, with the word vectors if it speaks
/// English (a site without English never reads them).
pub async fn ready(env: &Env, kb: KnowledgeBase) -> Faq {
    let vectors = match kb.settings.languages.contains(&Language::English) {
        true => vectors(env).await,
        false => None,
    };
    Faq::with_vectors(kb, vectors)
}

/// The English word vectors, read on first use.
async fn vectors(env: &Env) -> Option<Arc<WordVectors>> {
    if let Some(known) = VECTORS.with(|v| v.borrow().clone()) {
        return known;
    }
    let loaded = match read_vectors(env).await {
        Ok(vectors) => Some(Arc::new(vectors)),
        Err(message) => {
            worker::console_error!("word vectors: {message}");
            None
        }
    };
    VECTORS.with(|v| *v.borrow_mut() = Some(loaded.clone()));
    loaded
}

async fn read_vectors(env: &Env) -> Result<WordVectors, String> {
    let assets = env.assets("ASSETS").map_err(|e| e.to_string())?;
    let mut response = assets
        .fetch(format!("https://assets.local{VECTORS_PATH}"), None)
        .await
        .map_err(|e| e.to_string())?;
    if response.status_code() != 200 {
        return Err(format!("status {}", response.status_code()));
    }
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    WordVectors::from_bytes(&bytes).map_err(|e| e.to_string())
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
    let faq = Rc::new(ready(env, kb).await);
    FAQS.with(|c| c.borrow_mut().insert(key, faq.clone()));
    faq
}
