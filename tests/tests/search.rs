//! Search and the visitor profile against the real edge: conversations
//! found by their words (any case, accents, the start of a word), by
//! visitor, dates, team, reason, rating and state; only those of the
//! agent's teams; gone once erased. The profile gathers a visitor's
//! conversations across a browser's chain and lists those that share only
//! an address typed elsewhere apart.

use shared::protocol::{
    ClientFrame, ConversationState, ErrorCode, SearchHit, SearchRequest, ServerFrame,
    VisitorProfile,
};
use std::time::{Duration, Instant};
use tests::{
    claim_and_reply, event_where, is_state, recv, say, send, Agent, Answer, Edge, Visitor,
};

const SITE: &str = "finding";

fn search_answer(edge: &Edge, agent: &Agent, site: &str, search: &SearchRequest) -> Answer {
    let mut url =
        url::Url::parse(&format!("{}/api/v1/agent/sites/{site}/search", edge.base())).expect("url");
    url.query_pairs_mut()
        .extend_pairs(search.to_pairs().iter().map(|(n, v)| (*n, v.as_str())));
    let path = &url.as_str()[edge.base().len()..];
    edge.agent_get(agent, path)
}

fn search(edge: &Edge, agent: &Agent, search: &SearchRequest) -> Vec<SearchHit> {
    let answer = search_answer(edge, agent, SITE, search);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn words(w: &str) -> SearchRequest {
    SearchRequest {
        words: w.into(),
        ..Default::default()
    }
}

fn ids(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.conversation_id.as_str()).collect()
}

