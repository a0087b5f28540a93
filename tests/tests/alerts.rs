//! Team alerts: an admin points a site's webhooks at a receiver (here on a
//! loopback port, which only local development allows); hand-offs,
//! tickets and ratings reach it signed (Standard Webhooks), a failed
//! delivery is tried again, and the delivery log says what happened.
//! Addresses outside https, private hosts and non-admins are refused.

use shared::alerts::{self, AlertsView, DeliveryStatus, Hook};
use shared::protocol::{ClientFrame, ConversationState, EventBody};
use tests::{conversation_on, event_where, send, Edge, Receiver};

fn add_hook(edge: &Edge, site: &str, body: &str) -> tests::Answer {
    edge.agent_post_json(
        &edge.anna(),
        &format!("/api/v1/agent/sites/{site}/alerts"),
        body,
    )
}

/// A hook of `site` to `receiver`, added by Anna.
fn hook_to(edge: &Edge, site: &str, receiver: &Receiver, format: &str, events: &str) -> Hook {
    let added = add_hook(
        edge,
        site,
        &format!(
            r#"{{"url": "{}", "format": "{format}", "events": {events}}}"#,
            receiver.url
        ),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    added.json()
}

/// "Send a test" to that hook.
fn send_test(edge: &Edge, site: &str, hook: &Hook) {
    let test = edge.agent_post(
        &edge.anna(),
        &format!("/api/v1/agent/sites/{site}/alerts/{}/test", hook.id),
    );
    assert_eq!(test.status, 200, "{}", test.body);
}

fn log(edge: &Edge, site: &str) -> AlertsView {
    let view = edge.agent_get(&edge.anna(), &format!("/api/v1/agent/sites/{site}/alerts"));
    assert_eq!(view.status, 200, "{}", view.body);
    view.json()
}

/// The receiver's check, as the README shows it: the signature over id,
/// timestamp and body with the hook's secret, and a fresh timestamp.
fn assert_signed(r: &tests::Received, secret: &str) {
    let id = r.header("webhook-id");
    let timestamp: i64 = r.header("webhook-timestamp").parse().expect("seconds");
    assert!((tests::now_ms() / 1_000 - timestamp).abs() < 60, "{r:?}");
    assert_eq!(
        r.header("webhook-signature"),
        alerts::signature(secret, id, timestamp, &r.body),
        "{r:?}"
    );
    assert_ne!(
        r.header("webhook-signature"),
        alerts::signature(
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            id,
            timestamp,
            &r.body
        )
    );
}

#[tokio::test]
async fn hand_offs_and_ratings_reach_a_signed_receiver_and_a_failed_delivery_is_tried_again() {
    let edge = Edge::shared();
    let receiver = Receiver::start(&[500]);
    let hook = hook_to(
        edge,
        "hooked",
        &receiver,
        "json",
        r#"["handoff", "rating"]"#,
    );
    assert!(hook.secret.starts_with("whsec_"), "{hook:?}");

    // A visitor asks for a person: the first delivery fails (500), the
    // second, 5 s later, is taken.
    let (visitor, mut v) = conversation_on(edge, "hooked", "en").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    let got = receiver.wait_for(2).await;
    assert_eq!(got[0].answered, 500);
    assert_eq!(got[1].answered, 200);
    assert_eq!(got[0].body, got[1].body, "a retry sends the same alert");
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[1].path, "/hook");
    assert_eq!(got[1].header("content-type"), "application/json");
    assert_signed(&got[1], &hook.secret);
    let alert: serde_json::Value = serde_json::from_str(&got[1].body).expect("JSON");
    assert_eq!(alert["type"], "handoff");
    assert_eq!(alert["site"], "hooked");
    assert_eq!(alert["conversation_id"], visitor.conversation_id.as_str());
    assert_eq!(alert["reason"], "person_button");
    assert_eq!(
        alert["panel_url"],
        format!("{}/agent/?site=hooked", edge.base())
    );
    let delivery = &log(edge, "hooked").deliveries[0];
    assert_eq!(
        (delivery.attempts, delivery.status, delivery.result.as_str()),
        (2, DeliveryStatus::Delivered, "HTTP 200")
    );

    // The conversation ends and the visitor rates it: a rating alert,
    // with the score and nothing the visitor wrote.
    let anna = edge.anna();
    let id = &visitor.conversation_id;
    let claimed = edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/claim"));
    assert_eq!(claimed.status, 204, "{}", claimed.body);
    let resolved = edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/resolve"));
    assert_eq!(resolved.status, 204, "{}", resolved.body);
    event_where(&mut v, |b| {
        matches!(
            b,
            EventBody::State {
                state: ConversationState::Resolved,
                ..
            }
        )
    })
    .await;
    send(
        &mut v,
        &ClientFrame::Rate {
            score: 4,
            comment: "Secret comment".into(),
        },
    )
    .await;
    let got = receiver.wait_for(3).await;
    assert_signed(&got[2], &hook.secret);
    let alert: serde_json::Value = serde_json::from_str(&got[2].body).expect("JSON");
    assert_eq!(alert["type"], "rating");
    assert_eq!(alert["rating"], 4);
    assert!(!got[2].body.contains("Secret comment"), "{}", got[2].body);
}

