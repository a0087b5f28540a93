//! A visitor who comes back, in real headless Chromium: the team's answer
//! that arrived while they were away shows as a count on the launcher
//! before the chat is opened, and as "New" in the chat; the mailed link
//! opens the conversation in another browser.

use fantoccini::Locator;
use tests::{
    eventually, finish, get, launcher, open_chat, screenshot, send_message, text_when, visitor_on,
    Edge,
};

#[tokio::test]
async fn an_answer_that_waited_shows_on_the_launcher_and_as_new_in_the_chat() {
    let edge = Edge::shared();
    let (client, input) = visitor_on(edge, "/demo/", 1280, 900).await;
    let demo = format!("{}/demo/", edge.base());
    send_message(&client, &input, "Can you build a wheel?").await;
    text_when(&client, ".msg-ai[data-seq] .msg-text", 20, "the AI's reply").await;
    client
        .find(Locator::Css(".person-button"))
        .await
        .expect("person")
        .click()
        .await
        .expect("talk to a person");
    // Shown up to the wait for a person: this browser keeps how far.
    eventually(20, "waiting for a person, shown", || async {
        let seen = client
            .execute("return localStorage.getItem('chat.v1.demo.seen')", vec![])
            .await
            .ok()?;
        (seen.as_str()?.parse::<u64>().ok()? >= 3).then_some(())
    })
    .await;
    let tests::Visitor {
        conversation_id: id,
        secret,
    } = tests::stored_session(&client, "demo").await;
    let unread = format!("{}/api/v1/conversations/{id}/unread", edge.base());
    let bearer = format!("Bearer {secret}");

    // The visitor closes the tab; Anna answers while they are away.
    let new_tab = client.new_window(true).await.expect("a new tab");
    client.close_window().await.expect("close the first tab");
    client
        .switch_to_window(new_tab.handle)
        .await
        .expect("the new tab");
    let _agent =
        tests::claim_and_reply(edge, &edge.anna(), &id, "Yes: 32 holes, ready on Friday.").await;
    // The barrier: the edge counts it unread before the visitor returns.
    eventually(20, "one unread message at the edge", || async {
        (get(&unread, &[("authorization", &bearer)]).body == r#"{"unread":1}"#).then_some(())
    })
    .await;

    // Back on the site later: the launcher says so before the chat opens.
    client.goto(&demo).await.expect("back on the site");
    let button = launcher(&client).await;
    let label = eventually(20, "the unread count on the launcher", || async {
        let label = button.attr("aria-label").await.ok()??;
        label.contains("unread").then_some(label)
    })
    .await;
    assert_eq!(label, "Chat with us, 1 unread");
    assert_eq!(button.text().await.expect("text"), "Chat with us1");
    screenshot(&client, "launcher-unread").await;

    // Opened: the answer is there, marked new; the count is gone.
    open_chat(&client).await;
    let mark = text_when(&client, ".msg-agent .new", 20, "the answer marked new").await;
    assert_eq!(mark, "New");
    let text = text_when(&client, ".msg-agent .msg-text", 20, "the answer").await;
    assert_eq!(text, "Yes: 32 holes, ready on Friday.");
    screenshot(&client, "widget-answer-new").await;
    client.enter_parent_frame().await.expect("back to the page");
    let button = launcher(&client).await;
    assert_eq!(button.attr("aria-label").await.expect("attr"), None);
    assert_eq!(
        get(&unread, &[("authorization", &bearer)]).body,
        r#"{"unread":0}"#
    );
    finish(client, &[]).await;
}
