//! The visitor protocol against the real edge (workerd under wrangler dev),
//! over raw HTTP and WebSockets.

use shared::protocol::{
    Author, ClientFrame, ContactReason, ConversationState, ErrorCode, EventBody, ServerFrame,
    MAX_FRAME_BYTES,
};
use std::time::Duration;
use tests::{frames_before_barrier, post, recv, recv_until, send, send_raw, Edge};
use uuid::Uuid;

fn is_ack(f: &ServerFrame) -> bool {
    matches!(f, ServerFrame::Ack { .. })
}

fn event_seqs(frames: &[ServerFrame]) -> Vec<u64> {
    frames
        .iter()
        .filter_map(|f| {
            if let ServerFrame::Event(e) = f {
                Some(e.seq)
            } else {
                None
            }
        })
        .collect()
}

fn error_code(frame: &ServerFrame) -> Option<ErrorCode> {
    match frame {
        ServerFrame::Error { code, .. } => Some(*code),
        _ => None,
    }
}

/// A new visitor with a socket that has resumed from the start.
async fn opened(edge: &Edge) -> (tests::Visitor, tests::Socket) {
    let visitor = edge.new_visitor();
    let mut socket = edge.connect(&visitor).await;
    replay(&mut socket, 0).await;
    (visitor, socket)
}

/// Resumes from `after` and collects the replay (welcome, then its events).
async fn replay(socket: &mut tests::Socket, after: u64) -> (u64, Vec<shared::protocol::Event>) {
    send(socket, &ClientFrame::Resume { last_seq: after }).await;
    // Live frames (an event being stored, the queue place) may reach a
    // socket the moment it opens, before its resume is answered.
    let (last_seq, replay_until) = loop {
        match recv(socket).await {
            ServerFrame::Welcome {
                last_seq,
                replay_until,
                ..
            } => break (last_seq, replay_until),
            ServerFrame::Event(_) | ServerFrame::Queue(_) => {}
            other => panic!("welcome first, not {other:?}"),
        }
    };
    let mut events = Vec::new();
    while events
        .last()
        .map_or(after, |e: &shared::protocol::Event| e.seq)
        < replay_until
    {
        match recv(socket).await {
            ServerFrame::Event(e) => events.push(e),
            other => panic!("unexpected during replay: {other:?}"),
        }
    }
    (last_seq, events)
}

#[tokio::test]
async fn a_message_is_stored_acknowledged_and_answered_by_the_ai() {
    let edge = Edge::shared();
    let visitor = edge.new_visitor();
    let mut socket = edge.connect(&visitor).await;
    let (last, events) = replay(&mut socket, 0).await;
    assert_eq!((last, events.len()), (0, 0), "a new conversation is empty");
    send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    let ServerFrame::Welcome {
        disclosure: Some(shown),
        ..
    } = recv(&mut socket).await
    else {
        panic!("a disclosure record")
    };
    assert_eq!(shown.version, 1, "the version the widget showed is stored");
    assert!(
        shown.shown_at_ms > 1_700_000_000_000,
        "with the time it was shown"
    );

    let id = Uuid::new_v4();
    send(
        &mut socket,
        &ClientFrame::Send {
            client_id: id,
            text: "Hello there".into(),
        },
    )
    .await;
    let frames = recv_until(
        &mut socket,
        |f| matches!(f, ServerFrame::Event(e) if e.seq == 2),
    )
    .await;
    assert!(
        frames.contains(&ServerFrame::Ack {
            client_id: id,
            seq: 1
        }),
        "{frames:?}"
    );
    let events: Vec<_> = frames
        .iter()
        .filter_map(|f| {
            if let ServerFrame::Event(e) = f {
                Some(e)
            } else {
                None
            }
        })
        .collect();
    let EventBody::Message(first) = &events[0].body else {
        panic!("a message first")
    };
    assert_eq!(
        (first.author.clone(), first.text.as_str(), first.client_id),
        (Author::Visitor, "Hello there", Some(id))
    );
    let EventBody::Message(answer) = &events[1].body else {
        panic!("then the answer")
    };
    assert_eq!(
        answer.author,
        Author::Ai,
        "the answer is written by the AI, set by the edge"
    );
}

