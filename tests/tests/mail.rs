//! E-mail when nobody was there: the team's answer to a left question goes
//! out through the `send_email` binding (read back from `wrangler dev`'s
//! simulation), the visitor's reply comes back through the worker's e-mail
//! handler into the same conversation, the mailed link reopens the chat
//! once, and "stop" stops further mail. Forged, unknown, oversized and
//! attached mail is refused and stored nowhere.

use mail_parser::MessageParser;
use shared::protocol::{ClientFrame, EventBody, InboxFrame, TicketItem, TicketStatus};
use tests::{conversation_on, event_where, get, post, recv_inbox, send, Edge};

/// A visitor on always-closed `site` leaves `question` with an address
/// unique to the test, so the simulation's outbox is its own; their socket
/// stays open.
async fn leaves_question(
    edge: &Edge,
    site: &str,
    question: &str,
) -> (tests::Visitor, tests::Socket, String) {
    let (visitor, mut v) = conversation_on(edge, site, "en").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| matches!(b, EventBody::ContactOffer { .. })).await;
    let email = format!("sam.{}@example.test", uuid::Uuid::new_v4().simple());
    let contact = ClientFrame::LeaveContact {
        email: email.clone(),
        question: question.into(),
    };
    send(&mut v, &contact).await;
    event_where(&mut v, |b| matches!(b, EventBody::Contact { .. })).await;
    (visitor, v, email)
}

/// The same on the `mail` site, and the visitor leaves: what the team
/// writes now waits for them.
async fn left_question(edge: &Edge, question: &str) -> (tests::Visitor, String) {
    let (visitor, _left, email) = leaves_question(edge, "mail", question).await;
    (visitor, email)
}

fn header<'a>(raw: &'a str, name: &str) -> &'a str {
    raw.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} header in:\n{raw}"))
        .trim()
}

fn reply_mail(from: &str, to: &str, body: &str) -> String {
    format!(
        "From: Sam <{from}>\r\nTo: <{to}>\r\nSubject: Re: Your question\r\n\
         Message-ID: <{}@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}",
        uuid::Uuid::new_v4().simple()
    )
}

/// The conversation as an agent exports it (events and internal notes).
fn transcript(edge: &Edge, agent: &tests::Agent, id: &str) -> String {
    let view = edge.agent_get(agent, &format!("/api/v1/agent/conversations/{id}/export"));
    assert_eq!(view.status, 200, "{}", view.body);
    view.body
}

