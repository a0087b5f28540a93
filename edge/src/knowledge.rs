//! Each site's knowledge base and its matching index. The index is built
//! once per knowledge-base version in each isolate and reused for every
//! message; a new version (another text) builds a new one.

use shared::faq::{FaqIndex, KnowledgeBase};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Knowledge bases shipped with the worker, by site id.
const BUNDLED: &[(&str, &str, &str)] = &[(
    "demo",
    "sites/demo/faq.toml",
    include_str!("../../sites/demo/faq.toml"),
)];

thread_local! {
    static INDEXES: RefCell<HashMap<String, (u64, Rc<FaqIndex>)>> = RefCell::new(HashMap::new());
}

/// The index for a site; a site without a knowledge base gets an empty one
/// (the AI then never answers and always offers a person).
pub fn index(site: &str) -> Rc<FaqIndex> {
    let (file, text) = BUNDLED
        .iter()
        .find(|(id, _, _)| *id == site)
        .map_or(("none", ""), |(_, f, t)| (*f, *t));
    let version = version_of(text);
    INDEXES.with(|cache| {
        if let Some((v, index)) = cache.borrow().get(site) {
            if *v == version {
                return index.clone();
            }
        }
        let kb = KnowledgeBase::from_toml(file, text).unwrap_or_else(|e| {
            // Checked by the shared tests; a broken file must not take the chat down.
            worker::console_error!("knowledge base: {e}");
            KnowledgeBase::from_toml(file, "")
                .unwrap_or_else(|_| unreachable!("an empty knowledge base is valid"))
        });
        let index = Rc::new(FaqIndex::build(&kb));
        cache
            .borrow_mut()
            .insert(site.to_string(), (version, index.clone()));
        index
    })
}

fn version_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