#[tokio::test]
async fn the_same_client_id_sent_three_times_is_stored_once_with_one_sequence_number() {
    let edge = Edge::shared();
    let (visitor, mut socket) = opened(edge).await;

    let id = Uuid::new_v4();
    let frame = ClientFrame::Send {
        client_id: id,
        text: "Is my bike ready?".into(),
    };
    for _ in 0..3 {
        send(&mut socket, &frame).await;
    }
    let mut acks = Vec::new();
    while acks.len() < 3 {
        if let ServerFrame::Ack { client_id, seq } = recv(&mut socket).await {
            assert_eq!(client_id, id);
            acks.push(seq);
        }
    }
    assert_eq!(
        acks,
        vec![1, 1, 1],
        "every resend gets the original sequence number"
    );

    // A fresh connection replays the stored conversation: one visitor message, one answer.
    let mut again = edge.connect(&visitor).await;
    let (last, events) = replay(&mut again, 0).await;
    assert_eq!(last, 2);
    let visitor_messages = events
        .iter()
        .filter(|e| matches!(&e.body, EventBody::Message(m) if m.author == Author::Visitor))
        .count();
    assert_eq!(visitor_messages, 1, "stored exactly once: {events:?}");
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2],
        "sequence numbers are contiguous"
    );
}

#[tokio::test]
async fn a_client_that_reconnects_with_its_last_seq_receives_exactly_what_it_missed() {
    let edge = Edge::shared();
    let visitor = edge.new_visitor();

    // Tab A sees the first exchange, then drops.
    let mut a = edge.connect(&visitor).await;
    replay(&mut a, 0).await;
    send(
        &mut a,
        &ClientFrame::Send {
            client_id: Uuid::new_v4(),
            text: "when are you open".into(),
        },
    )
    .await;
    let seen = recv_until(&mut a, |f| matches!(f, ServerFrame::Event(e) if e.seq == 2)).await;
    let last_seen = *event_seqs(&seen).iter().max().expect("events");
    drop(a);

    // Meanwhile tab B writes two more exchanges.
    let mut b = edge.connect(&visitor).await;
    replay(&mut b, 2).await;
    // Questions the FAQ answers, so every one gets an AI reply (two misses
    // in a row would hand over instead).
    for text in ["where can I park", "how much is a puncture repair"] {
        send(
            &mut b,
            &ClientFrame::Send {
                client_id: Uuid::new_v4(),
                text: text.into(),
            },
        )
        .await;
        recv_until(
            &mut b,
            |f| matches!(f, ServerFrame::Event(e) if e.body_is_ai()),
        )
        .await;
    }

    // A comes back with its last sequence number and gets exactly 3..=6.
    let mut a = edge.connect(&visitor).await;
    let (last, missed) = replay(&mut a, last_seen).await;
    assert_eq!(last, 6);
    assert_eq!(
        missed.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3, 4, 5, 6]
    );
    assert!(
        frames_before_barrier(&mut a).await.is_empty(),
        "nothing more than what was missed"
    );
}

trait AiEvent {
    fn body_is_ai(&self) -> bool;
}

impl AiEvent for shared::protocol::Event {
    fn body_is_ai(&self) -> bool {
        matches!(&self.body, EventBody::Message(m) if m.author == Author::Ai)
    }
}

