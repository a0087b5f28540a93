//! Signed-in visitors against the real edge: the site's identity secret
//! (admins only, rotated with a grace period), a verified visitor's
//! conversation joined from a second browser, forged and expired
//! identities refused and the chat going on without them; in Chromium, on
//! a host page of a second origin, the same visitor in two browsers and a
//! forged identity's console message.

use fantoccini::Locator;
use shared::identity::IdentitySecretView;
use shared::protocol::{ClientFrame, ConversationCreated, ConversationState, InboxFrame};
use tests::{
    browser, console_errors, eventually, finish, get, open_chat, post, send_message,
    signed_identity, text_when, visitor_address, Answer, Edge, HostPage,
};

fn secret_of(edge: &Edge, site: &str) -> String {
    let view: IdentitySecretView = edge
        .agent_post_json(
            &edge.anna(),
            &format!("/api/v1/agent/sites/{site}/identity"),
            "{}",
        )
        .json();
    view.secret.expect("a secret")
}

fn claims(user: &str, name: &str, exp_in_s: i64) -> serde_json::Value {
    serde_json::json!({
        "sub": user,
        "name": name,
        "email": format!("{user}@example.com"),
        "exp": tests::now_ms() / 1000 + exp_in_s,
    })
}

/// The widget's request, from a browser of its own (its own address).
fn open_with(edge: &Edge, site: &str, identity: Option<&str>) -> Answer {
    let mut body = serde_json::json!({"site": site, "locale": "en", "disclosure_version": 1});
    if let Some(token) = identity {
        body["identity"] = token.into();
    }
    let address = visitor_address();
    post(
        &format!("{}/api/v1/conversations", edge.base()),
        &body.to_string(),
        &[("cf-connecting-ip", address.as_str())],
    )
}

fn verified_of(edge: &Edge, id: &str) -> serde_json::Value {
    let export: serde_json::Value = edge
        .agent_get(
            &edge.anna(),
            &format!("/api/v1/agent/conversations/{id}/export"),
        )
        .json();
    export["verified"].clone()
}

#[test]
fn a_signed_identity_names_the_visitor_and_follows_them_to_another_browser() {
    let edge = Edge::shared();
    // Only admins see or make the secret.
    let path = "/api/v1/agent/sites/members/identity";
    assert_eq!(edge.agent_get(&edge.cleo(), path).status, 403);
    let none: IdentitySecretView = edge.agent_get(&edge.anna(), path).json();
    assert_eq!(none.secret, None);
    // Before there is a secret, an identity is refused and the chat opens anonymous.
    let early = signed_identity("idv_guess", &claims("sam", "Sam Lee", 600));
    let anonymous: ConversationCreated = open_with(edge, "members", Some(&early)).json();
    assert_eq!(
        verified_of(edge, &anonymous.conversation_id),
        serde_json::Value::Null
    );
    let secret = secret_of(edge, "members");
    assert!(secret.starts_with("idv_"), "{secret}");

    let token = signed_identity(&secret, &claims("sam", "Sam Lee", 600));
    let first = open_with(edge, "members", Some(&token));
    assert_eq!(first.status, 201, "{}", first.body);
    let first: ConversationCreated = first.json();
    assert_eq!(
        verified_of(edge, &first.conversation_id),
        serde_json::json!({"user_id": "sam", "name": "Sam Lee", "email": "sam@example.com"})
    );
    // Another browser, the same user: the same conversation, a secret of its own.
    let second = open_with(edge, "members", Some(&token));
    assert_eq!(second.status, 200, "{}", second.body);
    let second: ConversationCreated = second.json();
    assert_eq!(second.conversation_id, first.conversation_id);
    assert_ne!(second.visitor_secret, first.visitor_secret);
    for secret in [&first.visitor_secret, &second.visitor_secret] {
        assert_eq!(
            edge.ticket(&first.conversation_id, Some(secret)).status,
            200
        );
    }
    // Another user, or a forged or expired token: never Sam's conversation.
    let other = signed_identity(&secret, &claims("kim", "Kim", 600));
    let forged = signed_identity("idv_not_the_secret", &claims("sam", "Sam Lee", 600));
    let expired = signed_identity(&secret, &claims("sam", "Sam Lee", -600));
    for token in [&other, &forged, &expired] {
        let answer = open_with(edge, "members", Some(token));
        assert_eq!(answer.status, 201, "{}", answer.body);
        let created: ConversationCreated = answer.json();
        assert_ne!(created.conversation_id, first.conversation_id);
    }

    // The frame page says why a token was refused; a good one gets a key.
    let frame = |token: &str| {
        get(
            &format!("{}/chat/members?identity={token}", edge.base()),
            &[],
        )
        .body
    };
    let refused = frame(&forged);
    assert!(
        refused.contains("chat-identity-refused\" content=\"the signature does not match"),
        "{refused}"
    );
    assert!(!refused.contains("chat-visitor"));
    assert!(frame(&expired).contains("the token has expired"));
    let good = frame(&token);
    assert!(
        good.contains("<meta name=\"chat-visitor\" content=\""),
        "{good}"
    );
    assert!(!good.contains("chat-identity-refused"));
    let other_key = frame(&other);
    let key = |page: &str| {
        page.split("chat-visitor\" content=\"")
            .nth(1)
            .map(|r| r[..16].to_string())
    };
    assert_ne!(key(&good), key(&other_key), "a key per user");

    // A new secret: the old one keeps working for a while.
    let rotated: IdentitySecretView = edge.agent_post_json(&edge.anna(), path, "{}").json();
    assert_ne!(rotated.secret.as_deref(), Some(secret.as_str()));
    assert!(rotated.previous_until_ms.is_some());
    let third = open_with(edge, "members", Some(&token));
    assert_eq!(
        third.status, 200,
        "the previous secret still works: {}",
        third.body
    );
}