#[tokio::test]
async fn a_slack_hook_hears_of_left_questions_and_of_a_test() {
    let edge = Edge::shared();
    let receiver = Receiver::start(&[]);
    let hook = hook_to(edge, "slacked", &receiver, "slack", r#"["ticket"]"#);

    // Nobody is there: the visitor leaves a question.
    let (_visitor, mut v) = conversation_on(edge, "slacked", "en").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| matches!(b, EventBody::ContactOffer { .. })).await;
    send(
        &mut v,
        &ClientFrame::LeaveContact {
            email: "sam@example.test".into(),
            question: "Private <b>question</b>".into(),
        },
    )
    .await;
    event_where(&mut v, |b| matches!(b, EventBody::Contact { .. })).await;
    let got = receiver.wait_for(1).await;
    let text: serde_json::Value = serde_json::from_str(&got[0].body).expect("JSON");
    assert_eq!(
        text["text"],
        format!(
            "A visitor on slacked left a question for team support. <{}/agent/?site=slacked|Open the panel>",
            edge.base()
        )
    );
    assert!(!got[0].body.contains("Private"), "{}", got[0].body);
    assert_signed(&got[0], &hook.secret);

    // "Send a test" from the alerts page.
    send_test(edge, "slacked", &hook);
    let got = receiver.wait_for(2).await;
    assert!(
        got[1].body.contains("Test alert from the chat on slacked"),
        "{}",
        got[1].body
    );
    let log = log(edge, "slacked");
    assert_eq!(log.deliveries.len(), 2, "{log:?}");
    assert!(log
        .deliveries
        .iter()
        .all(|d| d.status == DeliveryStatus::Delivered && d.hook_id == hook.id));
}

#[tokio::test]
async fn hook_addresses_events_and_admins_are_checked_and_a_removed_hook_is_gone() {
    let edge = Edge::shared();
    for (body, says) in [
        (
            r#"{"url": "http://hooks.example.com/x", "format": "json", "events": ["handoff"]}"#,
            "https",
        ),
        (
            r#"{"url": "https://10.0.0.7/x", "format": "json", "events": ["handoff"]}"#,
            "private network",
        ),
        (
            r#"{"url": "https://user:pw@hooks.example.com/", "format": "json", "events": ["handoff"]}"#,
            "password",
        ),
        (
            r#"{"url": "https://hooks.example.com/x", "format": "json", "events": []}"#,
            "at least one",
        ),
        (r#"{"url": 7}"#, ""),
    ] {
        let refused = add_hook(edge, "hooks", body);
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert!(refused.body.contains(says), "{body}: {}", refused.body);
    }
    // Only admins: Cleo is an agent of the site, not an admin.
    let cleo = edge.cleo();
    let hook = r#"{"url": "https://hooks.example.com/x", "format": "json", "events": ["ticket"]}"#;
    let not_admin = edge.agent_post_json(&cleo, "/api/v1/agent/sites/hooks/alerts", hook);
    assert_eq!(not_admin.status, 403, "{}", not_admin.body);
    assert_eq!(
        edge.agent_get(&cleo, "/api/v1/agent/sites/hooks/alerts")
            .status,
        403
    );
    assert!(log(edge, "hooks").hooks.is_empty());

    // Ten hooks at most; a removed one is gone.
    let mut ids = Vec::new();
    for _ in 0..alerts::MAX_HOOKS_PER_SITE {
        let added = add_hook(edge, "hooks", hook);
        assert_eq!(added.status, 200, "{}", added.body);
        ids.push(added.json::<Hook>().id);
    }
    let eleventh = add_hook(edge, "hooks", hook);
    assert_eq!(eleventh.status, 429, "{}", eleventh.body);
    assert_eq!(
        edge.agent_delete(
            &edge.anna(),
            &format!("/api/v1/agent/sites/hooks/alerts/{}", ids[0])
        ),
        200
    );
    let left = log(edge, "hooks").hooks;
    assert_eq!(left.len(), alerts::MAX_HOOKS_PER_SITE - 1);
    assert!(left.iter().all(|h| h.id != ids[0]));
}

#[tokio::test]
async fn a_receiver_that_redirects_has_not_taken_the_alert_and_the_redirect_is_not_followed() {
    let edge = Edge::shared();
    let receiver = Receiver::start(&[307]);
    let hook = hook_to(edge, "redirected", &receiver, "json", r#"["rating"]"#);
    send_test(edge, "redirected", &hook);
    // The barrier: the log records the attempt's answer only once the
    // request is over, so a followed redirect would have arrived by then.
    let delivery = tests::eventually(30, "the attempt in the log", || async {
        log(edge, "redirected")
            .deliveries
            .into_iter()
            .find(|d| d.attempts == 1)
    })
    .await;
    assert_eq!(
        (delivery.status, delivery.result.as_str()),
        (DeliveryStatus::Pending, "HTTP 307")
    );
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "the redirect was followed: {got:?}");
    assert_eq!(got[0].path, "/hook");
}