#[tokio::test]
async fn bad_frames_get_typed_errors_store_nothing_and_the_socket_keeps_serving() {
    let edge = Edge::shared();
    let (_, mut socket) = opened(edge).await;

    let oversized = format!(
        r#"{{"send":{{"client_id":"{}","text":"{}"}}}}"#,
        Uuid::new_v4(),
        "x".repeat(MAX_FRAME_BYTES)
    );
    let too_long = format!(
        r#"{{"send":{{"client_id":"{}","text":"{}"}}}}"#,
        Uuid::new_v4(),
        "y".repeat(3000)
    );
    let cases = [
        (oversized.as_str(), ErrorCode::FrameTooLarge),
        ("{not json", ErrorCode::Malformed),
        (
            r#"{"become_agent":{"name":"Anna"}}"#,
            ErrorCode::UnknownType,
        ),
        (r#"{"send":{"text":"no client id"}}"#, ErrorCode::Malformed),
        (too_long.as_str(), ErrorCode::MessageTooLong),
        (
            r#"{"send":{"client_id":"00000000-0000-4000-8000-000000000001","text":"  \u200b "}}"#,
            ErrorCode::EmptyMessage,
        ),
    ];
    for (raw, expected) in cases {
        send_raw(&mut socket, raw).await;
        let frame = recv(&mut socket).await;
        assert_eq!(
            error_code(&frame),
            Some(expected),
            "for {:.60}: {frame:?}",
            raw
        );
    }

    // Still serving: a valid message goes through, and it is the first one stored.
    let id = Uuid::new_v4();
    send(
        &mut socket,
        &ClientFrame::Send {
            client_id: id,
            text: "still there?".into(),
        },
    )
    .await;
    let frames = recv_until(&mut socket, is_ack).await;
    assert_eq!(
        frames.last(),
        Some(&ServerFrame::Ack {
            client_id: id,
            seq: 1
        }),
        "nothing was stored before it"
    );
}

#[tokio::test]
async fn a_wrong_or_missing_secret_and_a_foreign_conversation_are_refused() {
    let edge = Edge::shared();
    let alice = edge.new_visitor();
    let bob = edge.new_visitor();

    let missing = edge.ticket(&alice.conversation_id, None);
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (401, "unauthorized")
    );

    let wrong = edge.ticket(&alice.conversation_id, Some("0123456789abcdef"));
    assert_eq!((wrong.status, wrong.code().as_str()), (404, "not_found"));

    // Bob's valid secret does not open Alice's conversation; the answer is the
    // same as for one that does not exist.
    let foreign = edge.ticket(&alice.conversation_id, Some(&bob.secret));
    let unknown = edge.ticket(&Uuid::new_v4().to_string(), Some(&bob.secret));
    assert_eq!(
        (foreign.status, foreign.code()),
        (404, "not_found".to_string())
    );
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (foreign.status, foreign.body.clone())
    );

    let not_an_id = edge.ticket("..%2F..%2Fetc", Some(&bob.secret));
    assert_eq!(not_an_id.status, 404);

    // The edge still serves both conversations.
    let mut socket = edge.connect(&alice).await;
    replay(&mut socket, 0).await;
}

