//! Trust under attack: every finding of the attack run, against the real
//! edge. Revoked agents are cut off at once; agents reach only their teams
//! and sites; anonymous callers cannot make the edge store things; the
//! login limits cannot lock the owner out; what the widget reports is
//! cleaned; headers are set.

use futures_util::StreamExt;
use shared::protocol::{ClientFrame, ErrorCode, EventBody, InboxFrame, ServerFrame};
use std::time::Duration;
use tests::{
    conversation_on, frames_before_barrier, get, next_error, post, recv, recv_inbox, say, send,
    visitor_address, Agent, Edge, QueueView, Socket, Visitor,
};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use uuid::Uuid;

/// A visitor on `site` with a resumed socket.
async fn visitor_on(edge: &Edge, site: &str) -> (Visitor, Socket) {
    conversation_on(edge, site, "en").await
}

/// Waits until the conversation's state event `want` arrives.
async fn state_becomes(socket: &mut Socket, want: shared::protocol::ConversationState) {
    loop {
        if let ServerFrame::Event(e) = recv(socket).await {
            if matches!(e.body, EventBody::State { state, .. } if state == want) {
                return;
            }
        }
    }
}

/// A conversation of the demo site handed to the billing team (a payment
/// dispute is routed there), and its visitor's socket.
async fn billing_conversation(edge: &Edge) -> (Visitor, Socket) {
    let (visitor, mut socket) = visitor_on(edge, "demo").await;
    say(&mut socket, "I was charged twice for my repair last week").await;
    state_becomes(
        &mut socket,
        shared::protocol::ConversationState::WaitingForPerson,
    )
    .await;
    (visitor, socket)
}

/// A conversation of the demo site handed to the support team.
async fn support_conversation(edge: &Edge) -> (Visitor, Socket) {
    let (visitor, mut socket) = visitor_on(edge, "demo").await;
    send(&mut socket, &ClientFrame::RequestPerson {}).await;
    state_becomes(
        &mut socket,
        shared::protocol::ConversationState::WaitingForPerson,
    )
    .await;
    (visitor, socket)
}

/// An admin adds an agent and logs them in.
fn new_agent(edge: &Edge, teams: &[&str], sites: &[&str]) -> Agent {
    let anna = edge.anna();
    let email = format!("agent-{}@example.test", Uuid::new_v4().simple());
    let body = serde_json::json!({
        "name": "Cleo", "email": email, "password": "cleo-test-password",
        "teams": teams, "sites": sites,
    });
    let added = edge.agent_post_json(&anna, "/api/v1/agent/admin/agents", &body.to_string());
    assert_eq!(added.status, 201, "{}", added.body);
    edge.login(&email, "cleo-test-password")
}

fn agent_id(agent: &Agent) -> String {
    agent.session.agent.id.clone()
}

/// The next close of a socket, if it comes within `wait`; frames before it
/// are skipped.
async fn closed_within(socket: &mut Socket, wait: Duration) -> bool {
    tokio::time::timeout(wait, async {
        while let Some(msg) = socket.next().await {
            if matches!(msg, Ok(WsMessage::Close(_)) | Err(_)) {
                return;
            }
        }
    })
    .await
    .is_ok()
}

// ------------------------------------------------------------ revocation

