//! A knowledge-base version ready to answer in one language, as the bytes
//! the site's inbox stores: the knowledge base itself (so a cold isolate
//! does not parse its TOML again) and that language's built index
//! (`FaqIndex::to_bytes`). Built once per version and language; read by
//! every isolate that answers from it.

use super::{Faq, KnowledgeBase, Language, StoredIndexError, WordVectors};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Read from stored bytes: the knowledge base is decoded; the index is
/// read when the word vectors it may need are at hand ([`StoredFaq::into_faq`]).
#[derive(Deserialize)]
pub struct StoredFaq<'a> {
    kb: KnowledgeBase,
    language: Language,
    #[serde(borrow)]
    index: &'a [u8],
}

/// The same fields, written.
#[derive(Serialize)]
struct Written<'a> {
    kb: &'a KnowledgeBase,
    language: Language,
    index: &'a [u8],
}

impl Faq {
    /// The knowledge base with the index that answers visitors of
    /// `language` (built now if need be), as bytes for [`StoredFaq`].
    pub fn to_stored(&self, language: Language) -> Vec<u8> {
        let (answering, _) = self.index_language(language);
        let index = self.index_for(answering).to_bytes();
        let written = Written {
            kb: self.knowledge_base(),
            language: answering,
            index: &index,
        };
        postcard::to_allocvec(&written).unwrap_or_else(|_| unreachable!("writing to a Vec"))
    }
}

impl<'a> StoredFaq<'a> {
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, StoredIndexError> {
        Ok(postcard::from_bytes(bytes)?)
    }

    pub fn knowledge_base(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// A `Faq` of the stored knowledge base with the stored index (the
    /// English word vectors given if it speaks English, as when built).
    pub fn into_faq(self, vectors: Option<Arc<WordVectors>>) -> Result<Faq, StoredIndexError> {
        let faq = Faq::with_vectors(self.kb, vectors);
        faq.read_index(self.language, self.index)?;
        Ok(faq)
    }

    /// Gives `faq` (the same version, already in use) the stored index.
    pub fn read_into(&self, faq: &Faq) -> Result<(), StoredIndexError> {
        if faq.knowledge_base() != &self.kb {
            return Err(StoredIndexError::Mismatch("knowledge base"));
        }
        faq.read_index(self.language, self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;

    const KB: &str = r#"
[settings]
languages = ["en", "de"]

[[entry]]
id = "parking"
question = "Where can I park?"
phrasings = ["Is there parking near the shop?", "Can I leave my car outside?"]
answer = "Free parking behind the shop."

[entry.de]
question = "Wo kann ich parken?"
phrasings = ["Gibt es Parkplätze?"]
answer = "Kostenlose Parkplätze hinter dem Laden."

[[entry]]
id = "hours"
question = "When are you open?"
phrasings = ["What are your opening hours?", "Are you open on Saturday?"]
answer = "Mon-Fri 8-18."

[entry.de]
question = "Wann habt ihr geöffnet?"
answer = "Mo-Fr 8-18 Uhr."
"#;

    #[test]
    fn a_stored_version_answers_each_language_as_the_parsed_one() {
        let parsed = Faq::new(KnowledgeBase::from_toml("kb.toml", KB).expect("loads"));
        for (language, question) in [
            (Language::German, "gibt es parkplätze beim laden"),
            (Language::English, "where do I leave my car"),
            // Spanish is not spoken: the default language's index answers.
            (Language::Spanish, "when are you open"),
        ] {
            let bytes = parsed.to_stored(language);
            let stored = StoredFaq::from_bytes(&bytes).expect("reads");
            assert_eq!(stored.knowledge_base(), parsed.knowledge_base());
            let read = stored.into_faq(None).expect("its index reads");
            let q = Analysis::new(question);
            assert_eq!(
                super::super::reply(&read, &q, language),
                super::super::reply(&parsed, &q, language),
                "{language:?}"
            );
            let (answering, ready) = read.index_language(language);
            assert!(ready, "read, not built: {answering:?}");
        }
    }

    #[test]
    fn a_stored_index_is_not_given_to_another_version() {
        let faq = Faq::new(KnowledgeBase::from_toml("kb.toml", KB).expect("loads"));
        let bytes = faq.to_stored(Language::English);
        let other = Faq::new(
            KnowledgeBase::from_toml("kb.toml", &KB.replace("Mon-Fri", "Tue-Sat")).expect("loads"),
        );
        let stored = StoredFaq::from_bytes(&bytes).expect("reads");
        assert_eq!(
            stored.read_into(&other).err(),
            Some(StoredIndexError::Mismatch("knowledge base"))
        );
        assert!(!other.index_language(Language::English).1);
        assert_eq!(stored.read_into(&faq), Ok(()));
    }
}
