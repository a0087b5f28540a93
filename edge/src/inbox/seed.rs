//! Made-up conversations for the search benchmark (`cargo xtask
//! bench-search`), so that searches can be measured on 10,000 of them
//! without playing each one through. Reachable only when the worker runs
//! with the `SEARCH_SEED` variable set to "1", which no deployment sets,
//! and only by an admin. They go through the same `index` and facts as
//! real ones. The words come from the bundled demo knowledge base, drawn
//! more often from its start, so some words are common and most are rare.

use super::{Fact, Inbox, Index, IndexLine, SeedSearch};
use crate::error::EdgeResult;
use shared::protocol::{ConversationState, Trigger};

const FIRST: &[&str] = &[
    "Ana", "Ben", "Chloé", "Dario", "Eva", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kemal",
    "Lena", "Mia", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tomás",
];
const LAST: &[&str] = &[
    "Ruiz", "Vogel", "Chen", "Lind", "Novak", "Okafor", "Schmidt", "García", "Rossi", "Berg",
];

/// A small deterministic generator (xorshift64*), so every run seeds the
/// same conversations.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Skewed towards 0: the square of a uniform draw.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize
    }
}

impl Inbox {
    pub(super) fn seed_search(&self, c: SeedSearch) -> EdgeResult<()> {
        let (_, text) = crate::knowledge::bundled("demo");
        let mut words: Vec<&str> = text
            .split(|ch: char| !ch.is_alphabetic())
            .filter(|w| w.chars().count() >= 3)
            .collect();
        words.sort_unstable();
        words.dedup();
        if words.is_empty() {
            return Ok(());
        }
        let day = 86_400_000i64;
        for n in c.start..c.start + c.count {
            let mut draw =
                Draw(0x9E37_79B9_7F4A_7C15 ^ (n + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
            let id = format!("{:064x}", n + 1);
            let created_ms =
                c.now_ms - (draw.below(90) as i64) * day - draw.below(86_400) as i64 * 1000;
            let lines: Vec<IndexLine> = (1..=8)
                .map(|seq| {
                    let len = 6 + draw.below(10);
                    let text = (0..len)
                        .map(|_| words[draw.skewed(words.len())])
                        .collect::<Vec<_>>()
                        .join(" ");
                    let who = match seq % 2 {
                        1 => "visitor",
                        _ if draw.below(3) == 0 => "Cleo",
                        _ => "ai",
                    };
                    IndexLine {
                        seq,
                        who: who.into(),
                        text,
                    }
                })
                .collect();
            let handed = draw.below(3) != 0;
            let team = handed.then(|| ["support", "billing"][draw.below(2)].to_string());
            let state = if handed {
                [
                    ConversationState::WaitingForPerson,
                    ConversationState::WithPerson,
                    ConversationState::Resolved,
                    ConversationState::Resolved,
                ][draw.below(4)]
            } else {
                ConversationState::Bot
            };
            self.record_fact(Fact {
                conversation_id: id.clone(),
                created_ms: Some(created_ms),
                team: team.clone(),
                trigger: handed.then(|| Trigger::ALL[draw.below(Trigger::ALL.len())]),
                handoff_ms: handed.then_some(created_ms + 60_000),
                rating: (state == ConversationState::Resolved && draw.below(2) == 0)
                    .then(|| 1 + draw.below(5) as u8),
                ..Default::default()
            })?;
            self.index(Index {
                conversation_id: id,
                follows: None,
                visitor_name: Some(format!(
                    "{} {}",
                    FIRST[draw.below(FIRST.len())],
                    LAST[draw.below(LAST.len())]
                )),
                verified: None,
                topic: Some(lines[0].text.clone()),
                state,
                created_ms,
                last_ms: created_ms + 600_000,
                packet: None,
                lines,
            })?;
        }
        Ok(())
    }
}