#[tokio::test]
async fn disabling_an_agent_closes_their_sockets_at_once_and_nothing_they_send_after_counts() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let cleo = new_agent(edge, &[], &[]);
    let (visitor, mut v) = support_conversation(edge).await;
    let id = visitor.conversation_id.clone();
    let claimed = edge.agent_post(&cleo, &format!("/api/v1/agent/conversations/{id}/claim"));
    assert_eq!(claimed.status, 204, "{}", claimed.body);
    let mut conversation = edge
        .agent_socket(&cleo, &format!("/api/v1/agent/conversations/{id}/ws"))
        .await;
    send(&mut conversation, &ClientFrame::Resume { last_seq: 0 }).await;
    let mut inbox = edge
        .agent_socket(&cleo, "/api/v1/agent/sites/demo/inbox")
        .await;
    recv_inbox(&mut inbox).await;

    let disabled = edge.agent_post(
        &anna,
        &format!("/api/v1/agent/admin/agents/{}/disable", agent_id(&cleo)),
    );
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    // Closed by the time the admin's request was answered (the edge closes
    // them before it answers); a generous wait covers delivery.
    assert!(
        closed_within(&mut conversation, Duration::from_secs(5)).await,
        "conversation socket"
    );
    assert!(
        closed_within(&mut inbox, Duration::from_secs(5)).await,
        "inbox socket"
    );
    // Cleo is not counted online any more.
    let queue: InboxFrame = edge
        .agent_get(&anna, "/api/v1/agent/sites/demo/queue")
        .json();
    let InboxFrame::Queue { agents, .. } = queue else {
        panic!("a snapshot")
    };
    assert!(agents.iter().all(|a| a.id != agent_id(&cleo)), "{agents:?}");
    // The visitor never hears from the revoked agent after that.
    for frame in frames_before_barrier(&mut v).await {
        if let ServerFrame::Event(e) = frame {
            assert!(
                !matches!(e.body, EventBody::Message(ref m) if matches!(m.author, shared::protocol::Author::Agent { .. })),
                "{e:?}"
            );
        }
    }
}

#[tokio::test]
async fn logging_out_closes_the_sessions_conversation_sockets() {
    let edge = Edge::shared();
    let cleo = new_agent(edge, &[], &[]);
    let (visitor, _v) = support_conversation(edge).await;
    let mut conversation = edge
        .agent_socket(
            &cleo,
            &format!("/api/v1/agent/conversations/{}/ws", visitor.conversation_id),
        )
        .await;
    send(&mut conversation, &ClientFrame::Resume { last_seq: 0 }).await;
    assert!(matches!(
        recv(&mut conversation).await,
        ServerFrame::Welcome { .. }
    ));
    assert_eq!(edge.agent_post(&cleo, "/api/v1/agent/logout").status, 204);
    assert!(closed_within(&mut conversation, Duration::from_secs(5)).await);
}

// ------------------------------------------------------------ scope

#[tokio::test]
async fn an_agent_of_another_team_reaches_nothing_of_a_conversation_and_sees_it_as_missing() {
    let edge = Edge::shared();
    let ben = edge.login("ben@example.test", "ben-test-password"); // billing only
    let (visitor, _v) = support_conversation(edge).await;
    let id = &visitor.conversation_id;
    let base = format!("/api/v1/agent/conversations/{id}");
    for path in [
        base.clone(),
        format!("{base}/export"),
        format!("{base}/suggestions"),
    ] {
        let answer = edge.agent_get(&ben, &path);
        assert_eq!(
            (answer.status, answer.error()),
            (404, ErrorCode::NotFound),
            "{path}"
        );
    }
    for action in ["claim", "resolve", "hand-back"] {
        let answer = edge.agent_post(&ben, &format!("{base}/{action}"));
        assert_eq!(answer.status, 404, "{action}: {}", answer.body);
    }
    assert_eq!(edge.agent_delete(&ben, &base), 404, "erase");
    assert_eq!(
        edge.upgrade_status(&format!("{base}/ws"), &[("cookie", ben.cookie.as_str())])
            .await,
        404,
        "its socket"
    );
    // A random id of the right shape is the same 404.
    let unknown = format!("/api/v1/agent/conversations/{}", "ab".repeat(32));
    assert_eq!(edge.agent_get(&ben, &unknown).status, 404);
    // The same conversation is there for an agent of its team.
    let anna = edge.anna();
    assert_eq!(edge.agent_get(&anna, &base).status, 200);
}

