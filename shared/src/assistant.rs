//! What the AI assistant says to a visitor's message: the fixed product
//! answers first (they must never depend on matching), then the FAQ.

use crate::disclosure;
use crate::faq::{self, FaqIndex, Reply};
use crate::protocol::{Author, Message};

pub fn reply(index: &FaqIndex, text: &str) -> Reply {
    if let Some(language) = disclosure::asks_if_bot(text) {
        return Reply {
            message: Message::plain(Author::Ai, disclosure::bot_answer(language), None),
            hand_off: false,
        };
    }
    faq::reply(index, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faq::{KnowledgeBase, Language};

    #[test]
    fn asking_whether_it_is_a_bot_gets_the_fixed_answer_even_if_the_faq_could_match() {
        let kb = KnowledgeBase::from_toml(
            "kb.toml",
            "[[entry]]\nid = \"bots\"\nquestion = \"Are you a bot?\"\nanswer = \"We love robots!\"\n",
        )
        .unwrap();
        let r = reply(&FaqIndex::build(&kb), "are you a bot?");
        assert_eq!(r.message.text, disclosure::bot_answer(Language::English));
        assert!(r.message.source.is_none());
    }
}
