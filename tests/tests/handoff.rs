//! Escalation and hand-off against the real edge: raw WebSocket clients for
//! visitors and agents, the agents' HTTP API with session and CSRF token.
//! Each test uses its own site of the test edge, so queues do not mix.

use shared::handoff::HandoffView;
use shared::metrics::DayMetrics;
use shared::protocol::Trigger;
use shared::protocol::{
    Author, ClientFrame, ContactReason, ConversationState, ErrorCode, EventBody, InboxFrame,
    QueueItem, ServerFrame,
};
use tests::{
    conversation_on, event_where, frames_before_barrier, get, is_state, next_error, next_event,
    post, recv, recv_inbox, say, send, Edge, QueueView, Socket,
};

/// A visitor on `site` with a socket that has resumed from the start.
async fn visitor_on(edge: &Edge, site: &str) -> (tests::Visitor, Socket) {
    conversation_on(edge, site, "en").await
}

/// The next queue status a waiting visitor gets.
async fn next_position(socket: &mut Socket) -> u32 {
    loop {
        if let ServerFrame::Queue(status) = recv(socket).await {
            return status.position;
        }
    }
}

/// Queue statuses until the position is `want` (earlier pushes may still
/// be on their way); a panic if it does not come within 10 s.
async fn position_becomes(socket: &mut Socket, want: u32) {
    while next_position(socket).await != want {}
}

/// Inbox frames until the queue satisfies `want`.
async fn queue_where(
    view: &mut QueueView,
    socket: &mut Socket,
    want: impl Fn(&[QueueItem]) -> bool,
) -> Vec<QueueItem> {
    view.until(socket, |v| want(&v.waiting)).await;
    view.waiting.clone()
}

