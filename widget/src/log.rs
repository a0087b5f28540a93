//! The message list, drawn with plain DOM calls from one effect. Why not a
//! Leptos `For`: the list only grows at its end (a late event may land
//! earlier, rarely), so keyed diffing has nothing to do, and its generic
//! view code cost about 16 KB gzip of the widget's 100 KB budget.
//!
//! Every visitor-, agent- or AI-supplied string goes into the page as a
//! text node or an attribute value, never as HTML. Badges come from the
//! message's `author`, set by the edge, never from its text or a name.

use crate::dom::{attrs, child, text};
use crate::i18n::{self, Strings};
use shared::protocol::{Author, ContactReason, ConversationState, Event, EventBody, Message};
use shared::transcript::{OutboxStatus, Outgoing};
use web_sys::Element;

/// A link the widget is willing to show: `https:` (or `http:` on this
/// machine, for development), resolved against the host page. Returns the
/// address and the domain shown beside it.
pub fn safe_link(url: &str, page: Option<&str>) -> Option<(String, String)> {
    let parsed = match page {
        Some(base) => web_sys::Url::new_with_base(url, base).ok()?,
        None => web_sys::Url::new(url).ok()?,
    };
    let host = parsed.hostname();
    let local = host == "localhost" || host == "127.0.0.1";
    match parsed.protocol().as_str() {
        "https:" => {}
        "http:" if local => {}
        _ => return None,
    }
    Some((parsed.href(), host))
}

/// `<a>` to a checked address, opened apart from the chat, with its domain.
fn link(parent: &Element, label: &str, href: &str, domain: &str) {
    let a = child(parent, "a", "");
    attrs(
        &a,
        &[
            ("href", href),
            ("target", "_blank"),
            ("rel", "noopener noreferrer"),
        ],
    );
    text(&a, label);
    text(
        &child(parent, "span", "link-domain"),
        &format!(" ({domain})"),
    );
}

/// The badge is chrome: its text comes from the author kind, and a name is
/// shown isolated (`<bdi>`) beside a fixed "person" label, so no name can
/// pass for the AI or system label. Returns the message's class.
fn badge(parent: &Element, author: &Author, t: &Strings) -> &'static str {
    let (class, label) = match author {
        Author::Visitor => ("visitor", t.badge_you),
        Author::Ai => ("ai", t.badge_ai),
        Author::System => ("system", t.badge_system),
        Author::Agent { name } => {
            // Initials beside the badge, hidden from screen readers (the
            // name follows).
            let who = child(parent, "span", "who");
            let avatar = child(&who, "span", "avatar");
            attrs(&avatar, &[("aria-hidden", "true")]);
            text(&avatar, &shared::text::initials(name));
            let badge = child(&who, "span", "badge badge-agent");
            text(&child(&badge, "bdi", "agent-name"), name);
            text(&badge, &format!(" · {}", t.badge_person));
            return "msg-agent";
        }
    };
    text(
        &child(parent, "span", &format!("badge badge-{class}")),
        label,
    );
    match author {
        Author::Visitor => "msg-visitor",
        Author::Ai => "msg-ai",
        _ => "msg-system",
    }
}

/// One stored message with its author badge, and for the AI its source or
/// its "Did you mean" choices (buttons whose text is the question).
/// `new`: the team's answer waited for the visitor (marked until seen).
pub fn message(
    parent: &Element,
    seq: u64,
    at_ms: i64,
    message: &Message,
    new: bool,
    page: Option<&str>,
    t: &Strings,
) -> Element {
    let item = child(parent, "div", "msg");
    let _ = item.set_attribute("data-seq", &seq.to_string());
    let class = badge(&item, &message.author, t);
    let _ = item.class_list().add_1(class);
    if new {
        text(&child(&item, "span", "new"), t.new_message);
    }
    // A photo: its thumbnail, opening the photo; its description is the
    // image's text alternative.
    if let Some(links) = message.photo.as_ref().and_then(|p| p.links.as_ref()) {
        let a = child(&item, "a", "photo");
        attrs(&a, &[("href", &links.full), ("target", "_blank")]);
        let alt = if message.text.is_empty() {
            t.photo
        } else {
            &message.text
        };
        attrs(
            &child(&a, "img", ""),
            &[("src", &links.thumb), ("alt", alt)],
        );
        crate::times::stamp(&item, at_ms, t.lang);
        return item;
    }
    let body = child(&item, "p", "msg-text");
    // Addresses written out by the AI's FAQ or a person become checked
    // links (https only, with their domain); a visitor's stay text.
    if matches!(message.author, Author::Visitor) {
        text(&body, &message.text);
    } else {
        for span in shared::text::link_spans(&message.text) {
            match span {
                shared::text::Span::Link(url) => match safe_link(url, None) {
                    Some((href, domain)) => link(&body, url, &href, &domain),
                    None => text(&body, url),
                },
                shared::text::Span::Text(s) => text(&body, s),
            }
        }
    }
    if let Some(src) = &message.source {
        let p = child(&item, "p", "msg-source");
        text(&p, t.source);
        match src.url.as_deref().and_then(|u| safe_link(u, page)) {
            Some((href, domain)) => link(&p, &src.title, &href, &domain),
            None => text(&child(&p, "span", ""), &src.title),
        }
    }
    if !message.suggestions.is_empty() {
        let list = child(&item, "ul", "choices");
        let _ = list.set_attribute("aria-label", t.did_you_mean);
        for s in &message.suggestions {
            let button = child(&child(&list, "li", ""), "button", "choice");
            attrs(&button, &[("type", "button")]);
            text(&button, &s.question);
        }
    }
    crate::times::stamp(&item, at_ms, t.lang);
    item
}