#[test]
fn a_conversation_keeps_only_the_newest_keys_of_the_browsers_that_joined_it() {
    let edge = Edge::shared();
    let secret = secret_of(edge, "joined");
    let token = signed_identity(&secret, &claims("jo", "Jo", 600));
    let first: ConversationCreated = open_with(edge, "joined", Some(&token)).json();
    // Every browser the visitor signs in from adds a key (16 are kept).
    let joins: Vec<ConversationCreated> = (0..17)
        .map(|_| {
            let joined = open_with(edge, "joined", Some(&token));
            assert_eq!(joined.status, 200, "{}", joined.body);
            joined.json()
        })
        .collect();
    assert!(joins
        .iter()
        .all(|j| j.conversation_id == first.conversation_id));
    // Asked with each key: how many answers wait unread (needs no ticket).
    let unread = |secret: &str| {
        get(
            &format!(
                "{}/api/v1/conversations/{}/unread",
                edge.base(),
                first.conversation_id
            ),
            &[("authorization", format!("Bearer {secret}").as_str())],
        )
        .status
    };
    assert_ne!(
        unread(&joins[0].visitor_secret),
        200,
        "the oldest joined key is gone"
    );
    for j in &joins[1..] {
        assert_eq!(unread(&j.visitor_secret), 200, "a newer key works");
    }
    assert_eq!(
        unread(&first.visitor_secret),
        200,
        "the browser that opened it keeps its key"
    );
}

