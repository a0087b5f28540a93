//! Each site's knowledge base and its matching indexes. The knowledge base
//! is versioned in the site's `Inbox` (agents add entries from the panel);
//! a conversation answers from the version current when it started. A
//! site's `Faq` is kept per site and version in each isolate; the index of
//! a language comes with the knowledge base as the bytes the site's inbox
//! stores with the version (built once there), and is built here only when
//! they cannot be had.
//! The file bundled with the worker (`sites/<id>/faq.toml`) seeds version 1.
//! The English word vectors (`shared/models/word-vectors.bin`, a static
//! asset the worker keeps out of the public paths) are read once per
//! isolate, the first time a knowledge base that speaks English is built.

use crate::inbox;
use shared::faq::{Faq, KnowledgeBase, Language, StoredFaq, WordVectors};
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
    let vectors = vectors_for(env, &kb).await;
    Faq::with_vectors(kb, vectors)
}

/// The word vectors if `kb` speaks English: only its English index uses them.
async fn vectors_for(env: &Env, kb: &KnowledgeBase) -> Option<Arc<WordVectors>> {
    match kb.settings.languages.contains(&Language::English) {
        true => vectors(env).await,
        false => None,
    }
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
    let response: web_sys::Response = assets
        .fetch(format!("https://assets.local{VECTORS_PATH}"), None)
        .await
        .map_err(|e| e.to_string())?
        .into();
    if response.status() != 200 {
        return Err(format!("status {}", response.status()));
    }
    let bytes = crate::http::body_bytes(&response)
        .await
        .map_err(|e| e.message)?;
    WordVectors::from_vec(bytes).map_err(|e| e.to_string())
}

/// The bundled knowledge base of a site: its file name and text (empty for
/// a site without one: the AI then never answers and always offers a person).
pub fn bundled(site: &str) -> (&'static str, &'static str) {
    BUNDLED
        .iter()
        .find(|(id, _, _)| *id == site)
        .map_or(("none", ""), |(_, f, t)| (*f, *t))
}

/// `version` of the site's knowledge base, ready to answer visitors of
/// `language` (none: its default language). A version is read as the
/// site's inbox stored it, with the index of that language already built
/// (a cold isolate copies bytes; it neither parses nor trains). The bundled
/// text (a conversation from before versions), or a version whose stored
/// form cannot be had, is parsed here and its index built when first used.
pub async fn faq(
    env: &Env,
    site: &str,
    version: Option<i64>,
    language: Option<Language>,
) -> Rc<Faq> {
    let key = (site.to_string(), version.unwrap_or(0));
    let cached = FAQS.with(|c| c.borrow().get(&key).cloned());
    if let Some(faq) = cached {
        let answering = faq.knowledge_base().settings.answering(language);
        if let (Some(version), (_, false)) = (version, faq.index_language(answering)) {
            let read = fetch_stored(env, site, version, Some(answering))
                .await
                .and_then(|bytes| {
                    let stored = StoredFaq::from_bytes(&bytes).map_err(|e| e.to_string())?;
                    stored.read_into(&faq).map_err(|e| e.to_string())
                });
            if let Err(message) = read {
                worker::console_error!("knowledge base {site} v{version}: {message}");
            }
        }
        return faq;
    }
    let stored = match version {
        Some(version) => match stored_faq(env, site, version, language).await {
            Ok(faq) => Some(faq),
            Err(message) => {
                worker::console_error!("knowledge base {site} v{version}: {message}");
                None
            }
        },
        None => None,
    };
    let faq = match stored {
        Some(faq) => Rc::new(faq),
        None => Rc::new(ready(env, parsed(env, site, version).await).await),
    };
    FAQS.with(|c| c.borrow_mut().insert(key, faq.clone()));
    faq
}

/// `version` as the inbox stored it for `language`'s visitors, read.
async fn stored_faq(
    env: &Env,
    site: &str,
    version: i64,
    language: Option<Language>,
) -> Result<Faq, String> {
    let bytes = fetch_stored(env, site, version, language).await?;
    let stored = StoredFaq::from_bytes(&bytes).map_err(|e| e.to_string())?;
    let vectors = vectors_for(env, stored.knowledge_base()).await;
    stored.into_faq(vectors).map_err(|e| e.to_string())
}

/// The bytes the site's inbox stored (or builds now) for `version` and
/// `language`'s visitors.
async fn fetch_stored(
    env: &Env,
    site: &str,
    version: i64,
    language: Option<Language>,
) -> Result<Vec<u8>, String> {
    let call = inbox::IndexOf {
        site: site.to_string(),
        version,
        language: language.map(|l| l.code().to_string()),
    };
    inbox::stored_faq(env, call).await.map_err(|e| e.message)
}

/// `version`'s text (the bundled one without a version, or when the inbox
/// cannot be reached), parsed.
async fn parsed(env: &Env, site: &str, version: Option<i64>) -> KnowledgeBase {
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
    KnowledgeBase::from_toml(file, &text).unwrap_or_else(|e| {
        // Every stored version was parsed before it was stored.
        worker::console_error!("knowledge base: {e}");
        KnowledgeBase::from_toml(file, "")
            .unwrap_or_else(|_| unreachable!("an empty knowledge base is valid"))
    })
}
