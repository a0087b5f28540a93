//! The hand-off: the packet an agent receives (so the visitor never has to
//! repeat themselves), the queue's order, and an honest expected wait.

use crate::analysis::Analysis;
use crate::escalation;
use crate::protocol::{
    Author, Event, EventBody, Message, QueueItem, QueueStatus, Sentiment, Trigger,
};
use serde::{Deserialize, Serialize};

/// Stored with the conversation when it is handed over; shown to agents
/// with the full transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffPacket {
    pub conversation_id: String,
    pub site: String,
    /// Team id and display name.
    pub team: String,
    pub team_name: String,
    pub trigger: Trigger,
    /// Every reason, in words: "frustration: 'this is ridiculous'".
    pub reasons: Vec<String>,
    pub sentiment: Sentiment,
    pub summary: Summary,
    #[serde(default)]
    pub page_url: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    pub requested_at_ms: i64,
    /// The visitor's previous, resolved conversation, if this one follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// The name the host site gave for the visitor, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_name: Option<String>,
    /// Who the site's server vouched the visitor is (a signed identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<crate::identity::VerifiedVisitor>,
}

/// A short extractive summary: the visitor's own words and the AI's
/// answers, nothing made up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// What the visitor wants: their first real question, in their words.
    pub wants: String,
    /// What the AI answered, question by question.
    pub ai_answers: Vec<TriedAnswer>,
    /// Questions still open: not answered, answered unhelpfully, or not
    /// answered yet.
    pub open: Vec<String>,
}

/// One visitor question and the AI's answer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriedAnswer {
    pub question: String,
    /// The FAQ entry answered with, and its calibrated confidence; `None`
    /// when the AI was not sure (then `suggested` lists the closest entries).
    #[serde(default)]
    pub entry_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub confidence: Option<f32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggested: Vec<String>,
}

/// What an agent's view of a waiting conversation carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffView {
    pub packet: HandoffPacket,
    /// Waiting time so far (or until claimed), in milliseconds.
    pub waited_ms: u64,
    pub transcript: Vec<Event>,
}

/// Builds the summary from the transcript.
pub fn summarize(events: &[Event]) -> Summary {
    let messages: Vec<&Message> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    let mut ai_answers = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut wants = None;
    for (i, m) in messages.iter().enumerate() {
        if m.author != Author::Visitor || !is_question(&m.text) && !is_request_only(&m.text) {
            continue;
        }
        let text = m.text.trim();
        let request_only = is_request_only(text);
        if wants.is_none() && !request_only && text.split_whitespace().count() >= 3 {
            wants = Some(text.to_string());
        }
        let reply = messages[i + 1..]
            .iter()
            .take_while(|n| n.author != Author::Visitor)
            .find(|n| n.author == Author::Ai);
        let unhelpful_next = messages[i + 1..]
            .iter()
            .find(|n| n.author == Author::Visitor)
            .is_some_and(|n| escalation::says_unhelpful(&Analysis::new(&n.text)));
        let unhelpful = escalation::says_unhelpful(&Analysis::new(text));
        match reply {
            Some(r) if !request_only => {
                let answered = r.source.is_some();
                ai_answers.push(TriedAnswer {
                    question: text.to_string(),
                    entry_id: r.source.as_ref().map(|s| s.entry_id.clone()),
                    title: r.source.as_ref().map(|s| s.title.clone()),
                    confidence: r.source.as_ref().map(|s| s.confidence),
                    suggested: r.suggestions.iter().map(|s| s.question.clone()).collect(),
                });
                if (!answered || unhelpful_next) && !unhelpful {
                    open.push(text.to_string());
                }
            }
            None if !request_only && !unhelpful => open.push(text.to_string()),
            _ => {}
        }
    }
    open.dedup();
    // What is still open leads; then the first real question.
    let wants = open
        .last()
        .cloned()
        .or(wants)
        .or_else(|| {
            messages
                .iter()
                .rev()
                .find(|m| m.author == Author::Visitor)
                .map(|m| m.text.trim().to_string())
        })
        .unwrap_or_else(|| "(nothing typed yet)".into());
    Summary {
        wants,
        ai_answers,
        open,
    }
}