#[tokio::test]
async fn an_agents_queue_holds_only_their_teams_hand_offs() {
    let edge = Edge::shared();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let mut inbox = edge
        .agent_socket(&ben, "/api/v1/agent/sites/demo/inbox")
        .await;
    let mut view = QueueView::default();
    view.apply(recv_inbox(&mut inbox).await);
    let (support, _s) = support_conversation(edge).await;
    let (billing, _b) = billing_conversation(edge).await;
    view.until(&mut inbox, |v| {
        v.waiting
            .iter()
            .any(|i| i.conversation_id == billing.conversation_id)
    })
    .await;
    assert!(
        view.waiting.iter().all(|i| i.team == "billing"),
        "{:?}",
        view.waiting
    );
    assert!(view
        .waiting
        .iter()
        .all(|i| i.conversation_id != support.conversation_id));
    let snapshot: InboxFrame = edge
        .agent_get(&ben, "/api/v1/agent/sites/demo/queue")
        .json();
    let InboxFrame::Queue { waiting, .. } = snapshot else {
        panic!("a snapshot")
    };
    assert!(waiting.iter().all(|i| i.team == "billing"), "{waiting:?}");
}

#[tokio::test]
async fn only_the_agent_who_claimed_may_type_or_write_and_claims_stay_within_the_team() {
    let edge = Edge::shared();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let cleo = new_agent(edge, &["billing"], &[]);
    let (visitor, mut v) = billing_conversation(edge).await;
    let base = format!("/api/v1/agent/conversations/{}", visitor.conversation_id);
    let mut watcher = edge.agent_socket(&cleo, &format!("{base}/ws")).await;
    send(&mut watcher, &ClientFrame::Resume { last_seq: 0 }).await;
    assert!(matches!(
        recv(&mut watcher).await,
        ServerFrame::Welcome { .. }
    ));
    // Cleo may read but has not claimed: her typing is refused, not relayed.
    send(&mut watcher, &ClientFrame::Typing {}).await;
    assert_eq!(next_error(&mut watcher).await.0, ErrorCode::WrongState);
    for frame in frames_before_barrier(&mut v).await {
        assert!(!matches!(frame, ServerFrame::Typing { .. }), "{frame:?}");
    }
    // Ben claims; Cleo's claim is refused.
    assert_eq!(edge.agent_post(&ben, &format!("{base}/claim")).status, 204);
    assert_eq!(edge.agent_post(&cleo, &format!("{base}/claim")).status, 409);
}

#[tokio::test]
async fn an_agent_of_other_sites_sees_neither_the_site_nor_its_lists() {
    let edge = Edge::shared();
    let dana = new_agent(edge, &[], &["desk"]);
    let sites: Vec<String> = edge.agent_get(&dana, "/api/v1/agent/sites").json();
    assert_eq!(sites, vec!["desk".to_string()]);
    for path in ["queue", "metrics", "teams", "canned", "faq", "resolved"] {
        let answer = edge.agent_get(&dana, &format!("/api/v1/agent/sites/demo/{path}"));
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
    }
    assert_eq!(
        edge.agent_get(&dana, "/api/v1/agent/sites/desk/queue")
            .status,
        200
    );
}

#[tokio::test]
async fn canned_replies_of_another_team_cannot_be_read_added_or_deleted() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let path = "/api/v1/agent/sites/demo/canned";
    let support = r#"{"team":"support","title":"Hours","text":"We open at 8."}"#;
    let added = edge.agent_post_json(&anna, path, support);
    assert_eq!(added.status, 201);
    let id = added.json::<serde_json::Value>()["id"]
        .as_u64()
        .expect("id");
    let seen: Vec<shared::protocol::CannedReply> = edge.agent_get(&ben, path).json();
    assert!(seen.iter().all(|c| c.team == "billing"), "{seen:?}");
    assert_eq!(edge.agent_post_json(&ben, path, support).status, 404);
    assert_eq!(edge.agent_delete(&ben, &format!("{path}/{id}")), 404);
    assert_eq!(edge.agent_delete(&anna, &format!("{path}/{id}")), 200);
}