/// Polls until the search finds what `done` wants: the conversation tells
/// the search a moment after it changes (`INDEX_AFTER_S`).
fn found(
    edge: &Edge,
    agent: &Agent,
    query: &SearchRequest,
    done: impl Fn(&[SearchHit]) -> bool,
) -> Vec<SearchHit> {
    let start = Instant::now();
    loop {
        let hits = search(edge, agent, query);
        if done(&hits) {
            return hits;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{query:?} never gave what was wanted: {hits:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn visitor(edge: &Edge, name: Option<&str>, follows: Option<&Visitor>) -> Visitor {
    visitor_on(edge, SITE, "en", name, follows)
}

/// A visitor of `site` in `locale`, named or not, writing again after
/// `follows` or not.
fn visitor_on(
    edge: &Edge,
    site: &str,
    locale: &str,
    name: Option<&str>,
    follows: Option<&Visitor>,
) -> Visitor {
    let mut body = serde_json::json!({"site": site, "locale": locale, "disclosure_version": 1});
    if let Some(name) = name {
        body["visitor_name"] = name.into();
    }
    if let Some(earlier) = follows {
        body["follows"] = serde_json::json!({
            "conversation_id": earlier.conversation_id,
            "visitor_secret": earlier.secret,
        });
    }
    edge.create_visitor(&body)
}

/// `agent` claims the conversation, writes `reply` and resolves it; the
/// visitor has seen it resolved. Returns the agent's socket.
async fn answer_and_resolve(
    edge: &Edge,
    agent: &Agent,
    who: &Visitor,
    socket: &mut tests::Socket,
    reply: &str,
) -> tests::Socket {
    let agent_socket = claim_and_reply(edge, agent, &who.conversation_id, reply).await;
    let resolved = edge.agent_post(
        agent,
        &format!(
            "/api/v1/agent/conversations/{}/resolve",
            who.conversation_id
        ),
    );
    assert_eq!(resolved.status, 204, "{}", resolved.body);
    event_where(socket, |b| is_state(b, ConversationState::Resolved)).await;
    agent_socket
}

/// A visitor writes `text`, asks for a person and waits.
async fn hand_over(edge: &Edge, who: &Visitor, text: &str) -> tests::Socket {
    let mut socket = edge.connect(who).await;
    send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    assert!(matches!(
        recv(&mut socket).await,
        ServerFrame::Welcome { .. }
    ));
    say(&mut socket, text).await;
    send(&mut socket, &ClientFrame::RequestPerson {}).await;
    event_where(&mut socket, |b| {
        is_state(b, ConversationState::WaitingForPerson)
    })
    .await;
    socket
}

#[tokio::test]
async fn agents_find_conversations_by_words_visitor_and_filters_within_their_teams() {
    let edge = Edge::shared();
    let (anna, ben, cleo) = (
        edge.anna(),
        edge.login("ben@example.test", "ben-test-password"),
        edge.cleo(),
    );
    let started = tests::now_ms();

    // Ana's derailleur (support), Bo's double charge (moved to billing),
    // and a question the AI answered alone (never handed over).
    let ana = visitor(edge, Some("Ana Ruiz"), None);
    let mut ana_socket = hand_over(
        edge,
        &ana,
        "My derailleur cable snapped near Zürich <b>today</b>",
    )
    .await;
    let bo = visitor(edge, Some("Bo Lind"), None);
    let _bo_socket = hand_over(edge, &bo, "You charged my card twice for the tune-up").await;
    let moved = edge.agent_post_json(
        &anna,
        &format!(
            "/api/v1/agent/conversations/{}/transfer",
            bo.conversation_id
        ),
        r#"{"team":"billing"}"#,
    );
    assert_eq!(moved.status, 204, "{}", moved.body);
    let alone = visitor(edge, None, None);
    let mut alone_socket = edge.connect(&alone).await;
    send(&mut alone_socket, &ClientFrame::Resume { last_seq: 0 }).await;
    say(&mut alone_socket, "Do you sell derailleur hangers?").await;

    // Words: any case, accents folded, the start of a word; the matching
    // line comes back in pieces with the words marked, markup as text.
    let hits = found(edge, &anna, &words("DERAILLEUR zurich"), |h| {
        h.iter().any(|x| x.conversation_id == ana.conversation_id)
    });
    let hit = hits
        .iter()
        .find(|h| h.conversation_id == ana.conversation_id)
        .expect("Ana's conversation");
    assert!(hit.title.starts_with("Ana Ruiz"), "{hit:?}");
    assert_eq!(hit.team.as_deref(), Some("support"));
    assert_eq!(hit.state, ConversationState::WaitingForPerson);
    // The button, or the policy before it (a snapped cable reads as safety).
    let trigger = hit.trigger.expect("why it was handed over");
    let marked: Vec<&str> = hit
        .line
        .iter()
        .filter(|p| p.hit)
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(marked, ["derailleur", "Zürich"], "{hit:?}");
    let line: String = hit.line.iter().map(|p| p.text.as_str()).collect();
    assert!(line.contains("<b>today</b>"), "markup stays text: {line}");
    assert_eq!(hit.who.as_deref(), Some("visitor"));
    // The start of a word finds both derailleurs (the AI's conversation
    // is told a moment after its answer).
    found(edge, &anna, &words("derail"), |h| h.len() == 2);

    // Scope: Ben (billing) finds Bo's and nothing of support's or the AI's.
    found(edge, &anna, &words("charged twice"), |h| {
        ids(h) == [bo.conversation_id.as_str()]
    });
    assert_eq!(search(edge, &ben, &words("derailleur")), Vec::new());
    assert_eq!(
        ids(&search(edge, &ben, &words("twice"))),
        [bo.conversation_id.as_str()]
    );
    assert_eq!(
        ids(&search(edge, &cleo, &words("derailleur"))),
        [ana.conversation_id.as_str()],
        "the AI-only conversation is the admins'"
    );
    assert!(search(edge, &ben, &SearchRequest::default())
        .iter()
        .all(|h| h.team.as_deref() == Some("billing")));

    // Filters, alone or with words.
    let by = |s: SearchRequest| {
        ids(&search(edge, &anna, &s))
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by(SearchRequest {
            visitor: "ruiz".into(),
            ..Default::default()
        }),
        [ana.conversation_id.as_str()]
    );
    assert_eq!(
        by(SearchRequest {
            team: Some("billing".into()),
            ..Default::default()
        }),
        [bo.conversation_id.as_str()]
    );
    assert_eq!(
        by(SearchRequest {
            words: "derailleur".into(),
            state: Some(ConversationState::Bot),
            ..Default::default()
        }),
        [alone.conversation_id.as_str()]
    );
    assert_eq!(
        by(SearchRequest {
            from_ms: Some(started + 3_600_000),
            ..Default::default()
        }),
        Vec::<String>::new(),
        "nothing started an hour from now"
    );
    assert_eq!(
        by(SearchRequest {
            words: "derailleur".into(),
            from_ms: Some(started - 60_000),
            to_ms: Some(tests::now_ms() + 60_000),
            trigger: Some(trigger),
            ..Default::default()
        }),
        [ana.conversation_id.as_str()]
    );

    // Resolved and rated: found by state and rating.
    let _agent_socket = answer_and_resolve(
        edge,
        &anna,
        &ana,
        &mut ana_socket,
        "A new cable is 9 euros.",
    )
    .await;
    send(
        &mut ana_socket,
        &ClientFrame::Rate {
            score: 2,
            comment: String::new(),
        },
    )
    .await;
    let rated = SearchRequest {
        rating: Some(2),
        state: Some(ConversationState::Resolved),
        ..Default::default()
    };
    found(edge, &anna, &rated, |h| {
        ids(h) == [ana.conversation_id.as_str()]
    });
    // The agent's words are found too, with who wrote them.
    let reply = found(edge, &anna, &words("euros"), |h| !h.is_empty());
    assert_eq!(reply[0].who.as_deref(), Some("Anna"));

    // Typed query syntax is only words; a filter that means nothing is refused.
    let odd = search_answer(edge, &anna, SITE, &words("derailleur OR \" NEAR( * text:"));
    assert_eq!(odd.status, 200, "{}", odd.body);
    let bad = edge.agent_get(
        &anna,
        &format!("/api/v1/agent/sites/{SITE}/search?rating=9"),
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.error(), ErrorCode::Malformed);

    // Erased: gone from the search at once.
    let erased = edge.agent_delete(
        &anna,
        &format!("/api/v1/agent/conversations/{}", ana.conversation_id),
    );
    assert_eq!(erased, 204);
    assert_eq!(
        ids(&search(edge, &anna, &words("derailleur"))),
        [alone.conversation_id.as_str()]
    );
    assert!(search(edge, &anna, &words("euros")).is_empty());
}

#[tokio::test]
async fn the_visitor_profile_gathers_their_conversations_and_questions() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let ben = edge.login("ben@example.test", "ben-test-password");

    // First visit: handed over, answered, resolved.
    let first = visitor(edge, Some("Mia Chen"), None);
    let mut socket = hand_over(edge, &first, "My wheel is buckled").await;
    let _a = answer_and_resolve(edge, &anna, &first, &mut socket, "Bring it in.").await;
    send(
        &mut socket,
        &ClientFrame::Rate {
            score: 5,
            comment: String::new(),
        },
    )
    .await;

    // The same browser writes again, and leaves an address with a question.
    let second = visitor(edge, Some("Mia Chen"), Some(&first));
    let mut again = hand_over(edge, &second, "The wheel wobbles again").await;
    leave_address(
        &mut again,
        "mia@example.test",
        "Can you call me about the wheel?",
    )
    .await;

    let path = format!(
        "/api/v1/agent/conversations/{}/visitor",
        second.conversation_id
    );
    let start = Instant::now();
    let profile: VisitorProfile = loop {
        let answer = edge.agent_get(&anna, &path);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let profile: VisitorProfile = answer.json();
        if profile.conversations.len() == 2
            && profile.conversations.iter().any(|c| c.rating == Some(5))
        {
            break profile;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{profile:?}");
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(profile.name.as_deref(), Some("Mia Chen"));
    assert_eq!(profile.email.as_deref(), Some("mia@example.test"));
    assert_eq!(
        ids(&profile.conversations),
        [
            second.conversation_id.as_str(),
            first.conversation_id.as_str()
        ],
        "newest first"
    );
    let earlier = &profile.conversations[1];
    assert_eq!(earlier.state, ConversationState::Resolved);
    assert!(earlier.title.contains("wheel is buckled"), "{earlier:?}");
    assert_eq!(profile.tickets.len(), 1);
    assert_eq!(
        profile.tickets[0].question,
        "Can you call me about the wheel?"
    );

    // Lists name the conversation by its visitor and question.
    let mine: Vec<shared::protocol::ConversationRef> = edge
        .agent_get(&anna, &format!("/api/v1/agent/sites/{SITE}/resolved"))
        .json();
    let listed = mine
        .iter()
        .find(|r| r.conversation_id == first.conversation_id)
        .expect("resolved today");
    assert_eq!(
        listed.label.as_deref(),
        Some("Mia Chen · My wheel is buckled")
    );

    // Not Ben's team: the profile answers as for a conversation that does not exist.
    assert_eq!(edge.agent_get(&ben, &path).status, 404);

    // The first conversation erased: gone from the profile, which still
    // knows the visitor by the one left.
    let erased = edge.agent_delete(
        &anna,
        &format!("/api/v1/agent/conversations/{}", first.conversation_id),
    );
    assert_eq!(erased, 204);
    let profile: VisitorProfile = edge.agent_get(&anna, &path).json();
    assert_eq!(
        ids(&profile.conversations),
        [second.conversation_id.as_str()]
    );
    assert_eq!(profile.tickets.len(), 1);
}

/// A visitor leaves an address with a question.
async fn leave_address(socket: &mut tests::Socket, email: &str, question: &str) {
    send(
        socket,
        &ClientFrame::LeaveContact {
            email: email.into(),
            question: question.into(),
        },
    )
    .await;
    event_where(socket, |b| {
        matches!(b, shared::protocol::EventBody::Contact { .. })
    })
    .await;
}

#[tokio::test]
async fn an_address_typed_in_another_browser_is_listed_apart_and_opens_none_of_its_questions() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let email = format!("lea-{}@example.test", uuid::Uuid::new_v4().simple());

    // Lea leaves her address with a question.
    let lea = visitor(edge, Some("Lea"), None);
    let mut socket = hand_over(edge, &lea, "My frame has a crack").await;
    leave_address(&mut socket, &email, "Is the crack covered by the warranty?").await;

    // Someone else, in another browser, types Lea's address.
    let other = visitor(edge, Some("Not Lea"), None);
    let mut socket = hand_over(edge, &other, "What did Lea ask you?").await;
    leave_address(&mut socket, &email, "Please send me her answers").await;

    let path = format!(
        "/api/v1/agent/conversations/{}/visitor",
        other.conversation_id
    );
    let start = Instant::now();
    let profile: VisitorProfile = loop {
        let profile: VisitorProfile = edge.agent_get(&anna, &path).json();
        // Both conversations indexed: Lea's is found by the address, this
        // one by its own id.
        if ids(&profile.same_typed_email) == [lea.conversation_id.as_str()]
            && ids(&profile.conversations).contains(&other.conversation_id.as_str())
        {
            break profile;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{profile:?}");
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(profile.email.as_deref(), Some(email.as_str()));
    assert!(!profile.email_verified, "a typed address is not verified");
    assert_eq!(
        ids(&profile.conversations),
        [other.conversation_id.as_str()],
        "a typed address merges nothing into the visitor's own conversations"
    );
    let questions: Vec<&str> = profile
        .tickets
        .iter()
        .map(|t| t.question.as_str())
        .collect();
    assert_eq!(
        questions,
        ["Please send me her answers"],
        "Lea's question is not shown as this visitor's"
    );
}

/// `/` into the search box, words found marked in the result, the
/// conversation opened with its visitor's history, and from there the
/// visitor's other conversation; in Chromium beside raw-socket visitors.
#[tokio::test]
async fn an_agent_searches_from_the_keyboard_and_opens_the_visitors_history() {
    use fantoccini::Locator;
    use tests::{
        axe_violations, click, eventually, finish, log_in_to, screenshot, text_when, texts,
    };
    let edge = Edge::shared();
    let anna = edge.anna();
    let site = "seeking";
    let lena = |follows| visitor_on(edge, site, "de", Some("Lena Vogel"), follows);
    let first = lena(None);
    let mut socket = hand_over(
        edge,
        &first,
        "Meine Bremsbeläge quietschen <img src=x onerror=alert(1)>",
    )
    .await;
    let _a = answer_and_resolve(edge, &anna, &first, &mut socket, "Bitte vorbeikommen.").await;
    let second = lena(Some(&first));
    let mut waiting = hand_over(edge, &second, "Die Bremsen quietschen wieder").await;
    // Nobody online: Lena leaves her address, and so does someone else, in
    // another browser, with the same address typed.
    let address = "lena.vogel@example.test";
    leave_address(&mut waiting, address, "").await;
    let someone = visitor_on(edge, site, "de", Some("Jemand"), None);
    let mut other = hand_over(edge, &someone, "Was hat Lena gefragt?").await;
    leave_address(&mut other, address, "").await;
    // All three told to the search before the browser looks.
    let start = Instant::now();
    while search_answer(edge, &anna, site, &SearchRequest::default())
        .json::<Vec<SearchHit>>()
        .len()
        < 3
    {
        assert!(start.elapsed() < Duration::from_secs(30), "never indexed");
        std::thread::sleep(Duration::from_millis(250));
    }

    let agent = log_in_to(edge, site).await;
    text_when(&agent, ".queue-list .queue-item", 20, "the queue").await;
    agent
        .find(Locator::Css("body"))
        .await
        .expect("page")
        .send_keys("/")
        .await
        .expect("slash");
    // `/` loads the search (a program of its own) and puts the focus in it.
    eventually(20, "the focus in the search box", || async {
        let focused = agent
            .execute("return document.activeElement.id", vec![])
            .await
            .ok()?;
        (focused == serde_json::json!("search-words")).then_some(())
    })
    .await;
    agent
        .active_element()
        .await
        .expect("focus")
        .send_keys("bremsbelage\u{e007}")
        .await
        .expect("typed");
    let title = text_when(&agent, ".search-results .hit .wants", 20, "a result").await;
    assert!(title.starts_with("Lena Vogel"), "{title}");
    // The team by its name, as the team filter shows it.
    let meta = text_when(&agent, ".search-results .hit .meta", 5, "what it is").await;
    assert!(meta.contains(" · Support · "), "{meta}");
    assert_eq!(texts(&agent, ".search-results mark").await, ["Bremsbeläge"]);
    let line = text_when(&agent, ".search-results .line", 5, "the line").await;
    assert!(
        line.contains("<img src=x onerror=alert(1)>"),
        "markup as text: {line}"
    );
    let images = agent
        .execute(
            "return document.querySelectorAll('.search-results img').length",
            vec![],
        )
        .await
        .expect("images");
    assert_eq!(images, serde_json::json!(0));
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "search at WCAG 2.2 AA"
    );
    screenshot(&agent, "panel-search").await;

    // The result opens the conversation with its visitor's history; the
    // later conversation opens from there.
    click(&agent, ".search-results .hit").await;
    let name = text_when(&agent, ".visitor-profile .name", 20, "the visitor profile").await;
    assert_eq!(name, "Lena Vogel");
    let past = eventually(20, "the other conversation", || async {
        let t = texts(&agent, ".visitor-profile .past .wants").await;
        (!t.is_empty()).then_some(t)
    })
    .await;
    assert_eq!(past, ["Lena Vogel · Die Bremsen quietschen wieder"]);
    eventually(20, "the team by its name", || async {
        let meta = texts(&agent, ".visitor-profile .past .meta").await;
        meta.iter()
            .any(|m| m.contains(" · Support · "))
            .then_some(())
    })
    .await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "profile at WCAG 2.2 AA"
    );
    screenshot(&agent, "panel-visitor-profile").await;
    click(&agent, ".visitor-profile .past-item").await;
    eventually(20, "the later conversation", || async {
        let wants = agent
            .find(Locator::Css(".packet .wants"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (wants == "Die Bremsen quietschen wieder").then_some(())
    })
    .await;
    // Its profile: the typed address marked so, and the conversation that
    // shares only that address listed apart.
    let apart = eventually(
        20,
        "the conversation with the same typed address",
        || async {
            let t = texts(&agent, ".visitor-profile .same-email .wants").await;
            (!t.is_empty()).then_some(t)
        },
    )
    .await;
    assert_eq!(apart, ["Jemand · Was hat Lena gefragt?"]);
    assert_eq!(
        text_when(&agent, ".visitor-profile .email", 5, "the address").await,
        "lena.vogel@example.test (typed, not verified)"
    );
    assert_eq!(
        texts(&agent, ".visitor-profile .past .wants").await,
        ["Lena Vogel · Meine Bremsbeläge quietschen <img src=x onerror=alert(1)>"],
        "the same browser's conversation stays the visitor's own"
    );
    screenshot(&agent, "panel-visitor-profile-typed-address").await;
    finish(agent, &[]).await;
}