#[tokio::test]
async fn a_frustrated_visitor_is_claimed_answered_by_a_person_resolved_and_rates() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let mut inbox = edge
        .agent_socket(&anna, "/api/v1/agent/sites/desk/inbox")
        .await;
    let mut view = QueueView::default();
    view.apply(recv_inbox(&mut inbox).await);
    assert!(
        view.agents.iter().any(|a| a.name == "Anna"),
        "Anna is online: {:?}",
        view.agents
    );

    let (visitor, mut v) = visitor_on(edge, "desk").await;
    say(&mut v, "Can you service a Rohloff hub gearbox?").await;
    event_where(
        &mut v,
        |b| matches!(b, EventBody::Message(m) if m.author == Author::Ai),
    )
    .await;
    say(
        &mut v,
        "This is ridiculous, I want to talk to a real person",
    )
    .await;
    let waiting = event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    assert!(
        matches!(waiting.body, EventBody::State { team: Some(ref t), .. } if t == "Support"),
        "{waiting:?}"
    );
    assert_eq!(next_position(&mut v).await, 1);

    // The hand-off appears in the agent's live queue with its reasons.
    let id = visitor.conversation_id.clone();
    let queue = queue_where(&mut view, &mut inbox, |q| {
        q.iter().any(|i| i.conversation_id == id)
    })
    .await;
    let item = queue
        .iter()
        .find(|i| i.conversation_id == id)
        .expect("queued");
    assert_eq!(item.trigger, Trigger::Frustration);
    assert!(
        item.reasons
            .iter()
            .any(|r| r.starts_with("frustration: 'This is ridiculous")),
        "{:?}",
        item.reasons
    );
    assert!(
        item.reasons
            .iter()
            .any(|r| r.starts_with("asked for a person")),
        "{:?}",
        item.reasons
    );

    // The packet: summary, tried answers, page and locale, waiting time.
    let view: HandoffView = edge
        .agent_get(&anna, &format!("/api/v1/agent/conversations/{id}"))
        .json();
    assert_eq!(
        view.packet.summary.wants,
        "Can you service a Rohloff hub gearbox?"
    );
    assert_eq!(
        view.packet.summary.open,
        vec!["Can you service a Rohloff hub gearbox?"]
    );
    assert_eq!(
        view.packet.summary.ai_answers.len(),
        1,
        "{:?}",
        view.packet.summary
    );
    assert_eq!(
        view.packet.page_url.as_deref(),
        Some("https://shop.example/prices")
    );
    assert_eq!(view.packet.locale.as_deref(), Some("en"));
    assert!(view.packet.sentiment.frustration >= 2.0);
    assert_eq!(
        view.transcript.len(),
        4,
        "two visitor messages, the AI's answer, the state"
    );

    // Claim: the visitor is told who joined.
    let claimed = edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/claim"));
    assert_eq!(claimed.status, 204, "{}", claimed.body);
    let joined = event_where(&mut v, |b| is_state(b, ConversationState::WithPerson)).await;
    assert!(matches!(joined.body, EventBody::State { agent: Some(ref a), .. } if a == "Anna"));

    // They talk, in order, and the AI stays silent.
    let mut a = edge
        .agent_socket(&anna, &format!("/api/v1/agent/conversations/{id}/ws"))
        .await;
    send(&mut a, &ClientFrame::Resume { last_seq: 0 }).await;
    say(
        &mut a,
        "Hi, I'm Anna from the workshop. Yes, we service Rohloff hubs.",
    )
    .await;
    let reply = event_where(&mut v, |b| matches!(b, EventBody::Message(_))).await;
    let EventBody::Message(m) = reply.body else {
        unreachable!()
    };
    assert_eq!(
        m.author,
        Author::Agent {
            name: "Anna".into()
        }
    );
    say(&mut v, "how much is a puncture repair?").await;
    let asked = event_where(&mut a, |b| matches!(b, EventBody::Message(m) if m.author == Author::Visitor && m.text.starts_with("how much"))).await;
    assert!(asked.seq > reply.seq);
    for frame in frames_before_barrier(&mut v).await {
        if let ServerFrame::Event(e) = frame {
            assert!(
                !matches!(e.body, EventBody::Message(ref m) if m.author == Author::Ai),
                "the AI spoke after a person joined: {e:?}"
            );
        }
    }

    // Resolve; the visitor rates once; the next message is refused as resolved.
    let resolved = edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/resolve"));
    assert_eq!(resolved.status, 204, "{}", resolved.body);
    event_where(&mut v, |b| is_state(b, ConversationState::Resolved)).await;
    send(
        &mut v,
        &ClientFrame::Rate {
            score: 5,
            comment: "Quick and friendly".into(),
        },
    )
    .await;
    let rating = event_where(&mut v, |b| matches!(b, EventBody::Rating { .. })).await;
    assert_eq!(
        rating.body,
        EventBody::Rating {
            score: 5,
            comment: "Quick and friendly".into()
        }
    );
    send(
        &mut v,
        &ClientFrame::Rate {
            score: 1,
            comment: String::new(),
        },
    )
    .await;
    assert_eq!(next_error(&mut v).await.0, ErrorCode::InvalidRating);
    say(&mut v, "one more thing").await;
    assert_eq!(next_error(&mut v).await.0, ErrorCode::ConversationResolved);

    // The metrics count it.
    let days: Vec<DayMetrics> = edge
        .agent_get(&anna, "/api/v1/agent/sites/desk/metrics")
        .json();
    let today = &days[0].all;
    assert!(
        today.escalations >= 1 && today.by_trigger.get("frustration").copied().unwrap_or(0) >= 1,
        "{today:?}"
    );
    assert!(
        today.csat_average.is_some() && today.first_response_median_ms.is_some(),
        "{today:?}"
    );
}

#[tokio::test]
async fn queue_positions_update_when_one_is_claimed_at_once_near_the_front_and_within_seconds_further_back(
) {
    let edge = Edge::shared();
    let anna = edge.anna();
    let mut inbox = edge
        .agent_socket(&anna, "/api/v1/agent/sites/line/inbox")
        .await;
    let mut view = QueueView::default();
    view.apply(recv_inbox(&mut inbox).await);
    let mut visitors = Vec::new();
    for expected in 1..=6 {
        let (visitor, mut socket) = visitor_on(edge, "line").await;
        send(&mut socket, &ClientFrame::RequestPerson {}).await;
        assert_eq!(
            next_position(&mut socket).await,
            expected,
            "visitor {expected} joins at the end"
        );
        visitors.push((visitor, socket));
    }
    let first = visitors[0].0.conversation_id.clone();
    let claimed = edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{first}/claim"));
    assert_eq!(claimed.status, 204, "{}", claimed.body);
    position_becomes(&mut visitors[1].1, 1).await;
    position_becomes(&mut visitors[2].1, 2).await;
    // Further back the new place may wait for the next refresh
    // (`handoff::PLACE_REFRESH_MS`), but it comes.
    position_becomes(&mut visitors[5].1, 5).await;
    let rest: Vec<String> = visitors[1..]
        .iter()
        .map(|(v, _)| v.conversation_id.clone())
        .collect();
    let queue = queue_where(&mut view, &mut inbox, |q| {
        q.len() == rest.len() && q.iter().all(|i| i.conversation_id != first)
    })
    .await;
    let ids: Vec<&str> = queue.iter().map(|i| i.conversation_id.as_str()).collect();
    assert_eq!(
        ids,
        rest.iter().map(String::as_str).collect::<Vec<_>>(),
        "the agent's queue, in order, without the claimed one"
    );
}

