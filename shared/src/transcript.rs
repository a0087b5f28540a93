//! The client's side of lossless delivery, shared by the widget and the
//! panel: events kept by sequence number (so replays and duplicates collapse),
//! gaps detected and asked for, and an outbox of messages not yet
//! acknowledged that is resent after every reconnect.
//!
//! It is plain state with no I/O: the front end feeds it server frames and
//! sends whatever client frames it returns.

use crate::protocol::{
    Author, ClientFrame, ContactReason, ConversationState, ErrorCode, Event, EventBody,
    QueueStatus, Seq, ServerFrame,
};
use uuid::Uuid;

/// Where an outgoing message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Sent (or waiting for a connection to be sent); no ack yet.
    Sending,
    /// No ack within [`ACK_TIMEOUT_MS`] (the connection is down or slow):
    /// shown as not sent, with a retry. Still resent on the next
    /// connection, so nothing is lost if the visitor does nothing.
    Unconfirmed,
    /// Acknowledged as event `seq`; stays until that event is in the list.
    Sent(Seq),
    /// Refused by the edge; the visitor may edit and retry.
    Failed { code: ErrorCode, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub client_id: Uuid,
    pub text: String,
    pub status: OutboxStatus,
    /// When it was last sent (Unix ms, the client's clock).
    pub sent_at_ms: i64,
}

/// How long a sent message may wait for its ack before the sender is told
/// it is not sent (the connection usually answers in well under a second).
pub const ACK_TIMEOUT_MS: i64 = 10_000;

#[derive(Debug, Default, Clone)]
pub struct Transcript {
    /// Sorted by `seq`, no duplicates. Events almost always arrive in
    /// order, so inserting is a push.
    events: Vec<Event>,
    outbox: Vec<Outgoing>,
    /// Highest `seq` such that every event up to it is held.
    contiguous: Seq,
    /// A resume has been asked for and not yet answered by a welcome.
    resume_pending: bool,
    /// From the last welcome: where the replay ends and the server's head.
    replay_until: Seq,
    server_head: Seq,
    /// The latest queue status from the edge.
    queue: Option<QueueStatus>,
    /// Up to where the person who has the conversation has read it.
    read_by_person: Seq,
}

