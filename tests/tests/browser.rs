//! The visitor's path in real headless Chromium: the demo page, its script
//! tag, the launcher, the widget frame, the conversation.

use fantoccini::{Client, Locator};
use tests::{
    axe_violations, browser, eventually, finish, launcher, messages, open_chat, screenshot,
    send_message, text_when, texts, visitor_on, Edge,
};

#[tokio::test]
async fn a_visitor_sees_the_ai_disclosure_gets_a_labeled_answer_and_finds_it_again_after_reload() {
    let edge = Edge::shared();
    let client = browser(1280, 900).await;
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo page");
    screenshot(&client, "widget-closed").await;

    open_chat(&client).await;
    // Before anything is typed, the widget says it is an AI.
    let disclosure = eventually(20, "the AI disclosure", || async {
        client.find(Locator::Css(".disclosure")).await.ok()
    })
    .await;
    let text = disclosure.text().await.expect("text");
    assert!(text.contains("AI assistant"), "disclosure: {text}");
    assert!(disclosure.is_displayed().await.expect("displayed"));
    let label = client
        .find(Locator::Css(".ai-label"))
        .await
        .expect("header label");
    assert_eq!(label.text().await.expect("label"), "AI assistant");
    assert!(
        messages(&client).await.is_empty(),
        "nothing before the visitor writes"
    );

    let input = client
        .find(Locator::Css("#chat-input"))
        .await
        .expect("input");
    send_message(&client, &input, "Do you repair e-bikes?").await;

    let shown = eventually(20, "the visitor message and the AI answer", || async {
        let m = messages(&client).await;
        (m.len() >= 2).then_some(m)
    })
    .await;
    assert_eq!(shown[0].0, 1);
    assert!(
        shown[0].1.contains("msg-visitor") && shown[0].3 == "Do you repair e-bikes?",
        "{shown:?}"
    );
    assert_eq!(shown[1].0, 2);
    assert!(shown[1].1.contains("msg-ai"), "{shown:?}");
    assert_eq!(shown[1].2, "AI", "the answer carries the AI badge");
    screenshot(&client, "widget-open-desktop").await;

    // Reload: the same conversation, the same sequence numbers, nothing twice.
    client.refresh().await.expect("reload");
    open_chat(&client).await;
    let again = eventually(20, "the conversation after reload", || async {
        let m = messages(&client).await;
        (m.len() >= 2).then_some(m)
    })
    .await;
    let seqs: Vec<u64> = again.iter().map(|m| m.0).collect();
    assert_eq!(
        seqs,
        vec![1, 2],
        "same messages, same order, no duplicates: {again:?}"
    );
    assert_eq!(again[0].3, "Do you repair e-bikes?");
    assert!(client
        .find_all(Locator::Css(".msg-pending"))
        .await
        .expect("pending")
        .is_empty());

    finish(client, &[]).await;
}