// ------------------------------------------------------------ storage

/// The Durable Object storage files of conversations in the edge's state.
fn conversation_files(edge: &Edge) -> usize {
    walk(edge.persist())
        .into_iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            s.contains("Conversation") && s.ends_with(".sqlite")
        })
        .count()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn requests_for_conversations_nobody_created_store_nothing() {
    let edge = Edge::start();
    let real = edge.new_visitor();
    let _ = edge.connect(&real).await;
    let before = conversation_files(&edge);
    assert!(before >= 1, "the real conversation has its storage");
    for _ in 0..20 {
        let made_up: String = Uuid::new_v4().simple().to_string().repeat(2);
        let ticket = edge.ticket(&made_up, Some("a-secret-nobody-has"));
        assert_eq!(ticket.status, 404, "{}", ticket.body);
        let answer = tests::delete(
            &format!("{}/api/v1/conversations/{made_up}", edge.base()),
            &[("authorization", "Bearer a-secret-nobody-has")],
        );
        assert_eq!(answer.status, 404);
    }
    // A real conversation asked with a wrong secret: refused, nothing added.
    assert_eq!(
        edge.ticket(&real.conversation_id, Some("wrong")).status,
        404
    );
    assert_eq!(
        conversation_files(&edge),
        before,
        "no storage for refused requests"
    );
}

#[tokio::test]
async fn new_conversations_from_one_address_are_limited_with_retry_after() {
    let edge = Edge::shared();
    let address = visitor_address();
    let body = r#"{"site":"demo","locale":"en","disclosure_version":1}"#;
    let url = format!("{}/api/v1/conversations", edge.base());
    // The limiter counts per minute of the clock: start early in one, so
    // the tries usually fall in a single minute (exactly 20 accepted); if
    // they straddle two, each holds 20 at most.
    while tests::now_ms() % 60_000 > 45_000 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let minute = tests::now_ms() / 60_000;
    let statuses: Vec<tests::Answer> = (0..45)
        .map(|_| post(&url, body, &[("cf-connecting-ip", address.as_str())]))
        .collect();
    let one_minute = tests::now_ms() / 60_000 == minute;
    let accepted = statuses.iter().filter(|a| a.status == 201).count();
    let codes: Vec<u16> = statuses.iter().map(|a| a.status).collect();
    if one_minute {
        assert_eq!(accepted, 20, "twenty a minute from one address: {codes:?}");
    } else {
        assert!((20..=40).contains(&accepted), "{codes:?}");
    }
    let first_refused = codes.iter().position(|c| *c == 429).expect("refused");
    assert!(
        codes[..first_refused].iter().all(|c| *c == 201),
        "{codes:?}"
    );
    let refused = &statuses[first_refused];
    assert_eq!(refused.error(), ErrorCode::RateLimited);
    assert_eq!(refused.header("retry-after").as_deref(), Some("60"));
    // Another address is not affected.
    let other = visitor_address();
    assert_eq!(
        post(&url, body, &[("cf-connecting-ip", other.as_str())]).status,
        201
    );
}

#[tokio::test]
async fn socket_tickets_are_capped_per_conversation() {
    let edge = Edge::shared();
    let visitor = edge.new_visitor();
    let statuses: Vec<u16> = (0..7)
        .map(|_| {
            edge.ticket(&visitor.conversation_id, Some(&visitor.secret))
                .status
        })
        .collect();
    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 429, 429]);
}