#[tokio::test]
async fn a_socket_needs_a_valid_unused_ticket() {
    let edge = Edge::shared();
    let visitor = edge.new_visitor();
    let ws = |ticket: &str| {
        format!(
            "{}/api/v1/conversations/{}/ws?ticket={ticket}",
            edge.ws_base(),
            visitor.conversation_id
        )
    };

    let err = tokio_tungstenite::connect_async(ws("forged"))
        .await
        .expect_err("a forged ticket is refused");
    assert!(err.to_string().contains("404"), "{err}");
    let err = tokio_tungstenite::connect_async(ws("").replace("?ticket=", ""))
        .await
        .expect_err("no ticket");
    assert!(err.to_string().contains("401"), "{err}");

    let ticket: shared::protocol::TicketIssued = edge
        .ticket(&visitor.conversation_id, Some(&visitor.secret))
        .json();
    let (_socket, _) = tokio_tungstenite::connect_async(ws(&ticket.ticket))
        .await
        .expect("first use");
    let err = tokio_tungstenite::connect_async(ws(&ticket.ticket))
        .await
        .expect_err("single use");
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test]
async fn http_bad_input_gets_4xx_with_a_typed_code() {
    let edge = Edge::shared();
    let url = format!("{}/api/v1/conversations", edge.base());

    let malformed = post(&url, "{\"site\":", &[]);
    assert_eq!(
        (malformed.status, malformed.code().as_str()),
        (400, "malformed")
    );

    let unknown_site = post(&url, r#"{"site":"not-a-customer"}"#, &[]);
    assert_eq!(
        (unknown_site.status, unknown_site.code().as_str()),
        (404, "unknown_site")
    );

    let huge = format!(r#"{{"site":"demo","page_url":"{}"}}"#, "a".repeat(20_000));
    let too_large = post(&url, &huge, &[]);
    assert_eq!(
        (too_large.status, too_large.code().as_str()),
        (413, "frame_too_large")
    );

    let foreign = post(
        &url,
        r#"{"site":"demo"}"#,
        &[("origin", "https://evil.example")],
    );
    assert_eq!(
        (foreign.status, foreign.code().as_str()),
        (403, "forbidden_origin")
    );

    let same = post(&url, r#"{"site":"demo"}"#, &[("origin", &edge.base())]);
    assert_eq!(same.status, 201, "{}", same.body);
}

/// Sends a question and returns the AI's reply message.
async fn ask(socket: &mut tests::Socket, question: &str) -> shared::protocol::Message {
    send(
        socket,
        &ClientFrame::Send {
            client_id: Uuid::new_v4(),
            text: question.into(),
        },
    )
    .await;
    let frames = recv_until(
        socket,
        |f| matches!(f, ServerFrame::Event(e) if e.body_is_ai()),
    )
    .await;
    match frames.into_iter().last() {
        Some(ServerFrame::Event(e)) => match e.body {
            EventBody::Message(m) => m,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_ai_answers_from_the_sites_faq_with_its_source_and_abstains_outside_it() {
    let edge = Edge::shared();
    let (_, mut socket) = opened(edge).await;

    let answer = ask(&mut socket, "when are you open on saturday").await;
    let source = answer.source.expect("an answer names its source");
    assert_eq!(
        (source.entry_id.as_str(), source.url.as_deref()),
        ("opening-hours", Some("/demo/#visit"))
    );
    assert!(answer.text.contains("Saturday 9:00"), "{}", answer.text);

    // Near entries, answered by none: choices.
    let unsure = ask(&mut socket, "Do you fit dynamo hubs and lights?").await;
    assert!(unsure.source.is_none(), "no wrong answer: {unsure:?}");
    assert!(
        !unsure.suggestions.is_empty() && unsure.suggestions.len() <= 3,
        "{unsure:?}"
    );
    // Unrelated (asked in a conversation of its own: two misses in a row
    // would hand over): no choices that could mislead, only the way to a
    // person.
    let (_, mut socket) = opened(edge).await;
    let unrelated = ask(
        &mut socket,
        "can you recommend a good pizza place for tonight",
    )
    .await;
    assert!(
        unrelated.source.is_none() && unrelated.suggestions.is_empty(),
        "{unrelated:?}"
    );
}

#[tokio::test]
async fn a_casual_paraphrase_is_answered_by_meaning_and_the_word_vectors_stay_private() {
    let edge = Edge::shared();
    let (_, mut socket) = opened(edge).await;
    // Words alone are not sure of it (shared's faq tests); the word
    // vectors, read by the worker from its assets, answer it.
    let answer = ask(&mut socket, "can I bring my car and leave it nearby").await;
    assert_eq!(
        answer.source.map(|s| s.entry_id).as_deref(),
        Some("parking"),
        "{}",
        answer.text
    );
    let file = tests::get(&format!("{}/models/word-vectors.bin", edge.base()), &[]);
    assert_eq!(file.status, 404, "the vectors are not served to the public");
}

#[tokio::test]
async fn asking_for_a_person_twice_changes_the_state_once() {
    let edge = Edge::shared();
    let (_, mut socket) = opened(edge).await;
    send(&mut socket, &ClientFrame::RequestPerson {}).await;
    send(&mut socket, &ClientFrame::RequestPerson {}).await;
    let frame = recv(&mut socket).await;
    let ServerFrame::Event(event) = frame else {
        panic!("{frame:?}")
    };
    let waiting = EventBody::State {
        asked: true,
        state: ConversationState::WaitingForPerson,
        agent: None,
        team: Some("Support".into()),
    };
    assert_eq!(event.body, waiting);
    // Nobody is online on the test edge's demo site: said, and e-mail offered.
    let frame = recv(&mut socket).await;
    assert!(
        matches!(frame, ServerFrame::Event(ref e) if e.body == EventBody::ContactOffer { reason: ContactReason::NobodyOnline, back_at_ms: None }),
        "{frame:?}"
    );
    for frame in frames_before_barrier(&mut socket).await {
        assert!(
            !matches!(frame, ServerFrame::Event(_)),
            "the second press adds nothing: {frame:?}"
        );
    }
}

#[tokio::test]
async fn a_complaint_is_answered_and_handed_over() {
    let edge = Edge::shared();
    let (_, mut socket) = opened(edge).await;
    let answer = ask(&mut socket, "I want to make a complaint about my repair").await;
    assert_eq!(
        answer.source.map(|s| s.entry_id).as_deref(),
        Some("complaint")
    );
    let frame = recv(&mut socket).await;
    assert!(
        matches!(frame, ServerFrame::Event(ref e) if matches!(e.body, EventBody::State { state: ConversationState::WaitingForPerson, .. })),
        "{frame:?}"
    );
}

#[tokio::test]
async fn asking_whether_it_is_a_person_gets_the_fixed_answer_in_the_language_asked() {
    let edge = Edge::shared();
    let (_, mut socket) = opened(edge).await;
    let en = ask(&mut socket, "Am I talking to a real person?").await;
    assert!(
        en.text.starts_with("I'm an AI assistant, not a person."),
        "{}",
        en.text
    );
    let de = ask(&mut socket, "Bist du ein Bot?").await;
    assert!(
        de.text
            .starts_with("Ich bin ein KI-Assistent, kein Mensch."),
        "{}",
        de.text
    );
    assert!(
        en.source.is_none() && de.source.is_none(),
        "not an FAQ match"
    );
}

#[tokio::test]
async fn a_visitor_can_erase_the_conversation_and_nothing_of_it_stays_reachable() {
    let edge = Edge::shared();
    let (visitor, mut socket) = opened(edge).await;
    ask(&mut socket, "where can I park").await;
    let url = format!(
        "{}/api/v1/conversations/{}",
        edge.base(),
        visitor.conversation_id
    );
    let delete = |auth: Option<String>| {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent.delete(&url);
        if let Some(a) = auth {
            req = req.header("authorization", &a);
        }
        req.call().expect("DELETE").status().as_u16()
    };
    assert_eq!(delete(None), 401);
    assert_eq!(
        delete(Some(format!("Bearer {}", edge.new_visitor().secret))),
        404,
        "another visitor cannot erase it"
    );
    assert_eq!(delete(Some(format!("Bearer {}", visitor.secret))), 204);

    // The open socket is closed, and the conversation no longer exists.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        use futures_util::StreamExt;
        loop {
            match socket.next().await {
                None | Some(Err(_)) => return,
                Some(Ok(m)) if m.is_close() => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the socket is closed");
    let ticket = edge.ticket(&visitor.conversation_id, Some(&visitor.secret));
    assert_eq!((ticket.status, ticket.code().as_str()), (404, "not_found"));
    assert_eq!(delete(Some(format!("Bearer {}", visitor.secret))), 404);
}

#[tokio::test]
async fn a_flood_of_messages_is_rate_limited_and_what_is_stored_stays_contiguous() {
    let edge = Edge::shared();
    let (visitor, mut socket) = opened(edge).await;
    for i in 0..30 {
        send(
            &mut socket,
            &ClientFrame::Send {
                client_id: Uuid::new_v4(),
                text: format!("flood {i}"),
            },
        )
        .await;
    }
    let (mut acked, mut limited) = (0, 0);
    while acked + limited < 30 {
        match recv(&mut socket).await {
            ServerFrame::Ack { .. } => acked += 1,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                client_id: Some(_),
                ..
            } => limited += 1,
            _ => {}
        }
    }
    assert!(
        limited > 0 && acked >= 10,
        "acked {acked}, limited {limited}"
    );
    let mut again = edge.connect(&visitor).await;
    let (last, events) = replay(&mut again, 0).await;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>(), "contiguous");
    let visitor_messages = events
        .iter()
        .filter(|e| matches!(&e.body, EventBody::Message(m) if m.author == Author::Visitor))
        .count();
    assert_eq!(
        visitor_messages, acked,
        "exactly the acknowledged messages are stored"
    );
}
