//! The agent's working day from the keyboard, in real headless Chromium
//! beside a visitor on a raw socket: the waiting count in the tab's title,
//! `?` for the shortcuts, then j, c, r, Escape and e through a hand-off,
//! and the chime turned on.

use fantoccini::{Client, Locator};
use shared::protocol::{Author, ClientFrame, ConversationState, EventBody};
use tests::{
    axe_violations, click, conversation_on, event_where, eventually, finish, is_state, log_in_to,
    say, screenshot, send, text_when, texts, Edge,
};

/// A key pressed where the focus is (the page itself when nothing is).
async fn press(agent: &Client, key: &str) {
    agent
        .active_element()
        .await
        .expect("focus")
        .send_keys(key)
        .await
        .expect("key");
}

async fn focused_id(agent: &Client) -> String {
    agent
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("focus")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn an_agent_takes_a_hand_off_from_the_keyboard_alone() {
    let edge = Edge::shared();
    let (_visitor, mut v) = conversation_on(edge, "keyed", "en").await;
    say(&mut v, "My order never arrived").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;

    let agent = log_in_to(edge, "keyed").await;
    eventually(20, "the waiting count in the title", || async {
        (agent.title().await.ok()? == "(1) Agent panel").then_some(())
    })
    .await;

    // `?` lists the shortcuts; Escape closes the list.
    press(&agent, "?").await;
    let title = text_when(&agent, ".shortcuts h2", 20, "the shortcuts").await;
    assert_eq!(title, "Keyboard shortcuts");
    let focused = agent
        .execute(
            "return document.activeElement.closest('.shortcuts') !== null",
            vec![],
        )
        .await
        .expect("focus");
    assert_eq!(focused, serde_json::json!(true), "focus in the dialog");
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the shortcuts at WCAG 2.2 AA"
    );
    screenshot(&agent, "panel-shortcuts").await;
    press(&agent, "\u{e00c}").await;
    eventually(20, "the shortcuts closed", || async {
        agent
            .find(Locator::Css(".shortcuts"))
            .await
            .is_err()
            .then_some(())
    })
    .await;

    // j opens the first waiting conversation, c claims it.
    press(&agent, "j").await;
    let wants = text_when(&agent, ".packet .wants", 20, "the packet").await;
    assert_eq!(wants, "My order never arrived");
    press(&agent, "c").await;
    event_where(&mut v, |b| is_state(b, ConversationState::WithPerson)).await;
    eventually(20, "nobody waiting in the title", || async {
        (agent.title().await.ok()? == "Agent panel").then_some(())
    })
    .await;

    // r goes to the reply box; what is typed there is text, not shortcuts.
    press(&agent, "r").await;
    assert_eq!(focused_id(&agent).await, "reply");
    press(&agent, "Sorry: checking it now.").await;
    click(&agent, ".composer button[type=submit]").await;
    let reply = event_where(
        &mut v,
        |b| matches!(b, EventBody::Message(m) if matches!(m.author, Author::Agent { .. })),
    )
    .await;
    let EventBody::Message(m) = reply.body else {
        unreachable!()
    };
    assert_eq!(m.text, "Sorry: checking it now.");
    assert_eq!(
        texts(&agent, ".actions .state").await,
        vec!["With a person"],
        "the e and c typed in the reply did nothing"
    );

    // Escape leaves the box; e resolves.
    click(&agent, "#reply").await;
    press(&agent, "\u{e00c}").await;
    assert_eq!(focused_id(&agent).await, "");
    press(&agent, "e").await;
    event_where(&mut v, |b| is_state(b, ConversationState::Resolved)).await;

    // The chime is off until the agent turns it on, and stays on in this
    // browser. (That a tone plays is not checked: headless has no speaker.)
    let pressed = |agent: Client| async move {
        agent
            .find(Locator::Css(".queue-tools .sound"))
            .await
            .ok()?
            .attr("aria-pressed")
            .await
            .ok()?
    };
    assert_eq!(pressed(agent.clone()).await.as_deref(), Some("false"));
    click(&agent, ".queue-tools .sound").await;
    assert_eq!(pressed(agent.clone()).await.as_deref(), Some("true"));
    agent.refresh().await.expect("reload");
    eventually(20, "the sound still on after a reload", || async {
        (pressed(agent.clone()).await.as_deref() == Some("true")).then_some(())
    })
    .await;
    finish(agent, &[]).await;
}

/// Whether the page scrolls sideways (it must not on a phone).
async fn overflows(agent: &Client) -> bool {
    agent
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth",
            vec![],
        )
        .await
        .expect("widths")
        == serde_json::json!(true)
}

#[tokio::test]
async fn on_a_phone_an_agent_sees_the_queue_opens_a_hand_off_and_replies() {
    let edge = Edge::shared();
    let (_visitor, mut v) = conversation_on(edge, "pocket", "en").await;
    say(&mut v, "Can I change my delivery address?").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;

    let agent = tests::log_in_with(tests::browser(375, 740).await, edge, "pocket").await;
    let wants = text_when(&agent, ".queue-item .wants", 20, "the queue").await;
    assert_eq!(wants, "Can I change my delivery address?");
    assert!(!overflows(&agent).await, "no sideways scrolling");
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the queue on a phone at WCAG 2.2 AA"
    );
    screenshot(&agent, "panel-phone-queue").await;

    click(&agent, ".queue-list .queue-item").await;
    text_when(&agent, ".packet .wants", 20, "the packet").await;
    click(&agent, ".actions .claim").await;
    event_where(&mut v, |b| is_state(b, ConversationState::WithPerson)).await;
    let reply = agent.find(Locator::Css("#reply")).await.expect("reply");
    reply.send_keys("Yes: which address?").await.expect("type");
    click(&agent, ".composer button[type=submit]").await;
    event_where(
        &mut v,
        |b| matches!(b, EventBody::Message(m) if matches!(m.author, Author::Agent { .. })),
    )
    .await;
    assert!(!overflows(&agent).await, "no sideways scrolling");
    let pane_in_view = agent
        .execute(
            "const r = document.querySelector('.conversation-pane').getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0",
            vec![],
        )
        .await
        .expect("pane");
    assert_eq!(
        pane_in_view,
        serde_json::json!(true),
        "the conversation in view"
    );
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "a conversation on a phone at WCAG 2.2 AA"
    );
    screenshot(&agent, "panel-phone-conversation").await;
    finish(agent, &[]).await;
}