#[tokio::test]
async fn an_opened_chat_nobody_writes_in_is_erased_and_a_waiting_visitor_who_left_leaves_the_queue()
{
    let edge = Edge::start_with_config(|toml| {
        toml.replace("UNUSED_AFTER_S = \"86400\"", "UNUSED_AFTER_S = \"3\"")
            .replace("AWAY_AFTER_S = \"600\"", "AWAY_AFTER_S = \"2\"")
    });
    let unused = edge.new_visitor();
    let (waiting, socket) = {
        let (v, mut s) = visitor_on(&edge, "desk").await;
        send(&mut s, &ClientFrame::RequestPerson {}).await;
        state_becomes(
            &mut s,
            shared::protocol::ConversationState::WaitingForPerson,
        )
        .await;
        (v, s)
    };
    let anna = edge.anna();
    let queued = |edge: &Edge| {
        let q: InboxFrame = edge
            .agent_get(&anna, "/api/v1/agent/sites/desk/queue")
            .json();
        let InboxFrame::Queue { waiting: w, .. } = q else {
            return false;
        };
        w.iter()
            .any(|i| i.conversation_id == waiting.conversation_id)
    };
    assert!(queued(&edge));
    drop(socket); // the visitor closes the tab
    tests::eventually(30, "the unused conversation to be erased", || async {
        (edge
            .ticket(&unused.conversation_id, Some(&unused.secret))
            .status
            == 404)
            .then_some(())
    })
    .await;
    tests::eventually(30, "the away visitor to leave the queue", || async {
        (!queued(&edge)).then_some(())
    })
    .await;
    // The conversation itself stays, with the AI again.
    let mut back = edge.connect(&waiting).await;
    send(&mut back, &ClientFrame::Resume { last_seq: 0 }).await;
    let frames = frames_before_barrier(&mut back).await;
    assert!(frames.iter().any(|f| matches!(f, ServerFrame::Event(e) if matches!(e.body, EventBody::State { state: shared::protocol::ConversationState::Bot, .. }))));
}

// ------------------------------------------------------------ login

#[tokio::test]
async fn failed_logins_from_one_address_do_not_lock_the_owner_out() {
    let edge = Edge::start();
    let url = format!("{}/api/v1/agent/login", edge.base());
    let login = |password: &str, address: &str| {
        post(
            &url,
            &serde_json::json!({"email": "ben@example.test", "password": password}).to_string(),
            &[("cf-connecting-ip", address)],
        )
    };
    // The owner logs in once from home: a known address.
    assert_eq!(login("ben-test-password", "203.0.113.7").status, 200);
    // An attacker fails five times from one address: that address is stopped.
    for _ in 0..5 {
        assert_eq!(login("guess", "198.51.100.1").status, 401);
    }
    assert_eq!(login("ben-test-password", "198.51.100.1").status, 429);
    // From five more addresses, ten failures on the account in all.
    for i in 2..=6 {
        assert_eq!(login("guess", &format!("198.51.100.{i}")).status, 401);
    }
    // The owner, from home, is not slowed.
    assert_eq!(login("ben-test-password", "203.0.113.7").status, 200);
    // From an address never used the account is slowed, not locked: a
    // second try at once is told when to try again.
    let first = login("guess", "198.51.100.50");
    assert_eq!(first.status, 401);
    let second = login("ben-test-password", "198.51.100.51");
    assert_eq!(second.status, 429);
    let wait: u64 = second
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("retry-after");
    assert!((1..=10).contains(&wait), "{wait}");
    tokio::time::sleep(Duration::from_secs(wait + 1)).await;
    assert_eq!(login("ben-test-password", "198.51.100.51").status, 200);
}

#[tokio::test]
async fn an_oversized_email_is_refused_without_becoming_a_key() {
    let edge = Edge::shared();
    let body =
        serde_json::json!({"email": format!("{}@example.test", "a".repeat(7000)), "password": "x"});
    let answer = post(
        &format!("{}/api/v1/agent/login", edge.base()),
        &body.to_string(),
        &[],
    );
    assert_eq!(answer.error(), ErrorCode::BadLogin);
}

// ------------------------------------------------------------ input

fn create(edge: &Edge, body: serde_json::Value) -> tests::Answer {
    post(
        &format!("{}/api/v1/conversations", edge.base()),
        &body.to_string(),
        &[("cf-connecting-ip", visitor_address().as_str())],
    )
}