#[tokio::test]
async fn the_claim_time_out_offers_email_and_keeps_the_place_in_the_queue() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let mut inbox = edge
        .agent_socket(&anna, "/api/v1/agent/sites/quick/inbox")
        .await;
    recv_inbox(&mut inbox).await;
    let (visitor, mut v) = visitor_on(edge, "quick").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    // The site's time-out is 2 s; nobody claims.
    let offer = event_where(&mut v, |b| matches!(b, EventBody::ContactOffer { .. })).await;
    assert_eq!(
        offer.body,
        EventBody::ContactOffer {
            back_at_ms: None,
            reason: ContactReason::NoClaimInTime
        }
    );
    let queue: InboxFrame = edge
        .agent_get(&anna, "/api/v1/agent/sites/quick/queue")
        .json();
    let InboxFrame::Queue { waiting, .. } = queue else {
        panic!("the queue: {queue:?}")
    };
    assert!(
        waiting
            .iter()
            .any(|i| i.conversation_id == visitor.conversation_id),
        "still queued"
    );
}

#[tokio::test]
async fn outside_hours_the_email_path_is_offered_and_an_invalid_address_is_refused_clearly() {
    let edge = Edge::shared();
    let (_, mut v) = visitor_on(edge, "closed").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    let offer = next_event(&mut v).await;
    assert_eq!(
        offer.body,
        EventBody::ContactOffer {
            back_at_ms: None,
            reason: ContactReason::OutsideHours
        },
        "no hand-off outside hours"
    );

    send(
        &mut v,
        &ClientFrame::LeaveContact {
            email: "anna@example".into(),
            question: "Do you build wheels?".into(),
        },
    )
    .await;
    let (code, message) = next_error(&mut v).await;
    assert_eq!(code, ErrorCode::InvalidEmail);
    assert!(
        message.contains("e-mail address doesn't look right"),
        "{message}"
    );

    send(
        &mut v,
        &ClientFrame::LeaveContact {
            email: " anna@Example.com ".into(),
            question: "Do you build wheels?".into(),
        },
    )
    .await;
    let left = next_event(&mut v).await;
    assert_eq!(
        left.body,
        EventBody::Contact {
            email: "anna@example.com".into(),
            question: "Do you build wheels?".into()
        }
    );
    send(
        &mut v,
        &ClientFrame::LeaveContact {
            email: "anna@example.com".into(),
            question: "again".into(),
        },
    )
    .await;
    assert_eq!(
        next_error(&mut v).await.0,
        ErrorCode::WrongState,
        "once per offer"
    );
}

#[tokio::test]
async fn an_agent_hands_back_and_the_ai_answers_again() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, mut v) = visitor_on(edge, "demo").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let id = &visitor.conversation_id;
    assert_eq!(
        edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/claim"))
            .status,
        204
    );
    event_where(&mut v, |b| is_state(b, ConversationState::WithPerson)).await;
    let back = edge.agent_post(
        &anna,
        &format!("/api/v1/agent/conversations/{id}/hand-back"),
    );
    assert_eq!(back.status, 204, "{}", back.body);
    let left = event_where(&mut v, |b| is_state(b, ConversationState::Bot)).await;
    assert!(
        matches!(left.body, EventBody::State { agent: Some(ref a), .. } if a == "Anna"),
        "the visitor is told who left"
    );
    say(&mut v, "where can I park?").await;
    let answer = event_where(
        &mut v,
        |b| matches!(b, EventBody::Message(m) if m.author == Author::Ai),
    )
    .await;
    let EventBody::Message(m) = answer.body else {
        unreachable!()
    };
    assert_eq!(m.source.map(|s| s.entry_id).as_deref(), Some("parking"));
}

