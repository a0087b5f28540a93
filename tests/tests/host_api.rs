//! The host page's API in real headless Chromium, on the demo shop, whose
//! own script (`public/demo/demo.js`) uses it as a site would: the
//! snippet's stub queues calls made before the loader arrives, a button of
//! the page opens the chat, events reach the page's analytics, and unknown
//! commands or events only warn.

use fantoccini::{Client, Locator};
use tests::{
    browser, claim_and_reply, eventually, finish, launcher, open_chat, rate, screenshot,
    send_message, stored_session, text_when, Edge, HostPage,
};

/// The chat's frame is shown (`Some(true)`), hidden, or not made yet.
async fn frame_shown(client: &Client) -> Option<bool> {
    let shown = client
        .execute(
            "var f = document.querySelector('#chat-widget').shadowRoot.querySelector('iframe[title=Chat]');
             return f ? !f.hidden : null;",
            vec![],
        )
        .await
        .expect("script");
    shown.as_bool()
}

/// The names of the page's events.
async fn events(client: &Client) -> Vec<String> {
    events_with_detail(client)
        .await
        .into_iter()
        .map(|e| e.split(' ').next().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn the_host_page_opens_and_closes_the_chat_and_hears_its_events() {
    let edge = Edge::shared();
    let client = browser(1280, 900).await;
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo");
    launcher(&client).await;
    // demo.js asked for events through the stub, before the loader ran.
    assert_eq!(frame_shown(&client).await, None);
    assert_eq!(events(&client).await, Vec::<String>::new());

    // The page's own button opens the chat.
    client
        .find(Locator::Css("#ask-chat"))
        .await
        .expect("the page's button")
        .click()
        .await
        .expect("click");
    eventually(20, "the chat opened by the page", || async {
        (frame_shown(&client).await == Some(true)).then_some(())
    })
    .await;
    assert_eq!(events(&client).await, vec!["chat_open"]);

    // Commands from the page: close, toggle, open again (no second event).
    client
        .execute("Chat('close')", vec![])
        .await
        .expect("close");
    assert_eq!(frame_shown(&client).await, Some(false));
    let expanded = launcher(&client).await.attr("aria-expanded").await;
    assert_eq!(expanded.ok().flatten().as_deref(), Some("false"));
    client
        .execute("Chat('toggle'); Chat('open')", vec![])
        .await
        .expect("toggle");
    assert_eq!(frame_shown(&client).await, Some(true));
    assert_eq!(
        events(&client).await,
        vec!["chat_open", "chat_close", "chat_open"]
    );

    // Unknown commands and events never throw; a handler that throws does
    // not stop the others.
    let answer = client
        .execute(
            "Chat('fly'); Chat('fly'); Chat('on', 'nothing', function () {});
             Chat('on', 'close', function () { throw new Error('a broken handler'); });
             Chat('close');
             return window.dataLayer.length;",
            vec![],
        )
        .await
        .expect("no throw");
    assert_eq!(answer, serde_json::json!(4));
    assert_eq!(frame_shown(&client).await, Some(false));
    finish(client, &["a broken handler", "'close' handler threw"]).await;
}

/// The page's events with their details, as `name detail-json`.
async fn events_with_detail(client: &Client) -> Vec<String> {
    let list = client
        .execute(
            "return window.dataLayer.map(function (e) { return e.event + ' ' + JSON.stringify(e.detail); });",
            vec![],
        )
        .await
        .expect("dataLayer");
    serde_json::from_value(list).expect("events")
}

async fn title(client: &Client) -> String {
    client.title().await.expect("title")
}

#[tokio::test]
async fn what_happens_in_the_chat_reaches_the_page_and_an_answer_while_closed_is_counted() {
    let edge = Edge::shared();
    let client = browser(1280, 900).await;
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo");
    let shop_title = title(&client).await;
    let input = open_chat(&client).await;
    send_message(&client, &input, "Can you build a wheel?").await;
    text_when(&client, ".msg-ai[data-seq] .msg-text", 20, "the AI's reply").await;
    client
        .find(Locator::Css(".person-button"))
        .await
        .expect("person")
        .click()
        .await
        .expect("talk to a person");
    text_when(&client, ".person-status", 20, "waiting for a person").await;
    let id = stored_session(&client, "demo").await.conversation_id;
    client.enter_parent_frame().await.expect("the page");
    // Metadata only: who wrote, never what.
    eventually(20, "the hand-off event", || async {
        let seen = events_with_detail(&client).await;
        seen.iter()
            .any(|e| e.starts_with("chat_handoff"))
            .then_some(seen)
    })
    .await;
    let seen = events_with_detail(&client).await;
    assert_eq!(
        seen,
        [
            "chat_open {}",
            r#"chat_message {"from":"visitor"}"#,
            r#"chat_message {"from":"ai"}"#,
            r#"chat_handoff {"asked":true}"#,
        ],
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|e| e.contains("wheel")),
        "no text: {seen:?}"
    );

    // Closed, and Anna answers: the launcher and the title count it.
    client
        .execute("Chat('close')", vec![])
        .await
        .expect("close");
    let _agent = claim_and_reply(edge, &edge.anna(), &id, "Yes, on Friday.").await;
    let button = launcher(&client).await;
    let label = eventually(20, "the unread count while closed", || async {
        let label = button.attr("aria-label").await.ok()??;
        label.contains("unread").then_some(label)
    })
    .await;
    assert_eq!(label, "Chat with us, 1 unread");
    assert_eq!(title(&client).await, format!("(1) {shop_title}"));
    let seen = events_with_detail(&client).await;
    assert!(
        seen.ends_with(&[
            r#"chat_message {"from":"agent"}"#.to_string(),
            r#"chat_unread {"count":1}"#.to_string(),
        ]),
        "{seen:?}"
    );
    screenshot(&client, "launcher-unread-while-closed").await;

    // Opened: count and title are back to normal.
    client.execute("Chat('open')", vec![]).await.expect("open");
    let button = launcher(&client).await;
    assert_eq!(button.attr("aria-label").await.expect("attr"), None);
    assert_eq!(button.text().await.expect("text"), "Close chat");
    assert_eq!(title(&client).await, shop_title);

    // Resolved and rated: the page hears the score.
    let resolve = edge.agent_post(
        &edge.anna(),
        &format!("/api/v1/agent/conversations/{id}/resolve"),
    );
    assert_eq!(resolve.status, 204);
    open_chat(&client).await;
    rate(&client, 4).await;
    client.enter_parent_frame().await.expect("the page");
    eventually(20, "the rating event", || async {
        let seen = events_with_detail(&client).await;
        seen.iter()
            .any(|e| e == r#"chat_rated {"score":4}"#)
            .then_some(())
    })
    .await;
    finish(client, &[]).await;
}

#[tokio::test]
async fn message_events_carry_the_text_only_on_a_site_that_turned_it_on() {
    let edge = Edge::shared();
    let record = "Chat('on','message',function(d){(window.said=window.said||[]).push(d)})";
    let page = HostPage::shop(&edge.base(), "telling", record);
    let said = |client: &Client| {
        let client = client.clone();
        async move {
            client
                .execute("return window.said || []", vec![])
                .await
                .expect("said")
        }
    };
    for (on, want) in [
        (false, serde_json::json!([{"from": "visitor"}])),
        (
            true,
            serde_json::json!([{"from": "visitor", "text": "Hello there"}]),
        ),
    ] {
        let settings = serde_json::json!({"events_with_text": on}).to_string();
        let saved = edge.agent_post_json(
            &edge.anna(),
            "/api/v1/agent/sites/telling/settings",
            &settings,
        );
        assert_eq!(saved.status, 200, "{}", saved.body);
        let allow = edge.agent_post_json(
            &edge.anna(),
            "/api/v1/agent/sites/telling/settings/allow",
            &serde_json::json!({"origin": page.origin}).to_string(),
        );
        assert_eq!(allow.status, 200, "{}", allow.body);
        let client = browser(1280, 900).await;
        client
            .goto(&format!("{}/", page.origin))
            .await
            .expect("the other shop");
        let input = open_chat(&client).await;
        send_message(&client, &input, "Hello there").await;
        client.enter_parent_frame().await.expect("the page");
        let events = eventually(20, "the visitor's message event", || async {
            let events = said(&client).await;
            (events.as_array().map_or(0, Vec::len) >= 1).then_some(events)
        })
        .await;
        assert_eq!(events[0], want[0], "text {on}: {events}");
        finish(client, &[]).await;
    }
}