#[tokio::test]
async fn the_answer_goes_out_by_email_and_the_visitors_reply_comes_back_into_the_conversation() {
    let edge = Edge::shared();
    let cleo = edge.cleo();
    let (visitor, email) = left_question(edge, "Can you <i>true</i> a wheel by Friday?").await;
    let id = visitor.conversation_id.clone();

    let reply = format!("/api/v1/agent/conversations/{id}/reply");
    let answer = r#"{"text": "Yes: <b>bring it</b> on Thursday & ask for Cleo."}"#;
    let sent = edge.agent_post_json(&cleo, &reply, answer);
    assert_eq!(sent.status, 200, "{}", sent.body);

    // One mail to the visitor, with both parts and every value escaped.
    let mails = edge.sent_mail_to(&email);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let raw = &mails[0];
    assert_eq!(
        header(raw, "From"),
        "=?UTF-8?B?U2hvcCA8VGVzdD4gJiBDbw==?= <help@shop.test>"
    );
    let reply_to = header(raw, "Reply-To").trim_matches(['<', '>']).to_string();
    let token = reply_to
        .strip_prefix("mail.")
        .and_then(|r| r.strip_suffix("@reply.shop.test"))
        .expect("a reply address of this site");
    assert_eq!(token.len(), 32, "{reply_to}");
    assert!(!raw.contains(&visitor.secret), "never the visitor's secret");
    let parsed = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a mail");
    let text = parsed.body_text(0).expect("a plain part").to_string();
    assert!(
        text.contains("Cleo from Shop <Test> & Co answered your question:"),
        "{text}"
    );
    assert!(
        text.contains("Yes: <b>bring it</b> on Thursday & ask for Cleo."),
        "{text}"
    );
    assert!(
        text.contains("> Can you <i>true</i> a wheel by Friday?"),
        "{text}"
    );
    let html = parsed.body_html(0).expect("an HTML part").to_string();
    assert!(
        html.contains("Yes: &lt;b&gt;bring it&lt;/b&gt; on Thursday &amp; ask"),
        "{html}"
    );
    assert!(!html.contains("<b>") && !html.contains("<i>"), "{html}");
    let open = text
        .split_whitespace()
        .find(|w| w.contains("/mail/mail/open"))
        .expect("the reopen link")
        .to_string();
    let (open_page, open_token) = open.split_once('#').expect("the token in the fragment");
    assert_eq!(open_page, format!("{}/mail/mail/open?lang=en", edge.base()));
    assert_eq!(open_token.len(), 64);
    let stop = text
        .split_whitespace()
        .find(|w| w.ends_with("/stop?lang=en"))
        .expect("the stop link")
        .to_string();
    assert_eq!(header(raw, "List-Unsubscribe"), format!("<{stop}>"));
    // The agents read that it went, in an internal note.
    assert!(transcript(edge, &cleo, &id).contains(&format!("Answer sent by e-mail to {email}.")));

    // The visitor was away: one unread message for the launcher's badge.
    let unread = format!("{}/api/v1/conversations/{id}/unread", edge.base());
    let bearer = format!("Bearer {}", visitor.secret);
    let count = get(&unread, &[("authorization", &bearer)]);
    assert_eq!(count.body, r#"{"unread":1}"#);
    assert_eq!(
        get(&unread, &[]).status,
        401,
        "only with the visitor's secret"
    );

    // The visitor's reply comes back, without the quoted mail and signature.
    let mut inbox = edge
        .agent_socket(&cleo, "/api/v1/agent/sites/mail/inbox")
        .await;
    let body = "Thursday works, thanks!\n\nSam\n-- \nSam Smith, Riverside\n\n\
                On Mon, 30 Nov 2026 Shop wrote:\n> Yes: bring it on Thursday";
    let took = edge.deliver_mail(&email, &reply_to, &reply_mail(&email, &reply_to, body));
    assert_eq!(took.status, 200, "{}", took.body);
    loop {
        if let InboxFrame::Ticket {
            conversation_id, ..
        } = recv_inbox(&mut inbox).await
        {
            if conversation_id == id {
                break;
            }
        }
    }
    let seen = transcript(edge, &cleo, &id);
    assert!(
        seen.contains(r#""text":"Thursday works, thanks!\n\nSam""#),
        "{seen}"
    );
    assert!(
        !seen.contains("Riverside") && !seen.contains("> Yes"),
        "{seen}"
    );
    let list: Vec<TicketItem> = edge
        .agent_get(&cleo, "/api/v1/agent/sites/mail/tickets")
        .json();
    let ticket = list
        .iter()
        .find(|t| t.conversation_id == id)
        .expect("listed");
    assert_eq!(ticket.status, TicketStatus::Open, "open again for the team");

    // The link opens the chat once, in a browser of the visitor's choice.
    let page = get(&open, &[]);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(r#"<script src="/widget/reopen.js">"#),
        "{}",
        page.body
    );
    let trade = format!("{}/api/v1/mail/reopen", edge.base());
    let body = format!(r#"{{"site":"mail","token":"{open_token}"}}"#);
    let first = post(&trade, &body, &[]);
    assert_eq!(first.status, 200, "{}", first.body);
    let key: shared::protocol::ConversationCreated = first.json();
    assert_eq!(key.conversation_id, id);
    assert_ne!(key.visitor_secret, visitor.secret, "a key of its own");
    let again = post(&trade, &body, &[]);
    assert_eq!((again.status, again.code()), (404, "not_found".to_string()));
    assert!(
        again.body.contains("used already or has expired"),
        "{}",
        again.body
    );
    let reopened = get(
        &unread,
        &[("authorization", &format!("Bearer {}", key.visitor_secret))],
    );
    assert_eq!(reopened.status, 200, "the new key opens this conversation");

    // "Stop": the next answer waits in the chat only, and the agents read why.
    assert_eq!(
        get(&stop, &[]).status,
        200,
        "a GET (a mail scanner) changes nothing"
    );
    let stopped = post(&stop, "List-Unsubscribe=One-Click", &[]);
    assert_eq!(stopped.status, 200);
    assert!(stopped.body.contains("no more e-mails"), "{}", stopped.body);
    let next = r#"{"text": "See you Thursday."}"#;
    assert_eq!(edge.agent_post_json(&cleo, &reply, next).status, 200);
    assert_eq!(edge.sent_mail_to(&email).len(), 1, "no second mail");
    assert!(transcript(edge, &cleo, &id).contains("the visitor asked for no more e-mails"));

    // Erased with the conversation: the reply address leads nowhere.
    assert_eq!(
        edge.agent_delete(&cleo, &format!("/api/v1/agent/conversations/{id}")),
        204
    );
    let late = edge.deliver_mail(&email, &reply_to, &reply_mail(&email, &reply_to, "Hello?"));
    assert_eq!(late.status, 400, "{}", late.body);
}

#[tokio::test]
async fn forged_unknown_oversized_and_attached_replies_are_refused_and_stored_nowhere() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, email) = left_question(edge, "Do you sell inner tubes?").await;
    let id = visitor.conversation_id.clone();
    let reply = format!("/api/v1/agent/conversations/{id}/reply");
    let sent = edge.agent_post_json(&anna, &reply, r#"{"text": "Yes, all sizes."}"#);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let mails = edge.sent_mail_to(&email);
    let reply_to = header(&mails[0], "Reply-To")
        .trim_matches(['<', '>'])
        .to_string();
    let before = transcript(edge, &anna, &id);

    let refused = |from: &str, to: &str, raw: String, why: &str| {
        let answer = edge.deliver_mail(from, to, &raw);
        assert_eq!(answer.status, 400, "{why}: {}", answer.body);
        answer.body
    };
    // Someone else writing to the reply address.
    let eve = "eve@example.test";
    refused(
        eve,
        &reply_to,
        reply_mail(eve, &reply_to, "Refund me"),
        "forged sender",
    );
    // A token nobody was sent, and another site's prefix.
    let unknown = "mail.0123456789abcdef0123456789abcdef@reply.shop.test";
    refused(
        &email,
        unknown,
        reply_mail(&email, unknown, "Hi"),
        "unknown token",
    );
    let other_site = reply_to.replacen("mail.", "after.", 1);
    refused(
        &email,
        &other_site,
        reply_mail(&email, &other_site, "Hi"),
        "other site",
    );
    // Too large, before it is even read.
    let huge = reply_mail(&email, &reply_to, &"x".repeat(300 * 1024));
    let why = refused(&email, &reply_to, huge, "oversized");
    assert!(why.contains("too large"), "{why}");
    // An attachment: declined, with a word on what to do instead.
    let attached = format!(
        "From: <{email}>\r\nTo: <{reply_to}>\r\nSubject: photo\r\nMessage-ID: <a1@example.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nHere is a photo.\r\n\
         --b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"a.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"
    );
    let why = refused(&email, &reply_to, attached, "attachment");
    assert!(why.contains("Attachments are not accepted"), "{why}");
    // Only quoted text: nothing of the visitor's own.
    let quoted = reply_mail(&email, &reply_to, "> Yes, all sizes.");
    refused(&email, &reply_to, quoted, "nothing new");

    assert_eq!(transcript(edge, &anna, &id), before, "nothing was stored");
}

#[tokio::test]
async fn a_site_without_email_keeps_the_answer_in_the_chat_and_sends_nothing() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, mut v, email) = leaves_question(edge, "after", "Open on Sunday?").await;
    let id = visitor.conversation_id;
    let reply = format!("/api/v1/agent/conversations/{id}/reply");
    let sent = edge.agent_post_json(&anna, &reply, r#"{"text": "No, Monday to Saturday."}"#);
    assert_eq!(sent.status, 200, "{}", sent.body);
    event_where(&mut v, |b| matches!(b, EventBody::Message(_))).await;
    assert!(
        edge.sent_mail_to(&email).is_empty(),
        "no mail for a site without e-mail"
    );
    let view = transcript(edge, &anna, &id);
    assert!(
        !view.contains("by e-mail"),
        "and no note about mail: {view}"
    );
}

#[tokio::test]
async fn trying_links_from_answer_mails_is_limited_per_address() {
    let edge = Edge::shared();
    // Site `after`, so the other tests' links on `mail` keep their allowance.
    let trade = format!("{}/api/v1/mail/reopen", edge.base());
    let body = format!(r#"{{"site":"after","token":"{}"}}"#, "ab".repeat(32));
    // 45 tries: even if they straddle the limiter's minute, one minute
    // holds more than its 20.
    let mut codes = Vec::new();
    for _ in 0..45 {
        codes.push(post(&trade, &body, &[]).status);
    }
    assert_eq!(codes[0], 404, "an unknown link: {codes:?}");
    assert!(codes.contains(&429), "then limited: {codes:?}");
    assert!(codes.iter().all(|c| *c == 404 || *c == 429), "{codes:?}");
}