#[tokio::test]
async fn agent_routes_need_a_session_the_origin_and_the_csrf_token_and_one_claim_wins() {
    let edge = Edge::shared();
    let base = edge.base();
    // No session: 401 on every agent route.
    for path in [
        "/api/v1/agent/me",
        "/api/v1/agent/sites/demo/queue",
        "/api/v1/agent/sites/demo/metrics",
    ] {
        let answer = get(&format!("{base}{path}"), &[]);
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (401, "unauthorized"),
            "{path}"
        );
    }
    let id = edge.new_visitor().conversation_id;
    assert_eq!(
        post(
            &format!("{base}/api/v1/agent/conversations/{id}/claim"),
            "{}",
            &[]
        )
        .status,
        401
    );
    // A visitor's secret is no agent credential.
    let visitor = edge.new_visitor();
    let bearer = format!("Bearer {}", visitor.secret);
    let answer = get(
        &format!(
            "{base}/api/v1/agent/conversations/{}",
            visitor.conversation_id
        ),
        &[("authorization", &bearer)],
    );
    assert_eq!(answer.status, 401);

    let anna = edge.anna();
    let foreign = get(
        &format!("{base}/api/v1/agent/me"),
        &[("cookie", &anna.cookie), ("origin", "https://evil.example")],
    );
    assert_eq!(
        (foreign.status, foreign.code().as_str()),
        (403, "forbidden_origin")
    );
    assert_eq!(
        edge.agent_get(&anna, "/api/v1/agent/me")
            .json::<shared::protocol::AgentSession>()
            .agent
            .name,
        "Anna"
    );

    let (waiting, mut v) = visitor_on(edge, "demo").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let claim = format!(
        "{base}/api/v1/agent/conversations/{}/claim",
        waiting.conversation_id
    );
    let no_csrf = post(&claim, "{}", &[("cookie", &anna.cookie)]);
    assert_eq!(
        (no_csrf.status, no_csrf.code().as_str()),
        (403, "csrf_rejected")
    );

    let cleo = edge.cleo();
    assert_eq!(
        edge.agent_post(
            &anna,
            &format!(
                "/api/v1/agent/conversations/{}/claim",
                waiting.conversation_id
            )
        )
        .status,
        204
    );
    let second = edge.agent_post(
        &cleo,
        &format!(
            "/api/v1/agent/conversations/{}/claim",
            waiting.conversation_id
        ),
    );
    assert_eq!(
        (second.status, second.code().as_str()),
        (409, "already_claimed"),
        "{}",
        second.body
    );

    let wrong = post(
        &format!("{base}/api/v1/agent/login"),
        r#"{"email":"anna@example.test","password":"nope"}"#,
        &[],
    );
    assert_eq!((wrong.status, wrong.code().as_str()), (401, "bad_login"));
}

/// The scripted demo conversation of the README: what an agent receives.
/// The packet is written to `tests/out/handoff-packet.json`.
#[tokio::test]
async fn the_demo_conversation_hands_over_with_a_packet_that_spares_the_visitor_repeating_themselves(
) {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, mut v) = visitor_on(edge, "demo").await;
    for text in [
        "How much is a puncture repair?",
        "Can you service a Rohloff hub?",
        "that didn't help",
    ] {
        say(&mut v, text).await;
        if text != "that didn't help" {
            event_where(
                &mut v,
                |b| matches!(b, EventBody::Message(m) if m.author == Author::Ai),
            )
            .await;
        }
    }
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let answer = edge.agent_get(
        &anna,
        &format!("/api/v1/agent/conversations/{}", visitor.conversation_id),
    );
    let view: HandoffView = answer.json();
    std::fs::write(
        tests::out_dir().join("handoff-packet.json"),
        serde_json::to_string_pretty(&view.packet).expect("json"),
    )
    .expect("write the packet");
    let p = &view.packet;
    assert_eq!(p.trigger, Trigger::RepeatedMisses);
    assert_eq!(
        p.reasons,
        vec!["2 unanswered or unhelpful answers in a row"]
    );
    // The packet leads with what is still open.
    assert_eq!(p.summary.wants, "Can you service a Rohloff hub?");
    let tried: Vec<Option<&str>> = p
        .summary
        .ai_answers
        .iter()
        .map(|a| a.entry_id.as_deref())
        .collect();
    assert_eq!(tried, vec![Some("puncture-repair"), None]);
    assert_eq!(p.summary.open, vec!["Can you service a Rohloff hub?"]);
    assert_eq!(
        (p.team.as_str(), p.team_name.as_str()),
        ("support", "Support")
    );
}