/// The visitor's last real question: not "that didn't help", not only a
/// request for a person, a greeting or thanks, or a question about the AI.
pub fn last_question(events: &[Event]) -> Option<String> {
    events
        .iter()
        .rev()
        .filter_map(|e| match &e.body {
            EventBody::Message(m) if m.author == Author::Visitor => Some(m.text.trim()),
            _ => None,
        })
        .find(|t| {
            is_question(t) && !is_request_only(t) && !escalation::says_unhelpful(&Analysis::new(t))
        })
        .map(str::to_string)
}

/// The question a person answered and their answer: their last reply, and
/// the visitor's last real question before it ("turn this answer into an
/// FAQ entry").
pub fn answered_question(events: &[Event]) -> Option<(String, String)> {
    let at = events.iter().rposition(
        |e| matches!(&e.body, EventBody::Message(m) if matches!(m.author, Author::Agent { .. })),
    )?;
    let EventBody::Message(reply) = &events[at].body else {
        return None;
    };
    Some((last_question(&events[..at])?, reply.text.clone()))
}

/// Something to answer: not a greeting or thanks, not a question about
/// the AI.
fn is_question(text: &str) -> bool {
    let a = Analysis::new(text);
    crate::smalltalk::recognize(&a).is_none() && crate::disclosure::asks_if_bot(&a).is_none()
}

/// "Talk to a person please": a request and nothing else to answer.
fn is_request_only(text: &str) -> bool {
    escalation::asks_for_person_in(&Analysis::new(text)) && text.split_whitespace().count() <= 12
}

/// How urgent a waiting conversation is: the trigger's weight, plus its
/// frustration, plus one point per minute waited, so nobody waits forever
/// behind newer angry visitors.
pub fn priority(trigger: Trigger, sentiment: &Sentiment, waited_ms: u64) -> f32 {
    trigger.base_priority() + sentiment.frustration + waited_ms as f32 / 60_000.0
}

/// One entry of the queue, as the inbox keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub conversation_id: String,
    pub team: String,
    pub trigger: Trigger,
    pub frustration: f32,
    pub requested_at_ms: i64,
    /// The priority without waiting time.
    pub base_priority: f32,
}

/// A waiting conversation's rank: its priority now less what every entry
/// gains as time passes (one point per minute waited). Every entry gains
/// alike, so ranks, and the order they give, never change with time: only
/// an entry coming or going changes the queue.
pub fn queue_rank(base_priority: f32, requested_at_ms: i64) -> f64 {
    f64::from(base_priority) - requested_at_ms as f64 / 60_000.0
}

/// The queue's order: highest priority first (waiting time included), then
/// who came first.
pub fn queue_order(a: &QueueEntry, b: &QueueEntry) -> std::cmp::Ordering {
    queue_rank(b.base_priority, b.requested_at_ms)
        .total_cmp(&queue_rank(a.base_priority, a.requested_at_ms))
        .then(a.requested_at_ms.cmp(&b.requested_at_ms))
        .then(a.conversation_id.cmp(&b.conversation_id))
}

/// Sorts the queue by [`queue_order`].
pub fn order_queue(entries: &mut [QueueEntry]) {
    entries.sort_by(queue_order);
}

/// Longest `wants` and reason in a queue item, in characters.
const ITEM_TEXT_CHARS: usize = 160;