#[tokio::test]
async fn what_the_widget_reports_is_checked_and_cleaned_once_at_the_edge() {
    let edge = Edge::shared();
    let refused = create(edge, serde_json::json!({"site": "demo", "locale": "fr"}));
    assert_eq!(
        (refused.status, refused.error()),
        (400, ErrorCode::Malformed)
    );
    let refused = create(
        edge,
        serde_json::json!({"site": "demo", "locale": "de\u{0}"}),
    );
    assert_eq!(refused.status, 400);
    let refused = create(
        edge,
        serde_json::json!({"site": "demo", "disclosure_version": 4294967295u32}),
    );
    assert_eq!(
        (refused.status, refused.error()),
        (400, ErrorCode::Malformed)
    );

    let made = create(
        edge,
        serde_json::json!({
            "site": "demo", "locale": "de-AT", "disclosure_version": 1,
            "page_url": "https://shop.example/\u{202E}gnp.exe",
        }),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let c: shared::protocol::ConversationCreated = made.json();
    let visitor = Visitor {
        conversation_id: c.conversation_id,
        secret: c.visitor_secret,
    };
    let mut s = edge.connect(&visitor).await;
    send(&mut s, &ClientFrame::Resume { last_seq: 0 }).await;
    send(&mut s, &ClientFrame::RequestPerson {}).await;
    state_becomes(
        &mut s,
        shared::protocol::ConversationState::WaitingForPerson,
    )
    .await;
    let anna = edge.anna();
    let view: shared::handoff::HandoffView = edge
        .agent_get(
            &anna,
            &format!("/api/v1/agent/conversations/{}", visitor.conversation_id),
        )
        .json();
    assert_eq!(view.packet.locale.as_deref(), Some("de"));
    assert_eq!(
        view.packet.page_url.as_deref(),
        Some("https://shop.example/gnp.exe")
    );

    let script = create(
        edge,
        serde_json::json!({"site": "demo", "page_url": "javascript:alert(1)"}),
    );
    assert_eq!(
        script.status, 201,
        "a bad page address is dropped, not fatal"
    );
}

#[tokio::test]
async fn a_visitors_typing_reaches_agents_at_most_every_second_and_a_half() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, mut v) = support_conversation(edge).await;
    let mut a = edge
        .agent_socket(
            &anna,
            &format!("/api/v1/agent/conversations/{}/ws", visitor.conversation_id),
        )
        .await;
    send(&mut a, &ClientFrame::Resume { last_seq: 0 }).await;
    assert!(matches!(recv(&mut a).await, ServerFrame::Welcome { .. }));
    for _ in 0..30 {
        send(&mut v, &ClientFrame::Typing {}).await;
    }
    // The visitor's frames are handled in order: once the barrier is back
    // on the visitor's socket, every typing notice has been relayed or not.
    frames_before_barrier(&mut v).await;
    let relayed = frames_before_barrier(&mut a)
        .await
        .into_iter()
        .filter(|f| matches!(f, ServerFrame::Typing { .. }))
        .count();
    assert_eq!(relayed, 1, "30 notices in a moment relay once");
}

// ------------------------------------------------------------ headers

#[tokio::test]
async fn answers_forbid_sniffing_and_the_panel_sends_no_referrer() {
    let edge = Edge::shared();
    let ok = get(&format!("{}/api/v1/agent/me", edge.base()), &[]);
    assert_eq!(
        ok.header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "an error answer"
    );
    let created = create(
        edge,
        serde_json::json!({"site": "demo", "disclosure_version": 1}),
    );
    assert_eq!(
        created.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let panel = get(&format!("{}/agent/", edge.base()), &[]);
    assert_eq!(
        panel.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert!(panel
        .header("content-security-policy")
        .is_some_and(|c| c.contains("frame-ancestors 'none'")));
    let loader = get(&format!("{}/loader.js", edge.base()), &[]);
    assert_eq!(
        loader.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
}