/// Opens a conversation on `site` whose body links `follows` (id, secret).
fn follow_up(edge: &Edge, site: &str, follows: (&str, &str)) -> tests::Visitor {
    let body = serde_json::json!({
        "site": site, "locale": "en", "disclosure_version": 1,
        "follows": { "conversation_id": follows.0, "visitor_secret": follows.1 },
    });
    let answer = post(
        &format!("{}/api/v1/conversations", edge.base()),
        &body.to_string(),
        &[],
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    let created: shared::protocol::ConversationCreated = answer.json();
    tests::Visitor {
        conversation_id: created.conversation_id,
        secret: created.visitor_secret,
    }
}

#[tokio::test]
async fn a_new_conversation_after_a_resolution_is_linked_to_the_old_one_only_with_its_secret() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (old, mut v) = visitor_on(edge, "desk").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let old_id = old.conversation_id.clone();
    assert_eq!(
        edge.agent_post(
            &anna,
            &format!("/api/v1/agent/conversations/{old_id}/resolve")
        )
        .status,
        204
    );
    event_where(&mut v, |b| is_state(b, ConversationState::Resolved)).await;

    let linked = follow_up(edge, "desk", (&old_id, &old.secret));
    let forged = follow_up(edge, "desk", (&old_id, "not-the-secret"));
    for (visitor, expected) in [(&linked, Some(old_id.clone())), (&forged, None)] {
        let mut s = edge.connect(visitor).await;
        send(&mut s, &ClientFrame::Resume { last_seq: 0 }).await;
        send(&mut s, &ClientFrame::RequestPerson {}).await;
        event_where(&mut s, |b| is_state(b, ConversationState::WaitingForPerson)).await;
        let view: HandoffView = edge
            .agent_get(
                &anna,
                &format!("/api/v1/agent/conversations/{}", visitor.conversation_id),
            )
            .json();
        assert_eq!(view.packet.follows, expected);
    }
}

#[tokio::test]
async fn agent_sockets_need_a_session_and_the_edges_own_origin() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let id = edge.new_visitor().conversation_id;
    let foreign = [
        ("cookie", anna.cookie.as_str()),
        ("origin", "https://evil.example"),
    ];
    let own_origin = edge.base();
    let own = [
        ("cookie", anna.cookie.as_str()),
        ("origin", own_origin.as_str()),
    ];
    for path in [
        "/api/v1/agent/sites/demo/inbox".to_string(),
        format!("/api/v1/agent/conversations/{id}/ws"),
    ] {
        assert_eq!(
            edge.upgrade_status(&path, &[]).await,
            401,
            "{path} without a session"
        );
        assert_eq!(
            edge.upgrade_status(&path, &foreign).await,
            403,
            "{path} from another origin"
        );
        assert_eq!(
            edge.upgrade_status(&path, &own).await,
            101,
            "{path} with both"
        );
    }
}

#[tokio::test]
async fn frames_take_effect_in_the_order_they_were_sent_even_while_the_faq_loads() {
    // A fresh edge: the first message has to load the FAQ index first.
    let edge = Edge::start();
    let anna = edge.anna();
    let (visitor, mut v) = visitor_on(&edge, "demo").await;
    let question = "Can you straighten a bent Brompton hinge?";
    say(&mut v, question).await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let view: HandoffView = edge
        .agent_get(
            &anna,
            &format!("/api/v1/agent/conversations/{}", visitor.conversation_id),
        )
        .json();
    assert_eq!(
        view.packet.summary.wants, question,
        "the message was stored before the hand-off"
    );
    let first = &view.transcript[0];
    assert!(
        matches!(first.body, EventBody::Message(ref m) if m.text == question),
        "{first:?}"
    );
}