/// The queue item agents see for a waiting conversation: the entry with
/// the packet's headline, each text shortened so a queue frame stays small.
pub fn queue_item(entry: &QueueEntry, packet: &HandoffPacket) -> QueueItem {
    let short = |t: &str| {
        if t.chars().count() <= ITEM_TEXT_CHARS {
            t.to_string()
        } else {
            let cut: String = t.chars().take(ITEM_TEXT_CHARS - 1).collect();
            format!("{}…", cut.trim_end())
        }
    };
    QueueItem {
        conversation_id: entry.conversation_id.clone(),
        team: entry.team.clone(),
        team_name: packet.team_name.clone(),
        trigger: entry.trigger,
        reasons: packet.reasons.iter().take(3).map(|r| short(r)).collect(),
        sentiment: packet.sentiment,
        wants: short(&packet.summary.wants),
        requested_at_ms: entry.requested_at_ms,
        base_priority: entry.base_priority,
        page_url: packet
            .page_url
            .as_deref()
            .map(|u| u.chars().take(300).collect()),
        locale: packet.locale.clone(),
        visitor_name: packet.visitor_name.clone(),
        verified: packet.verified.is_some(),
    }
}

/// Each entry's position within its team (1 is next), for an ordered queue.
pub fn positions(ordered: &[QueueEntry]) -> Vec<u32> {
    let mut seen: std::collections::BTreeMap<&str, u32> = Default::default();
    ordered
        .iter()
        .map(|e| {
            let n = seen.entry(e.team.as_str()).or_insert(0);
            *n += 1;
            *n
        })
        .collect()
}

/// A waiting visitor far from the front may be left with a place this much
/// out of date: every claim moves everyone behind it, and telling each of
/// them each time costs the queue's length per claim (a hundred hand-offs
/// at once cost ten thousand pushes and stalled every conversation).
pub const PLACE_REFRESH_MS: i64 = 5_000;
/// Places up to this one are told at once: the visitor is about to be
/// helped.
pub const PLACE_TOLD_AT_ONCE: u32 = 3;

/// What becomes of a waiting visitor's new queue status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceNews {
    /// Told now.
    Tell,
    /// Different from what they were told, but it waits for the next
    /// refresh (`PLACE_REFRESH_MS` after the last one told).
    HoldBack,
    /// What they were told still stands.
    Nothing,
}

/// What to do with a waiting visitor's new queue status (`last` was told
/// at `told_ms`). What changes what they may do is told at once: the first
/// status, a place near the front, another team, or the team going from
/// nobody online to someone (or back: the e-mail offer). A place further
/// back waits until `PLACE_REFRESH_MS` after the last one told.
pub fn place_news(
    last: Option<&QueueStatus>,
    told_ms: i64,
    new: &QueueStatus,
    now_ms: i64,
) -> PlaceNews {
    let Some(last) = last else {
        return PlaceNews::Tell;
    };
    if last == new {
        PlaceNews::Nothing
    } else if new.position <= PLACE_TOLD_AT_ONCE
        || new.team != last.team
        || (new.agents_online == 0) != (last.agents_online == 0)
        || now_ms - told_ms >= PLACE_REFRESH_MS
    {
        PlaceNews::Tell
    } else {
        PlaceNews::HoldBack
    }
}

/// An honest expected wait: the median of the team's recent waits until a
/// claim, once per "round" of its online people ahead of the visitor.
/// `None` ("unknown") without history or with nobody online.
pub fn expected_wait_ms(recent_waits_ms: &[u64], position: u32, agents_online: u32) -> Option<u64> {
    if recent_waits_ms.is_empty() || agents_online == 0 {
        return None;
    }
    let mut sorted = recent_waits_ms.to_vec();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2];
    let rounds = u64::from(position.max(1).div_ceil(agents_online));
    Some(median.max(1_000) * rounds)
}

/// What the visitor reads about their wait, some time after the estimate
/// came: the time left, "longer than usual" once it has passed (never a
/// stale figure), or that nobody can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitNow {
    AboutMinutes(u64),
    LongerThanUsual,
    Unknown,
}