#[tokio::test]
async fn agents_see_a_verified_visitor_as_verified_in_the_queue_and_the_hand_off() {
    let edge = Edge::shared();
    let token = signed_identity(&secret_of(edge, "vouched"), &claims("ria", "Ria Roy", 600));
    let created: ConversationCreated = open_with(edge, "vouched", Some(&token)).json();
    let visitor = tests::Visitor {
        conversation_id: created.conversation_id.clone(),
        secret: created.visitor_secret,
    };
    let mut socket = edge.connect(&visitor).await;
    tests::send(&mut socket, &ClientFrame::RequestPerson {}).await;
    tests::event_where(&mut socket, |b| {
        tests::is_state(b, ConversationState::WaitingForPerson)
    })
    .await;
    let queue: InboxFrame = edge
        .agent_get(&edge.anna(), "/api/v1/agent/sites/vouched/queue")
        .json();
    let InboxFrame::Queue { waiting, .. } = queue else {
        panic!("a snapshot")
    };
    let item = waiting
        .iter()
        .find(|i| i.conversation_id == created.conversation_id)
        .expect("in the queue");
    assert!(item.verified);
    assert_eq!(item.visitor_name.as_deref(), Some("Ria Roy"));
    let packet = edge
        .agent_get(
            &edge.anna(),
            &format!("/api/v1/agent/conversations/{}", created.conversation_id),
        )
        .body;
    assert!(
        packet
            .contains(r#""verified":{"user_id":"ria","name":"Ria Roy","email":"ria@example.com"}"#),
        "{packet}"
    );
}

#[tokio::test]
async fn a_signed_in_visitor_finds_their_chat_in_a_second_browser_and_a_forged_identity_is_named_in_the_console(
) {
    let edge = Edge::shared();
    let secret = secret_of(edge, "signed");
    let token = signed_identity(&secret, &claims("alex", "Alex Doe", 3600));
    let forged = signed_identity("idv_forged", &claims("alex", "Alex Doe", 3600));
    let page = HostPage::shop(
        &edge.base(),
        "signed",
        &format!(
            "Chat('identify', {{token: location.hash === '#forged' ? '{forged}' : '{token}'}});"
        ),
    );
    let allow = edge.agent_post_json(
        &edge.anna(),
        "/api/v1/agent/sites/signed/settings/allow",
        &serde_json::json!({"origin": page.origin}).to_string(),
    );
    assert_eq!(allow.status, 200, "{}", allow.body);

    // On the phone: Alex asks something.
    let phone = browser(390, 844).await;
    phone
        .goto(&format!("{}/", page.origin))
        .await
        .expect("shop");
    let input = open_chat(&phone).await;
    send_message(&phone, &input, "Do you service cargo bikes?").await;
    text_when(&phone, ".msg-ai[data-seq] .msg-text", 20, "the AI's answer").await;

    // Later, on a laptop (another browser, nothing stored): the same chat.
    let laptop = browser(1280, 900).await;
    laptop
        .goto(&format!("{}/", page.origin))
        .await
        .expect("shop");
    open_chat(&laptop).await;
    let mine = text_when(&laptop, ".msg-visitor .msg-text", 20, "Alex's question").await;
    assert_eq!(mine, "Do you service cargo bikes?");
    tests::screenshot(&laptop, "widget-signed-in-second-browser").await;
    finish(laptop, &[]).await;
    finish(phone, &[]).await;

    // A forged identity: the console says why, the chat opens without it.
    let stranger = browser(1280, 900).await;
    stranger
        .goto(&format!("{}/#forged", page.origin))
        .await
        .expect("shop");
    let input = open_chat(&stranger).await;
    let seen = std::cell::RefCell::new(Vec::new());
    eventually(20, "the console message", || async {
        let new = console_errors(&stranger).await;
        seen.borrow_mut().extend(new);
        let found = seen
            .borrow()
            .iter()
            .any(|e| e.contains("chat: identify: the signature does not match"));
        found.then_some(())
    })
    .await;
    assert_eq!(seen.borrow().len(), 1, "{:?}", seen.borrow());
    // Their own question answered is the barrier: the chat holds only it.
    send_message(&stranger, &input, "Hello?").await;
    text_when(
        &stranger,
        ".msg-ai[data-seq] .msg-text",
        20,
        "the AI's answer",
    )
    .await;
    let mut asked = Vec::new();
    for el in stranger
        .find_all(Locator::Css(".msg-visitor .msg-text"))
        .await
        .expect("messages")
    {
        asked.push(el.text().await.expect("text"));
    }
    assert_eq!(asked, ["Hello?"], "nothing of Alex's chat");
    finish(stranger, &[]).await;
}
