//! The host page's API in real headless Chromium, on the demo shop, whose
//! own script (`public/demo/demo.js`) uses it as a site would: the
//! snippet's stub queues calls made before the loader arrives, a button of
//! the page opens the chat, events reach the page's analytics, and unknown
//! commands or events only warn.

use fantoccini::{Client, Locator};
use tests::{browser, eventually, finish, launcher, Edge};

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

async fn events(client: &Client) -> Vec<String> {
    let list = client
        .execute(
            "return window.dataLayer.map(function (e) { return e.event; });",
            vec![],
        )
        .await
        .expect("dataLayer");
    serde_json::from_value(list).expect("events")
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