/// The wait `elapsed_ms` after `status` arrived.
pub fn wait_now(status: &QueueStatus, elapsed_ms: i64) -> WaitNow {
    match status.expected_wait_ms {
        None => WaitNow::Unknown,
        Some(expected) => {
            let left = expected as i64 - elapsed_ms.max(0);
            if left <= 0 {
                WaitNow::LongerThanUsual
            } else {
                WaitNow::AboutMinutes((left as u64).div_ceil(60_000).max(1))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(position: u32, agents_online: u32) -> QueueStatus {
        QueueStatus {
            team: "Workshop".into(),
            position,
            expected_wait_ms: Some(60_000 * u64::from(position)),
            agents_online,
        }
    }

    #[test]
    fn a_visitor_near_the_front_or_told_long_ago_hears_their_new_place_at_once() {
        let news = |last: Option<&QueueStatus>, new: &QueueStatus, now: i64| {
            place_news(last, 1_000, new, now)
        };
        assert_eq!(
            news(None, &place(40, 2), 1_000),
            PlaceNews::Tell,
            "the first status"
        );
        assert_eq!(
            news(Some(&place(4, 2)), &place(3, 2), 1_100),
            PlaceNews::Tell
        );
        assert_eq!(
            news(Some(&place(12, 2)), &place(11, 2), 1_000 + PLACE_REFRESH_MS),
            PlaceNews::Tell
        );
    }

    #[test]
    fn a_visitor_far_back_is_not_told_every_step_forward() {
        assert_eq!(
            place_news(Some(&place(12, 2)), 1_000, &place(11, 2), 1_100),
            PlaceNews::HoldBack
        );
        assert_eq!(
            place_news(Some(&place(12, 2)), 1_000, &place(12, 2), 99_000),
            PlaceNews::Nothing,
            "nothing new"
        );
    }

    #[test]
    fn the_team_emptying_or_filling_is_told_at_once_wherever_the_visitor_waits() {
        assert_eq!(
            place_news(Some(&place(12, 2)), 1_000, &place(12, 0), 1_100),
            PlaceNews::Tell
        );
        assert_eq!(
            place_news(Some(&place(12, 0)), 1_000, &place(11, 1), 1_100),
            PlaceNews::Tell
        );
    }
    use crate::analysis::Language;
    use crate::protocol::Mood;
    use crate::protocol::{Source, Suggestion};

    fn event(seq: u64, m: Message) -> Event {
        Event {
            seq,
            at_ms: seq as i64,
            body: EventBody::Message(m),
        }
    }

    fn visitor(text: &str) -> Message {
        Message::plain(Author::Visitor, text, None)
    }

    fn answer(entry: &str, title: &str, confidence: f32) -> Message {
        let mut m = Message::plain(Author::Ai, "…", None);
        m.source = Some(Source {
            entry_id: entry.into(),
            title: title.into(),
            url: None,
            confidence,
        });
        m
    }

    fn not_sure(suggested: &[&str]) -> Message {
        let mut m = Message::plain(Author::Ai, crate::faq::not_sure(Language::English), None);
        m.suggestions = suggested
            .iter()
            .map(|q| Suggestion {
                entry_id: q.to_lowercase(),
                question: q.to_string(),
            })
            .collect();
        m
    }

    #[test]
    fn the_summary_says_what_the_visitor_wants_what_was_tried_and_what_is_open() {
        let events = vec![
            event(1, visitor("hi")),
            event(2, not_sure(&[])),
            event(3, visitor("Can you service a Rohloff hub?")),
            event(4, not_sure(&["How much does a bike service cost?"])),
            event(5, visitor("How much is a puncture repair?")),
            event(
                6,
                answer("puncture-repair", "How much is a puncture repair?", 0.91),
            ),
            event(7, visitor("talk to a person please")),
        ];
        let s = summarize(&events);
        // What is still open leads; a greeting is nothing to answer.
        assert_eq!(s.wants, "Can you service a Rohloff hub?");
        assert_eq!(s.ai_answers.len(), 2);
        assert_eq!(s.ai_answers[0].entry_id, None);
        assert_eq!(
            s.ai_answers[0].suggested,
            vec!["How much does a bike service cost?"]
        );
        assert_eq!(s.ai_answers[1].entry_id.as_deref(), Some("puncture-repair"));
        assert_eq!(s.ai_answers[1].confidence, Some(0.91));
        assert_eq!(s.open, vec!["Can you service a Rohloff hub?"]);
        assert_eq!(
            last_question(&events).as_deref(),
            Some("How much is a puncture repair?")
        );
    }

    #[test]
    fn an_answer_the_visitor_found_unhelpful_stays_open() {
        let events = vec![
            event(1, visitor("How long does a service take?")),
            event(
                2,
                answer("service-prices", "How much does a bike service cost?", 0.6),
            ),
            event(3, visitor("that didn't help")),
        ];
        let s = summarize(&events);
        assert_eq!(s.open, vec!["How long does a service take?"]);
    }

    #[test]
    fn a_button_press_with_nothing_typed_says_so() {
        assert_eq!(summarize(&[]).wants, "(nothing typed yet)");
    }

    #[test]
    fn the_queue_puts_urgent_first_but_long_waits_count_more() {
        let entry = |id: &str, trigger: Trigger, frustration: f32, at: i64| QueueEntry {
            conversation_id: id.into(),
            team: "support".into(),
            trigger,
            frustration,
            requested_at_ms: at,
            base_priority: priority(
                trigger,
                &Sentiment {
                    frustration,
                    label: Mood::Calm,
                },
                0,
            ),
        };
        // An angry visitor arriving a minute after a calm one goes first…
        let mut q = vec![
            entry("calm-early", Trigger::PersonButton, 0.0, 0),
            entry("angry-late", Trigger::Frustration, 3.0, 60_000),
        ];
        order_queue(&mut q);
        assert_eq!(q[0].conversation_id, "angry-late");
        // …but not ahead of someone who has waited ten minutes already.
        let mut q = vec![
            entry("angry-new", Trigger::Frustration, 3.0, 10 * 60_000),
            entry("calm-long", Trigger::PersonButton, 0.0, 0),
        ];
        order_queue(&mut q);
        assert_eq!(q[0].conversation_id, "calm-long");
    }

    #[test]
    fn positions_count_within_each_team() {
        let e = |id: &str, team: &str| QueueEntry {
            conversation_id: id.into(),
            team: team.into(),
            trigger: Trigger::PersonButton,
            frustration: 0.0,
            requested_at_ms: 0,
            base_priority: 1.0,
        };
        let q = [e("a", "support"), e("b", "billing"), e("c", "support")];
        assert_eq!(positions(&q), vec![1, 1, 2]);
    }

    #[test]
    fn the_wait_counts_down_and_then_says_longer_than_usual_instead_of_a_stale_figure() {
        let status = QueueStatus {
            team: "Support".into(),
            position: 5,
            expected_wait_ms: Some(150_000),
            agents_online: 2,
        };
        assert_eq!(wait_now(&status, 0), WaitNow::AboutMinutes(3));
        assert_eq!(wait_now(&status, 100_000), WaitNow::AboutMinutes(1));
        assert_eq!(wait_now(&status, 150_000), WaitNow::LongerThanUsual);
        assert_eq!(wait_now(&status, 180_000), WaitNow::LongerThanUsual);
        let unknown = QueueStatus {
            expected_wait_ms: None,
            ..status
        };
        assert_eq!(wait_now(&unknown, 0), WaitNow::Unknown);
    }

    #[test]
    fn the_expected_wait_is_unknown_without_history_or_people() {
        assert_eq!(expected_wait_ms(&[], 1, 2), None);
        assert_eq!(expected_wait_ms(&[60_000], 1, 0), None);
        assert_eq!(
            expected_wait_ms(&[30_000, 60_000, 90_000], 1, 1),
            Some(60_000)
        );
        assert_eq!(
            expected_wait_ms(&[30_000, 60_000, 90_000], 3, 2),
            Some(120_000)
        );
    }
}