/// A message of the team the visitor had not seen when this page opened
/// the conversation (`seen_before`: the last event this browser showed
/// them, if it showed any): it waited for them, and is marked new.
pub fn waited_for_visitor(event: &Event, seen_before: Option<Seq>) -> bool {
    matches!(&event.body, EventBody::Message(m) if matches!(m.author, Author::Agent { .. }))
        && seen_before.is_some_and(|seen| event.seq > seen)
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }

    /// Events in order.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &Event> {
        self.events.iter()
    }

    /// The held events, in sequence order, given up (the transcript ends).
    pub fn into_events(self) -> impl Iterator<Item = Event> {
        self.events.into_iter()
    }

    /// The conversation's state: its latest state event held.
    pub fn state(&self) -> ConversationState {
        self.events
            .iter()
            .rev()
            .find_map(|e| match e.body {
                EventBody::State { state, .. } => Some(state),
                _ => None,
            })
            .unwrap_or(ConversationState::Bot)
    }

    /// The latest state event's details: whom a waiting visitor waits for,
    /// or who has joined.
    fn latest_state(&self) -> Option<(ConversationState, Option<&str>, Option<&str>)> {
        self.events.iter().rev().find_map(|e| match &e.body {
            EventBody::State {
                state, agent, team, ..
            } => Some((*state, agent.as_deref(), team.as_deref())),
            _ => None,
        })
    }

    /// The team a waiting visitor waits for.
    pub fn waiting_for(&self) -> Option<&str> {
        match self.latest_state()? {
            (ConversationState::WaitingForPerson, _, team) => team,
            _ => None,
        }
    }

    /// The person in the conversation now.
    pub fn person(&self) -> Option<&str> {
        match self.latest_state()? {
            (ConversationState::WithPerson, agent, _) => agent,
            _ => None,
        }
    }

    /// An offer to leave an e-mail address that is still open: the latest
    /// offer, not yet answered, in a conversation that is not resolved.
    pub fn open_contact_offer(&self) -> Option<ContactReason> {
        if matches!(
            self.state(),
            ConversationState::Resolved | ConversationState::WithPerson
        ) {
            return None;
        }
        self.events.iter().rev().find_map(|e| match e.body {
            EventBody::ContactOffer { reason, .. } => Some(Some(reason)),
            EventBody::Contact { .. } => Some(None),
            _ => None,
        })?
    }

    /// Resolved and not yet rated: ask for a rating.
    pub fn wants_rating(&self) -> bool {
        self.state() == ConversationState::Resolved
            && !self
                .events
                .iter()
                .any(|e| matches!(e.body, EventBody::Rating { .. }))
    }

    /// Where the visitor stands in the queue, while waiting for a person.
    pub fn queue_status(&self) -> Option<&QueueStatus> {
        self.queue
            .as_ref()
            .filter(|_| self.state() == ConversationState::WaitingForPerson)
    }

    /// The visitor's latest message the person has read (shown as
    /// "seen"): only the last one is marked, as in any messenger.
    pub fn seen_message(&self) -> Option<Seq> {
        self.events
            .iter()
            .rev()
            .filter(|e| e.seq <= self.read_by_person)
            .find(|e| matches!(&e.body, EventBody::Message(m) if m.author == Author::Visitor))
            .map(|e| e.seq)
    }

    fn holds(&self, seq: Seq) -> bool {
        self.events.binary_search_by_key(&seq, |e| e.seq).is_ok()
    }

    /// Outgoing messages whose event is not in the list yet.
    pub fn pending(&self) -> impl Iterator<Item = &Outgoing> {
        self.outbox.iter()
    }

    /// The sequence number to resume from.
    pub fn last_seq(&self) -> Seq {
        self.contiguous
    }

    /// Frames to send once a socket is open: resume from where we are, then
    /// every unacknowledged message (safe: the edge stores by client id).
    pub fn on_connected(&mut self, now_ms: i64) -> Vec<ClientFrame> {
        self.resume_pending = true;
        let mut frames = vec![ClientFrame::Resume {
            last_seq: self.contiguous,
        }];
        for o in &mut self.outbox {
            if matches!(o.status, OutboxStatus::Sending | OutboxStatus::Unconfirmed) {
                o.status = OutboxStatus::Sending;
                o.sent_at_ms = now_ms;
                frames.push(ClientFrame::Send {
                    client_id: o.client_id,
                    text: o.text.clone(),
                });
            }
        }
        frames
    }

    /// Queues a new message; the frame is to be sent now if connected.
    pub fn queue(&mut self, client_id: Uuid, text: String, now_ms: i64) -> ClientFrame {
        self.outbox.push(Outgoing {
            client_id,
            text: text.clone(),
            status: OutboxStatus::Sending,
            sent_at_ms: now_ms,
        });
        ClientFrame::Send { client_id, text }
    }

    /// Marks messages sent at least [`ACK_TIMEOUT_MS`] ago and still not
    /// acknowledged as unconfirmed; returns whether any changed. Safe to
    /// call at any time (a timer per send calls it).
    pub fn time_out(&mut self, now_ms: i64) -> bool {
        let mut changed = false;
        for o in &mut self.outbox {
            if o.status == OutboxStatus::Sending && now_ms - o.sent_at_ms >= ACK_TIMEOUT_MS {
                o.status = OutboxStatus::Unconfirmed;
                changed = true;
            }
        }
        changed
    }

    /// Puts a failed or unconfirmed message back to sending; returns the
    /// frame to send.
    pub fn retry(&mut self, client_id: Uuid, now_ms: i64) -> Option<ClientFrame> {
        let o = self.outbox.iter_mut().find(|o| o.client_id == client_id)?;
        o.status = OutboxStatus::Sending;
        o.sent_at_ms = now_ms;
        Some(ClientFrame::Send {
            client_id,
            text: o.text.clone(),
        })
    }

    /// Drops a failed message the visitor gave up on.
    pub fn discard(&mut self, client_id: Uuid) {
        self.outbox
            .retain(|o| o.client_id != client_id || o.status == OutboxStatus::Sending);
    }

    /// Applies one server frame; returns a frame to send back, if any (a
    /// resume when a gap shows or a bounded replay was cut short).
    pub fn on_frame(&mut self, frame: ServerFrame) -> Option<ClientFrame> {
        match frame {
            ServerFrame::Welcome {
                last_seq,
                replay_until,
                ..
            } => {
                self.resume_pending = false;
                self.server_head = self.server_head.max(last_seq);
                self.replay_until = replay_until;
                self.resume_if_behind()
            }
            ServerFrame::Ack { client_id, seq } => {
                if let Some(o) = self.outbox.iter_mut().find(|o| o.client_id == client_id) {
                    o.status = OutboxStatus::Sent(seq);
                }
                self.server_head = self.server_head.max(seq);
                self.settle_outbox();
                self.resume_if_gap()
            }
            ServerFrame::Event(event) => {
                self.server_head = self.server_head.max(event.seq);
                self.insert(event);
                self.resume_if_behind().or_else(|| self.resume_if_gap())
            }
            ServerFrame::Queue(status) => {
                self.queue = Some(status);
                None
            }
            ServerFrame::Seen { seq } => {
                self.read_by_person = self.read_by_person.max(seq);
                None
            }
            ServerFrame::Typing { .. } | ServerFrame::Note(_) => None,
            ServerFrame::Error {
                code,
                message,
                client_id,
            } => {
                if let Some(o) =
                    client_id.and_then(|id| self.outbox.iter_mut().find(|o| o.client_id == id))
                {
                    o.status = OutboxStatus::Failed { code, message };
                }
                None
            }
        }
    }

    fn insert(&mut self, event: Event) {
        if let Err(at) = self.events.binary_search_by_key(&event.seq, |e| e.seq) {
            self.events.insert(at, event);
        }
        while self.holds(self.contiguous + 1) {
            self.contiguous += 1;
        }
        self.settle_outbox();
    }

    /// An outgoing message leaves the outbox once its event is held.
    fn settle_outbox(&mut self) {
        let events = &self.events;
        self.outbox.retain(|o| match o.status {
            OutboxStatus::Sent(seq) => events.binary_search_by_key(&seq, |e| e.seq).is_err(),
            _ => {
                // The event may have arrived before the ack (fan-out order).
                !events.iter().any(|e| matches!(&e.body, EventBody::Message(m) if m.client_id == Some(o.client_id)))
            }
        });
    }

    /// After the replay's last event, ask for the rest if the server has more.
    fn resume_if_behind(&mut self) -> Option<ClientFrame> {
        let replay_done = self.contiguous >= self.replay_until;
        if !self.resume_pending
            && replay_done
            && self.contiguous < self.server_head
            && self.has_gap_or_tail()
        {
            self.resume_pending = true;
            return Some(ClientFrame::Resume {
                last_seq: self.contiguous,
            });
        }
        None
    }

    /// A live event beyond the next expected one means something was missed.
    fn resume_if_gap(&mut self) -> Option<ClientFrame> {
        if !self.resume_pending && self.contiguous >= self.replay_until && self.has_gap_or_tail() {
            self.resume_pending = true;
            return Some(ClientFrame::Resume {
                last_seq: self.contiguous,
            });
        }
        None
    }

    /// True when the server has events beyond our contiguous prefix that we
    /// do not hold (missing in the middle, or not received at the end).
    fn has_gap_or_tail(&self) -> bool {
        self.contiguous < self.server_head
            && !(self.contiguous + 1..=self.server_head).all(|s| self.holds(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Message;

    fn message(seq: Seq, client_id: Option<Uuid>) -> ServerFrame {
        ServerFrame::Event(Event {
            seq,
            at_ms: 0,
            body: EventBody::Message(Message::plain(Author::Ai, format!("m{seq}"), client_id)),
        })
    }

    fn welcome(last_seq: Seq, replay_until: Seq) -> ServerFrame {
        ServerFrame::Welcome {
            v: 1,
            conversation_id: "c".into(),
            last_seq,
            replay_until,
            disclosure: None,
        }
    }

    #[test]
    fn only_the_teams_messages_after_what_this_browser_showed_are_new() {
        let agent = |seq: Seq| Event {
            seq,
            at_ms: 0,
            body: EventBody::Message(Message::plain(
                Author::Agent { name: "Ada".into() },
                "hi",
                None,
            )),
        };
        let ServerFrame::Event(ai) = message(5, None) else {
            unreachable!()
        };
        assert!(waited_for_visitor(&agent(5), Some(4)));
        assert!(!waited_for_visitor(&agent(4), Some(4)));
        assert!(
            !waited_for_visitor(&ai, Some(4)),
            "only the team's messages are marked"
        );
        assert!(
            !waited_for_visitor(&agent(5), None),
            "a browser that showed nothing marks nothing"
        );
    }

    fn seqs(t: &Transcript) -> Vec<Seq> {
        t.events().map(|e| e.seq).collect()
    }

    #[test]
    fn replayed_and_live_duplicates_are_shown_once() {
        let mut t = Transcript::new();
        t.on_connected(0);
        t.on_frame(welcome(2, 2));
        t.on_frame(message(1, None));
        t.on_frame(message(2, None));
        t.on_frame(message(2, None));
        t.on_frame(message(1, None));
        assert_eq!(seqs(&t), vec![1, 2]);
        assert_eq!(t.last_seq(), 2);
    }

    #[test]
    fn a_gap_in_live_events_asks_for_the_missing_range_once() {
        let mut t = Transcript::new();
        t.on_connected(0);
        t.on_frame(welcome(1, 1));
        t.on_frame(message(1, None));
        assert_eq!(
            t.on_frame(message(3, None)),
            Some(ClientFrame::Resume { last_seq: 1 })
        );
        assert_eq!(
            t.on_frame(message(4, None)),
            None,
            "no second resume while one is pending"
        );
        t.on_frame(welcome(4, 4));
        t.on_frame(message(2, None));
        assert_eq!(t.last_seq(), 4);
    }

    #[test]
    fn a_bounded_replay_is_continued_from_where_it_stopped() {
        let mut t = Transcript::new();
        t.on_connected(0);
        assert_eq!(t.on_frame(welcome(3, 2)), None);
        assert_eq!(t.on_frame(message(1, None)), None);
        assert_eq!(
            t.on_frame(message(2, None)),
            Some(ClientFrame::Resume { last_seq: 2 })
        );
        t.on_frame(welcome(3, 3));
        t.on_frame(message(3, None));
        assert_eq!(seqs(&t), vec![1, 2, 3]);
    }

    #[test]
    fn unacknowledged_messages_are_resent_after_reconnect_and_settle_on_their_event() {
        let mut t = Transcript::new();
        let id = Uuid::from_u128(1);
        t.queue(id, "hello".into(), 0);
        let frames = t.on_connected(0);
        assert_eq!(frames.len(), 2);
        assert_eq!(
            frames[1],
            ClientFrame::Send {
                client_id: id,
                text: "hello".into()
            }
        );
        t.on_frame(welcome(0, 0));
        t.on_frame(ServerFrame::Ack {
            client_id: id,
            seq: 1,
        });
        assert_eq!(
            t.pending().next().map(|o| &o.status),
            Some(&OutboxStatus::Sent(1))
        );
        t.on_frame(message(1, Some(id)));
        assert_eq!(t.pending().count(), 0);
        assert_eq!(t.on_connected(0).len(), 1, "nothing to resend once settled");
    }

    #[test]
    fn an_event_arriving_before_its_ack_settles_the_outbox() {
        let mut t = Transcript::new();
        let id = Uuid::from_u128(2);
        t.queue(id, "x".into(), 0);
        t.on_connected(0);
        t.on_frame(welcome(0, 0));
        t.on_frame(message(1, Some(id)));
        assert_eq!(t.pending().count(), 0);
    }

    #[test]
    fn the_state_is_the_latest_state_event() {
        let mut t = Transcript::new();
        assert_eq!(t.state(), ConversationState::Bot);
        t.on_frame(ServerFrame::Event(Event {
            seq: 1,
            at_ms: 0,
            body: EventBody::state(ConversationState::WaitingForPerson),
        }));
        t.on_frame(message(2, None));
        assert_eq!(t.state(), ConversationState::WaitingForPerson);
    }

    #[test]
    fn a_refused_message_is_marked_failed_and_can_be_retried() {
        let mut t = Transcript::new();
        let id = Uuid::from_u128(3);
        t.queue(id, "x".into(), 0);
        t.on_frame(ServerFrame::Error {
            code: ErrorCode::MessageTooLong,
            message: "long".into(),
            client_id: Some(id),
        });
        assert!(matches!(
            t.pending().next().unwrap().status,
            OutboxStatus::Failed {
                code: ErrorCode::MessageTooLong,
                ..
            }
        ));
        assert_eq!(
            t.on_connected(0).len(),
            1,
            "failed messages are not resent by themselves"
        );
        assert!(t.retry(id, 0).is_some());
        assert_eq!(t.pending().next().unwrap().status, OutboxStatus::Sending);
    }

    #[test]
    fn a_message_not_acknowledged_in_time_shows_as_unconfirmed_and_is_resent_on_reconnect() {
        let mut t = Transcript::new();
        let id = Uuid::from_u128(7);
        t.queue(id, "hello".into(), 1_000);
        assert!(!t.time_out(1_000 + ACK_TIMEOUT_MS - 1), "not yet");
        assert_eq!(t.pending().next().unwrap().status, OutboxStatus::Sending);
        assert!(t.time_out(1_000 + ACK_TIMEOUT_MS));
        assert_eq!(
            t.pending().next().unwrap().status,
            OutboxStatus::Unconfirmed
        );
        assert!(!t.time_out(99_000), "marked once");

        // Nothing is lost if the visitor does nothing: the next connection
        // resends it, and a timer from the first send does not mark the
        // fresh attempt.
        let frames = t.on_connected(50_000);
        assert!(frames.contains(&ClientFrame::Send {
            client_id: id,
            text: "hello".into()
        }));
        assert_eq!(t.pending().next().unwrap().status, OutboxStatus::Sending);
        assert!(!t.time_out(50_000 + ACK_TIMEOUT_MS - 1));

        // Or the visitor retries by hand; its ack settles it.
        t.time_out(70_000);
        assert!(t.retry(id, 70_000).is_some());
        t.on_frame(ServerFrame::Ack {
            client_id: id,
            seq: 1,
        });
        assert!(
            !t.time_out(90_000),
            "an acknowledged message never times out"
        );
        t.on_frame(message(1, Some(id)));
        assert_eq!(t.pending().count(), 0);
    }

    #[test]
    fn the_contact_offer_stays_open_until_answered_and_ratings_are_asked_once() {
        let mut t = Transcript::new();
        let ev = |seq: Seq, body: EventBody| {
            ServerFrame::Event(Event {
                seq,
                at_ms: 0,
                body,
            })
        };
        t.on_frame(ev(
            1,
            EventBody::State {
                asked: true,
                state: ConversationState::WaitingForPerson,
                agent: None,
                team: Some("Support".into()),
            },
        ));
        assert_eq!(t.waiting_for(), Some("Support"));
        t.on_frame(ev(
            2,
            EventBody::ContactOffer {
                back_at_ms: None,
                reason: ContactReason::NobodyOnline,
            },
        ));
        assert_eq!(t.open_contact_offer(), Some(ContactReason::NobodyOnline));
        t.on_frame(ev(
            3,
            EventBody::Contact {
                email: "a@b.cd".into(),
                question: "q".into(),
            },
        ));
        assert_eq!(t.open_contact_offer(), None);
        t.on_frame(ev(
            4,
            EventBody::ContactOffer {
                back_at_ms: None,
                reason: ContactReason::NoClaimInTime,
            },
        ));
        t.on_frame(ev(
            5,
            EventBody::State {
                asked: true,
                state: ConversationState::WithPerson,
                agent: Some("Anna".into()),
                team: None,
            },
        ));
        assert_eq!(t.person(), Some("Anna"));
        assert_eq!(
            t.open_contact_offer(),
            None,
            "a person is here: no e-mail form"
        );
        assert!(!t.wants_rating());
        t.on_frame(ev(6, EventBody::state(ConversationState::Resolved)));
        assert!(t.wants_rating());
        t.on_frame(ev(
            7,
            EventBody::Rating {
                score: 4,
                comment: String::new(),
            },
        ));
        assert!(!t.wants_rating());
    }

    #[test]
    fn seen_marks_only_the_visitors_latest_message_the_person_has_read() {
        let mut t = Transcript::new();
        let visitor = |seq| {
            ServerFrame::Event(Event {
                seq,
                at_ms: 0,
                body: EventBody::Message(Message::plain(Author::Visitor, String::from("hi"), None)),
            })
        };
        for frame in [visitor(1), message(2, None), visitor(3), visitor(4)] {
            t.on_frame(frame);
        }
        assert_eq!(t.seen_message(), None);
        t.on_frame(ServerFrame::Seen { seq: 3 });
        assert_eq!(t.seen_message(), Some(3));
        // An older read arriving late never moves the mark back.
        t.on_frame(ServerFrame::Seen { seq: 1 });
        assert_eq!(t.seen_message(), Some(3));
        t.on_frame(ServerFrame::Seen { seq: 9 });
        assert_eq!(t.seen_message(), Some(4));
    }
}