#[tokio::test]
async fn the_faq_answers_with_its_source_and_an_unknown_question_gets_choices_and_the_person_button(
) {
    let edge = Edge::shared();
    let (client, input) = visitor_on(edge, "/demo/", 1280, 900).await;

    input
        .send_keys("when are you open on saturday\n")
        .await
        .expect("type");
    let source = eventually(20, "the answer's source", || async {
        client
            .find(Locator::Css(".msg-ai .msg-source a"))
            .await
            .ok()
    })
    .await;
    assert_eq!(
        source.text().await.expect("text"),
        "What are your opening hours?"
    );
    let href = source.attr("href").await.expect("href").unwrap_or_default();
    assert!(href.ends_with("/demo/#visit"), "{href}");
    let answer = client
        .find(Locator::Css(".msg-ai[data-seq] .msg-text"))
        .await
        .expect("answer")
        .text()
        .await
        .expect("text");
    assert!(answer.contains("Saturday 9:00"), "{answer}");

    input
        .send_keys("Do you fit dynamo hubs and lights?\n")
        .await
        .expect("type");
    let choices = eventually(20, "the Did you mean choices", || async {
        let found = client
            .find_all(Locator::Css(".choices button"))
            .await
            .ok()?;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert!(choices.len() <= 3);
    let ai_answers = client
        .find_all(Locator::Css(".msg-ai .msg-source"))
        .await
        .expect("sources");
    assert_eq!(
        ai_answers.len(),
        1,
        "the unknown question got no sourced (wrong) answer"
    );
    let person = client
        .find(Locator::Css(".person-button"))
        .await
        .expect("the person button");
    assert!(person.is_displayed().await.expect("displayed"));
    screenshot(&client, "widget-did-you-mean").await;

    // Choosing a suggestion asks it, and the AI answers it.
    let chosen = choices[0].text().await.expect("choice text");
    choices[0].click().await.expect("choose");
    eventually(20, "the chosen question answered", || async {
        (client
            .find_all(Locator::Css(".msg-ai .msg-source"))
            .await
            .ok()?
            .len()
            == 2)
            .then_some(())
    })
    .await;
    let visitor_texts = client
        .find_all(Locator::Css(".msg-visitor .msg-text"))
        .await
        .expect("visitor");
    assert_eq!(
        visitor_texts
            .last()
            .expect("last")
            .text()
            .await
            .expect("text"),
        chosen
    );

    person.click().await.expect("talk to a person");
    // The place in line comes from the inbox, live.
    let status = eventually(
        20,
        "waiting for a person, with the place in line",
        || async {
            let s = client
                .find(Locator::Css(".person-status"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            s.contains("in line").then_some(s)
        },
    )
    .await;
    assert!(
        status.starts_with("Waiting for a person. You are number "),
        "{status}"
    );
    // Nobody is online on the test edge: said, with the e-mail fallback.
    let notices = client
        .find_all(Locator::Css(".msg-system .msg-text"))
        .await
        .expect("notices");
    let mut texts = Vec::new();
    for n in notices {
        texts.push(n.text().await.expect("text"));
    }
    assert!(
        texts
            .iter()
            .any(|t| t == "You asked for a person. Waiting for Support."),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Nobody from the team is online right now.")),
        "{texts:?}"
    );
    let fold = client
        .find(Locator::Css(".contact summary"))
        .await
        .expect("the e-mail fallback is offered");
    assert_eq!(
        fold.text().await.expect("text"),
        "Leave your e-mail address instead"
    );
    screenshot(&client, "widget-waiting-for-person").await;
    finish(client, &[]).await;
}

#[tokio::test]
async fn markup_typed_by_a_visitor_is_shown_as_text_and_never_runs() {
    let edge = Edge::shared();
    let (client, input) = visitor_on(edge, "/demo/", 1280, 900).await;
    let hostile =
        r#"<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>"#;

    send_message(&client, &input, hostile).await;
    let shown = eventually(20, "the message stored and shown", || async {
        let m = messages(&client).await;
        m.iter()
            .find(|m| m.1.contains("msg-visitor"))
            .map(|m| m.3.clone())
    })
    .await;
    assert_eq!(shown, hostile);
    assert!(client
        .find_all(Locator::Css(".log img, .log script"))
        .await
        .expect("query")
        .is_empty());
    let title = client
        .execute("return document.title", vec![])
        .await
        .expect("title");
    assert_eq!(
        title,
        serde_json::json!("Chat"),
        "no script from the message ran"
    );
    finish(client, &[]).await;
}

#[tokio::test]
async fn escape_closes_the_chat_and_returns_focus_to_the_launcher() {
    let edge = Edge::shared();
    let (client, input) = visitor_on(edge, "/demo/", 1280, 900).await;
    input.send_keys("\u{e00c}").await.expect("press Escape");
    client.enter_parent_frame().await.expect("back to the page");
    let focused = eventually(10, "focus back on the launcher", || async {
        let v = client
            .execute(
                "const h = document.activeElement; const r = h && h.shadowRoot; \
                 const f = r && r.querySelector('iframe'); \
                 return [h && h.id, r && r.activeElement && r.activeElement.tagName, f && f.hidden];",
                vec![],
            )
            .await
            .ok()?;
        (v[1] == "BUTTON").then_some(v)
    })
    .await;
    assert_eq!(
        focused,
        serde_json::json!(["chat-widget", "BUTTON", true]),
        "launcher focused, frame hidden"
    );
    let expanded = launcher(&client)
        .await
        .attr("aria-expanded")
        .await
        .expect("attr");
    assert_eq!(expanded.as_deref(), Some("false"));
    finish(client, &[]).await;
}

#[tokio::test]
async fn the_open_widget_has_no_wcag_22_aa_violations_in_its_main_states() {
    let edge = Edge::shared();
    let (client, _) = visitor_on(edge, "/demo/", 1280, 900).await;
    assert_eq!(
        axe_violations(&client).await,
        Vec::<String>::new(),
        "empty conversation"
    );

    let input = client
        .find(Locator::Css("#chat-input"))
        .await
        .expect("input");
    input
        .send_keys("when are you open on saturday\n")
        .await
        .expect("type");
    eventually(20, "an answer", || async {
        client.find(Locator::Css(".msg-ai .msg-source")).await.ok()
    })
    .await;
    input
        .send_keys("Do you fit dynamo hubs and lights?\n")
        .await
        .expect("type");
    eventually(20, "choices", || async {
        client.find(Locator::Css(".choices button")).await.ok()
    })
    .await;
    client
        .find(Locator::Css(".person-button"))
        .await
        .expect("person")
        .click()
        .await
        .expect("click");
    eventually(20, "waiting", || async {
        client.find(Locator::Css(".msg-system")).await.ok()
    })
    .await;
    assert_eq!(
        axe_violations(&client).await,
        Vec::<String>::new(),
        "answered, unsure and waiting"
    );

    // The check itself can fail: a planted image without alt text is found.
    client
        .execute(
            "document.body.appendChild(document.createElement('img'))",
            vec![],
        )
        .await
        .expect("plant");
    let found = axe_violations(&client).await;
    assert!(
        found.iter().any(|v| v.starts_with("image-alt")),
        "{found:?}"
    );
    finish(client, &[]).await;
}

#[tokio::test]
async fn the_widget_stays_readable_in_any_brand_color() {
    let edge = Edge::shared();
    let client = browser(800, 700).await;
    for color in [
        "#ffeb3b", "#ffffff", "#777777", "#ff69b4", "#0b5d3b", "#000",
    ] {
        let url = format!(
            "{}/chat/demo?lang=en&color={}",
            edge.base(),
            color.replace('#', "%23")
        );
        client.goto(&url).await.expect("widget page");
        eventually(20, "the widget", || async {
            client.find(Locator::Css("#chat-input")).await.ok()
        })
        .await;
        let found = axe_violations(&client).await;
        assert_eq!(found, Vec::<String>::new(), "brand color {color}");
    }
    finish(client, &[]).await;
}

#[tokio::test]
async fn the_privacy_notice_links_the_policy_and_delete_erases_the_conversation() {
    let edge = Edge::shared();
    let (client, _) = visitor_on(edge, "/demo/", 1280, 900).await;
    let privacy = eventually(20, "the privacy link", || async {
        client.find(Locator::Css(".privacy a")).await.ok()
    })
    .await;
    let href = privacy
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert!(href.ends_with("/demo/privacy.html"), "{href}");

    let input = client
        .find(Locator::Css("#chat-input"))
        .await
        .expect("input");
    input.send_keys("where can I park\n").await.expect("type");
    eventually(20, "an exchange", || async {
        (messages(&client).await.len() == 2).then_some(())
    })
    .await;
    let stored = |c: &Client| {
        let c = c.clone();
        async move {
            c.execute("return localStorage.getItem('chat.v1.demo')", vec![])
                .await
                .expect("storage")
        }
    };
    let session: serde_json::Value =
        serde_json::from_str(stored(&client).await.as_str().expect("a session")).expect("json");
    let id = session["conversation_id"].as_str().expect("id").to_string();
    let secret = session["secret"].as_str().expect("secret").to_string();

    let delete = client
        .find(Locator::Css(".privacy .text-button"))
        .await
        .expect("delete button");
    assert_eq!(
        delete.text().await.expect("text"),
        "Delete this conversation"
    );
    delete.click().await.expect("click");
    client.accept_alert().await.expect("confirm");
    eventually(20, "the conversation gone from the widget", || async {
        messages(&client).await.is_empty().then_some(())
    })
    .await;
    assert_eq!(
        stored(&client).await,
        serde_json::Value::Null,
        "credentials forgotten"
    );
    assert_eq!(
        edge.ticket(&id, Some(&secret)).status,
        404,
        "erased at the edge"
    );

    // Writing again starts a new conversation.
    input.send_keys("when are you open\n").await.expect("type");
    let fresh = eventually(20, "a new conversation", || async {
        let m = messages(&client).await;
        (m.len() == 2).then_some(m)
    })
    .await;
    assert_eq!(fresh[0].0, 1);
    finish(client, &[]).await;
}

#[tokio::test]
async fn two_tabs_of_the_site_share_one_live_conversation() {
    let edge = Edge::shared();
    let (client, input) = visitor_on(edge, "/demo/", 1280, 900).await;
    input.send_keys("where can I park\n").await.expect("type");
    eventually(20, "the first exchange", || async {
        (messages(&client).await.len() == 2).then_some(())
    })
    .await;
    let first_tab = client.window().await.expect("window");

    let second_tab = client.new_window(true).await.expect("new tab").handle;
    client.switch_to_window(second_tab).await.expect("switch");
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo page");
    open_chat(&client).await;
    let seen = eventually(20, "the same conversation in the second tab", || async {
        let m = messages(&client).await;
        (m.len() == 2).then_some(m)
    })
    .await;
    assert_eq!(seen[0].3, "where can I park");
    let input = client
        .find(Locator::Css("#chat-input"))
        .await
        .expect("input");
    input
        .send_keys("do you sell helmets\n")
        .await
        .expect("type");

    client.switch_to_window(first_tab).await.expect("back");
    open_chat(&client).await;
    let live = eventually(20, "the second tab's message live in the first", || async {
        let m = messages(&client).await;
        (m.len() == 4).then_some(m)
    })
    .await;
    assert_eq!(
        live.iter().map(|m| m.0).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert_eq!(live[2].3, "do you sell helmets");
    finish(client, &[]).await;
}

#[tokio::test]
async fn the_launcher_moves_aside_for_a_focused_element_it_would_cover() {
    let edge = Edge::shared();
    let client = browser(1280, 900).await;
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo page");
    launcher(&client).await;
    // A host-page field right where the launcher sits (bottom right).
    client
        .execute(
            "const i = document.createElement('input'); i.id = 'under'; i.setAttribute('aria-label', 'Coupon');
             Object.assign(i.style, { position: 'fixed', right: '10px', bottom: '10px', width: '220px', height: '60px' });
             document.body.appendChild(i);",
            vec![],
        )
        .await
        .expect("add a field");
    // Focused as by the keyboard (a click would land on the launcher covering it).
    client
        .execute("document.querySelector('#under').focus()", vec![])
        .await
        .expect("focus it");
    let apart = client
        .execute(
            "const a = document.querySelector('#under').getBoundingClientRect();
             const b = document.querySelector('#chat-widget').shadowRoot.querySelector('button').getBoundingClientRect();
             return !(a.right > b.left && a.left < b.right && a.bottom > b.top && a.top < b.bottom);",
            vec![],
        )
        .await
        .expect("rects");
    assert_eq!(
        apart,
        serde_json::json!(true),
        "the focused field is not covered"
    );
    finish(client, &[]).await;
}

#[tokio::test]
async fn a_person_joins_answers_and_resolves_then_the_visitor_rates_and_starts_anew() {
    use shared::protocol::ClientFrame;
    let edge = Edge::shared();
    let (client, input) = visitor_on(edge, "/demo/", 1280, 900).await;
    send_message(&client, &input, "Can you service a Rohloff hub?").await;
    eventually(20, "the AI's reply", || async {
        (!client
            .find_all(Locator::Css(".msg-ai"))
            .await
            .ok()?
            .is_empty())
        .then_some(())
    })
    .await;
    client
        .find(Locator::Css(".person-button"))
        .await
        .expect("person")
        .click()
        .await
        .expect("talk to a person");
    eventually(20, "the place in line", || async {
        client
            .find(Locator::Css(".person-status"))
            .await
            .ok()?
            .text()
            .await
            .ok()?
            .contains("in line")
            .then_some(())
    })
    .await;

    // An agent claims it (over the agents' API), types, and answers.
    let id = tests::stored_session(&client, "demo").await.conversation_id;
    let anna = edge.anna();
    assert_eq!(
        edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/claim"))
            .status,
        204
    );
    let mut agent = edge
        .agent_socket(&anna, &format!("/api/v1/agent/conversations/{id}/ws"))
        .await;
    tests::send(&mut agent, &ClientFrame::Typing {}).await;
    let typing = text_when(&client, ".typing:not(:empty)", 20, "the agent typing").await;
    assert_eq!(typing, "Anna typing…");
    let reply = ClientFrame::Send {
        client_id: uuid::Uuid::new_v4(),
        text: "Hi, I'm Anna from the workshop. Yes, we service Rohloff hubs.".into(),
    };
    tests::send(&mut agent, &reply).await;
    let badge = text_when(&client, ".msg-agent .badge", 20, "the agent's message").await;
    assert_eq!(
        badge, "Anna · person",
        "the person badge, with the name isolated"
    );
    let joined = client
        .find(Locator::Css(".msg-system bdi.agent-name"))
        .await
        .expect("joined notice");
    let joined_text = joined
        .find(Locator::XPath(".."))
        .await
        .expect("notice")
        .text()
        .await
        .expect("text");
    assert_eq!(
        joined_text,
        "Anna, a person, has joined. You won't need to repeat yourself."
    );
    let status = client
        .find(Locator::Css(".person-status"))
        .await
        .expect("status")
        .text()
        .await
        .expect("text");
    assert_eq!(status, "A person is here: Anna");
    // The header says who answers now.
    let header = client
        .find(Locator::Css(".chat-title"))
        .await
        .expect("header")
        .text()
        .await
        .expect("text");
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["A", "Anna", "person"],
        "their initials, name and role"
    );
    assert_eq!(texts(&client, ".msg-agent .who .avatar").await, vec!["A"]);
    // When it was said: relative, exact on hover (the title).
    let time = client
        .find(Locator::Css(".msg-agent time.msg-time"))
        .await
        .expect("time");
    assert_eq!(time.text().await.expect("text"), "now");
    assert!(!time
        .attr("title")
        .await
        .expect("title")
        .unwrap_or_default()
        .is_empty());
    // Seen once the person has read it, under the visitor's message.
    tests::send(&mut agent, &ClientFrame::Read { seq: 1_000 }).await;
    let seen_under = eventually(20, "seen", || async {
        client
            .execute(
                "const m = document.getElementById('seen'); \
                 return m && [m.textContent, m.parentElement.querySelector('.msg-text').textContent]",
                vec![],
            )
            .await
            .ok()
            .filter(|v| !v.is_null())
    })
    .await;
    assert_eq!(
        seen_under,
        serde_json::json!(["Seen", "Can you service a Rohloff hub?"])
    );
    assert_eq!(
        tests::axe_violations(&client).await,
        Vec::<String>::new(),
        "a person's reply with initials, times and seen at WCAG 2.2 AA"
    );
    assert!(
        client.find(Locator::Css(".contact")).await.is_err(),
        "no e-mail fallback while a person is here"
    );
    screenshot(&client, "widget-with-agent").await;

    // Resolved: the visitor rates, once.
    assert_eq!(
        edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/resolve"))
            .status,
        204
    );
    tests::rate(&client, 5).await;
    eventually(20, "thanks for the rating", || async {
        let texts = client
            .find_all(Locator::Css(".msg-system .msg-text"))
            .await
            .ok()?;
        for t in texts {
            if t.text().await.ok()? == "Thank you for your rating." {
                return Some(());
            }
        }
        None
    })
    .await;
    assert!(
        client.find(Locator::Css(".rating-form")).await.is_err(),
        "asked once"
    );
    screenshot(&client, "widget-rated").await;

    // The next message starts a new conversation; the old one stays readable.
    let input = client
        .find(Locator::Css("#chat-input"))
        .await
        .expect("input");
    send_message(&client, &input, "where can I park?").await;
    eventually(20, "the new conversation's answer", || async {
        let sources = client
            .find_all(Locator::Css(".msg-ai .msg-source"))
            .await
            .ok()?;
        let mut found = false;
        for s in sources {
            found |= s.text().await.ok()?.contains("Where can I park?");
        }
        found.then_some(())
    })
    .await;
    assert_eq!(
        client
            .find_all(Locator::Css(".msg-agent"))
            .await
            .expect("agent")
            .len(),
        1,
        "the old conversation is still there"
    );
    let now = client
        .execute("return localStorage.getItem('chat.v1.demo')", vec![])
        .await
        .expect("session");
    assert!(
        !now.as_str().unwrap_or_default().contains(&id),
        "a new conversation id"
    );
    finish(client, &[]).await;
}