/// One stored event: a message, or a notice in the product's own words
/// (state changes, the e-mail offer and its answer, the rating).
pub fn event(
    parent: &Element,
    event: &Event,
    new: bool,
    page: Option<&str>,
    t: &Strings,
) -> Element {
    let (notice, name): (String, Option<&str>) = match &event.body {
        EventBody::Message(m) => return message(parent, event.seq, event.at_ms, m, new, page, t),
        EventBody::State {
            state,
            agent,
            team,
            asked,
        } => match (state, agent) {
            (ConversationState::WithPerson, Some(name)) => (t.person_joined.into(), Some(name)),
            (ConversationState::Bot, Some(name)) => (t.person_left.into(), Some(name)),
            (ConversationState::Bot, None) => (t.state_bot.into(), None),
            // "You asked" only when the visitor did; otherwise why.
            (ConversationState::WaitingForPerson, _) => match (team, asked) {
                (Some(team), true) => (i18n::fill(t.waiting_for_team, "team", team), None),
                (Some(team), false) => (i18n::fill(t.waiting_for_team_policy, "team", team), None),
                (None, true) => (t.state_waiting.into(), None),
                (None, false) => (t.state_waiting_policy.into(), None),
            },
            (ConversationState::WithPerson, None) => (t.person_here.into(), None),
            (ConversationState::Resolved, _) => (t.state_resolved.into(), None),
        },
        EventBody::ContactOffer { reason, back_at_ms } => {
            let offer = match reason {
                ContactReason::OutsideHours => t.contact_outside_hours,
                ContactReason::NobodyOnline => t.contact_nobody_online,
                ContactReason::NoClaimInTime => t.contact_no_claim,
            };
            match back_at_ms {
                Some(at) => (format!("{offer} {}", crate::times::back_at(*at, t)), None),
                None => (offer.into(), None),
            }
        }
        EventBody::Contact { .. } => (t.contact_left.to_string(), None),
        EventBody::Rating { .. } => (t.rated.into(), None),
    };
    let item = child(parent, "div", "msg msg-system");
    let _ = item.set_attribute("data-seq", &event.seq.to_string());
    badge(&item, &Author::System, t);
    let body = child(&item, "p", "msg-text");
    // A person's name is drawn isolated, never as part of the template.
    let (before, after) = i18n::split_at(&notice, "name").unwrap_or((&notice, ""));
    text(&body, before);
    if let Some(name) = name {
        text(&child(&body, "bdi", "agent-name"), name);
    }
    text(&body, after);
    item
}

/// A message not yet stored: its state, and a retry (`data-retry` holds its
/// id) when it was refused or not confirmed in time.
pub fn pending(parent: &Element, o: &Outgoing, t: &Strings) {
    let item = child(parent, "div", "msg msg-visitor msg-pending");
    badge(&item, &Author::Visitor, t);
    text(&child(&item, "p", "msg-text"), &o.text);
    let status = child(&item, "p", "msg-status");
    match &o.status {
        OutboxStatus::Sending => return text(&status, t.sending),
        OutboxStatus::Sent(_) => return text(&status, t.sent),
        OutboxStatus::Unconfirmed => text(&status, t.not_confirmed),
        OutboxStatus::Failed { message, .. } => {
            text(&status, t.not_sent);
            text(&status, message);
        }
    }
    let retry = child(&item, "button", "text-button");
    attrs(
        &retry,
        &[("type", "button"), ("data-retry", &o.client_id.to_string())],
    );
    text(&retry, t.retry);
}

/// What is drawn in a list of events, so the next draw adds only what is new.
#[derive(Default)]
pub struct Drawn {
    /// (conversation number, sequence number) of each item, in order, with
    /// the item drawn for it.
    items: Vec<((u32, u64), Element)>,
}

impl Drawn {
    /// Brings `parent` to `events`: keeps the common start, redraws the rest
    /// (normally: appends what is new).
    pub fn sync<'e>(
        &mut self,
        parent: &Element,
        events: impl Iterator<Item = (u32, &'e Event, bool)>,
        page: Option<&str>,
        t: &Strings,
    ) {
        let events: Vec<_> = events.collect();
        let same = self
            .items
            .iter()
            .zip(&events)
            .take_while(|((k, _), (n, e, _))| *k == (*n, e.seq))
            .count();
        for (_, item) in self.items.drain(same..) {
            item.remove();
        }
        for (n, e, new) in &events[same..] {
            self.items
                .push(((*n, e.seq), event(parent, e, *new, page, t)));
        }
    }

    /// "Seen" under the visitor's message `seq` of the conversation drawn
    /// last (the latest one the person has read), and nowhere else.
    pub fn mark_seen(&self, seq: Option<u64>, t: &Strings) {
        if let Some(old) = crate::dom::by_id("seen") {
            old.remove();
        }
        // Earlier conversations, drawn first, reuse sequence numbers.
        if let Some((_, item)) = self.items.iter().rev().find(|((_, s), _)| Some(*s) == seq) {
            let mark = child(item, "p", "msg-status");
            attrs(&mark, &[("id", "seen")]);
            text(&mark, t.seen);
        }
    }
}
