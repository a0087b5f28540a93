//! The agent panel in real headless Chromium, beside a visitor in a second
//! browser session: log in, see the hand-off arrive live, claim, read the
//! packet, reply, hand back, resolve; the visitor rates; the metrics count it.

use fantoccini::{Client, Locator};
use tests::{
    axe_violations, click, eventually, finish, log_in_to, screenshot, text_when, texts, visitor_on,
    Edge,
};

/// Opens the queue item whose "wants" line is `wants`. The lists redraw
/// as the queue, "mine" and the tickets change, so an element found may be
/// gone a moment later: the search is tried again until it clicks.
async fn open_item(agent: &Client, wants: &str) {
    eventually(20, &format!("the queue item {wants:?} opened"), || async {
        for item in agent
            .find_all(Locator::Css(".queue-list .queue-item"))
            .await
            .ok()?
        {
            let Ok(line) = item.find(Locator::Css(".wants")).await else {
                continue;
            };
            if line.text().await.ok()? == wants {
                return item.click().await.ok();
            }
        }
        None
    })
    .await;
}

async fn log_in(edge: &Edge) -> Client {
    log_in_to(edge, "demo").await
}

#[tokio::test]
async fn an_agent_takes_a_hand_off_in_the_panel_and_the_visitor_sees_a_person() {
    let edge = Edge::shared();
    let agent = log_in(edge).await;
    assert_eq!(texts(&agent, ".desk .me").await, vec!["Anna"]);

    // The visitor asks something the FAQ cannot answer, then for a person.
    let (visitor, input) = visitor_on(edge, "/demo/", 1280, 900).await;
    input
        .send_keys("Can you service a Rohloff hub?")
        .await
        .expect("type");
    click(&visitor, ".send-button").await;
    eventually(20, "the AI's reply", || async {
        (!texts(&visitor, ".msg-ai").await.is_empty()).then_some(())
    })
    .await;
    click(&visitor, ".person-button").await;

    // The hand-off appears in the panel without a reload.
    eventually(20, "the hand-off in the queue", || async {
        let wants = texts(&agent, ".queue-item .wants").await;
        wants
            .iter()
            .any(|w| w == "Can you service a Rohloff hub?")
            .then_some(())
    })
    .await;
    screenshot(&agent, "panel-queue").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the queue at WCAG 2.2 AA"
    );

    // Open it: the packet says what the visitor wants and why.
    open_item(&agent, "Can you service a Rohloff hub?").await;
    let wants = text_when(&agent, ".packet .wants", 20, "the packet").await;
    assert_eq!(wants, "Can you service a Rohloff hub?");
    let reasons = texts(&agent, ".packet .reasons li").await;
    assert_eq!(reasons, vec!["pressed \"Talk to a person\""]);
    click(&agent, ".actions .claim").await;
    eventually(20, "claimed", || async {
        (agent
            .find(Locator::Css(".actions .state"))
            .await
            .ok()?
            .text()
            .await
            .ok()?
            == "With a person")
            .then_some(())
    })
    .await;

    eventually(20, "the claimed conversation under Mine", || async {
        (!texts(&agent, ".queue-list.mine .queue-item")
            .await
            .is_empty())
        .then_some(())
    })
    .await;
    let reply = agent.find(Locator::Css("#reply")).await.expect("reply box");
    reply
        .send_keys("Hi, I'm Anna. Yes, we service Rohloff hubs: bring it in any weekday.")
        .await
        .expect("type");
    click(&agent, ".composer button[type=submit]").await;
    screenshot(&agent, "panel-conversation").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "a conversation at WCAG 2.2 AA"
    );

    // The visitor sees the reply with the agent's name and the person badge.
    let badge = text_when(
        &visitor,
        ".msg-agent .badge",
        20,
        "the agent's reply in the widget",
    )
    .await;
    assert_eq!(badge, "Anna · person");
    // The panel showed the conversation to the person who has it: the
    // visitor's message is marked seen.
    let seen = text_when(&visitor, ".msg-visitor #seen", 20, "seen in the widget").await;
    assert_eq!(seen, "Seen");

    // Hand back: the AI answers the next question.
    click(&agent, ".actions .hand-back").await;
    eventually(20, "told the AI is back", || async {
        texts(&visitor, ".msg-system .msg-text")
            .await
            .iter()
            .any(|t| t == "Anna has left. The AI assistant answers again.")
            .then_some(())
    })
    .await;
    let input = visitor
        .find(Locator::Css("#chat-input"))
        .await
        .expect("input");
    input.send_keys("where can I park?").await.expect("type");
    click(&visitor, ".send-button").await;
    eventually(20, "the AI answers again", || async {
        texts(&visitor, ".msg-ai .msg-source")
            .await
            .iter()
            .any(|t| t.contains("Where can I park?"))
            .then_some(())
    })
    .await;

    // Resolve; the visitor rates; the metrics page counts it.
    click(&agent, ".actions .resolve").await;
    let five = eventually(20, "the rating form", || async {
        visitor
            .find(Locator::Css(".rating-form label[for=score-5]"))
            .await
            .ok()
    })
    .await;
    five.click().await.expect("5");
    click(&visitor, ".rating-form .send-button").await;
    eventually(20, "rated", || async {
        texts(&visitor, ".msg-system .msg-text")
            .await
            .iter()
            .any(|t| t == "Thank you for your rating.")
            .then_some(())
    })
    .await;
    eventually(20, "the conversation under Resolved today", || async {
        (!texts(&agent, ".queue-list.resolved .queue-item")
            .await
            .is_empty())
        .then_some(())
    })
    .await;
    assert!(
        texts(&agent, ".queue-list.mine .queue-item")
            .await
            .is_empty(),
        "no longer open under Mine"
    );
    // Turn the agent's answer into an FAQ entry; the AI answers the next
    // visitor who asks the same with it. The form is prefilled once the
    // edge's draft arrives, so wait for the value, not for the field.
    let question = eventually(20, "the FAQ form prefilled", || async {
        agent
            .find(Locator::Css("#faq-question"))
            .await
            .ok()?
            .prop("value")
            .await
            .ok()?
            .filter(|v| !v.is_empty())
    })
    .await;
    assert_eq!(question, "Can you service a Rohloff hub?");
    let answer = agent
        .find(Locator::Css("#faq-answer"))
        .await
        .expect("answer")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        answer.as_deref(),
        Some("Hi, I'm Anna. Yes, we service Rohloff hubs: bring it in any weekday.")
    );
    click(&agent, ".faq-form button[type=submit]").await;
    let outcome = eventually(20, "the entry added", || async {
        let t = agent
            .find(Locator::Css(".faq-form .outcome"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (!t.is_empty()).then_some(t)
    })
    .await;
    assert!(
        outcome.starts_with("Added as entry can-you-service-a-rohloff-hub"),
        "{outcome}"
    );
    let next = edge.new_visitor();
    let mut socket = edge.connect(&next).await;
    tests::send(
        &mut socket,
        &shared::protocol::ClientFrame::Resume { last_seq: 0 },
    )
    .await;
    let ask = shared::protocol::ClientFrame::Send {
        client_id: uuid::Uuid::new_v4(),
        text: "can you service a rohloff hub".into(),
    };
    tests::send(&mut socket, &ask).await;
    let frames = tests::recv_until(&mut socket, |f| {
        matches!(f, shared::protocol::ServerFrame::Event(e) if matches!(e.body, shared::protocol::EventBody::Message(ref m) if m.author == shared::protocol::Author::Ai))
    })
    .await;
    let Some(shared::protocol::ServerFrame::Event(e)) = frames.last() else {
        unreachable!()
    };
    let shared::protocol::EventBody::Message(m) = &e.body else {
        unreachable!()
    };
    assert_eq!(
        m.text,
        "Hi, I'm Anna. Yes, we service Rohloff hubs: bring it in any weekday."
    );

    click(&agent, ".desk-header nav button:nth-child(2)").await;
    let csat = eventually(20, "the metrics", || async {
        let cells = texts(&agent, ".metrics-table tbody tr:first-child td").await;
        (cells.len() == 11 && cells[8] != "–").then_some(cells)
    })
    .await;
    assert_eq!(csat[1], "all");
    assert_eq!(csat[8], "5.0 / 5", "{csat:?}");
    assert!(csat[5].contains("person button"), "{csat:?}");
    screenshot(&agent, "panel-metrics").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the metrics at WCAG 2.2 AA"
    );

    // Privacy requests: search by e-mail (the API is covered in agents.rs).
    click(&agent, ".desk-header nav button:nth-child(3)").await;
    let search = eventually(20, "the privacy tools", || async {
        agent.find(Locator::Css("#visitor-email")).await.ok()
    })
    .await;
    search.send_keys("nobody@example.test").await.expect("type");
    click(&agent, ".visitor-search button[type=submit]").await;
    eventually(20, "no conversations found", || async {
        texts(&agent, ".privacy-tools .empty")
            .await
            .first()
            .filter(|t| *t == "No conversations with this address.")
            .map(|_| ())
    })
    .await;

    // Anna is an admin: the desk links to the admin pages (a program of
    // their own), which open on the agents, listing the accounts.
    let admin = eventually(20, "the link to the admin pages", || async {
        agent
            .find(Locator::Css(".desk-header nav a.nav-link"))
            .await
            .ok()
    })
    .await;
    assert_eq!(
        admin.attr("href").await.expect("href").as_deref(),
        Some("/agent/admin/?site=demo")
    );
    admin.click().await.expect("to the admin pages");
    let rows = eventually(20, "the agents", || async {
        let names = texts(&agent, ".agents-table tbody td:first-child").await;
        (names.len() >= 2).then_some(names)
    })
    .await;
    assert!(
        rows.contains(&"Anna (admin)".to_string()) && rows.contains(&"Ben".to_string()),
        "{rows:?}"
    );

    // Site settings (saving is covered in agents.rs, on a site of its own):
    // the form shows the site's values, the script tag and a live preview
    // that follows what the admin types.
    click(&agent, ".desk-header nav button:nth-child(2)").await;
    let tag = eventually(20, "the script tag", || async {
        texts(&agent, ".script-tag")
            .await
            .into_iter()
            .next()
            .filter(|t| t.contains("data-site"))
    })
    .await;
    assert!(tag.contains(r#"/loader.js" data-site="demo""#), "{tag}");
    let greeting = eventually(20, "the settings form", || async {
        agent.find(Locator::Css("#s-greeting")).await.ok()
    })
    .await;
    greeting.clear().await.ok();
    greeting
        .send_keys("Welcome to the workshop")
        .await
        .expect("type");
    let src = eventually(20, "the preview following the form", || async {
        let frame = agent.find(Locator::Css("iframe.preview")).await.ok()?;
        let src = frame.attr("src").await.ok()??;
        src.contains("Welcome+to+the+workshop").then_some(src)
    })
    .await;
    assert!(src.starts_with("/chat/demo?preview=1"), "{src}");
    // The preview is the real widget, in the chosen look.
    let frame = agent
        .find(Locator::Css("iframe.preview"))
        .await
        .expect("the preview");
    frame.enter_frame().await.expect("into the preview");
    let shown = eventually(20, "the greeting in the preview", || async {
        texts(&agent, ".msg-greeting .msg-text")
            .await
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(shown, "Welcome to the workshop");
    agent.enter_parent_frame().await.expect("back to the panel");
    screenshot(&agent, "panel-settings").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the settings at WCAG 2.2 AA"
    );

    // Alerts: a hook to a receiver on this machine, a test sent from the
    // page, and the log saying it was delivered.
    let receiver = tests::Receiver::start(&[]);
    click(&agent, ".desk-header nav button:nth-child(3)").await;
    let url = eventually(20, "the alerts form", || async {
        agent.find(Locator::Css("#hook-url")).await.ok()
    })
    .await;
    url.send_keys(&receiver.url).await.expect("type");
    click(&agent, ".add-hook button[type=submit]").await;
    eventually(20, "the new hook listed", || async {
        let urls = texts(&agent, ".hooks-table .hook-url").await;
        urls.contains(&receiver.url).then_some(())
    })
    .await;
    click(
        &agent,
        ".hooks-table tbody tr:last-child button:first-child",
    )
    .await;
    let got = receiver.wait_for(1).await;
    assert!(got[0].body.contains(r#""type":"test""#), "{got:?}");
    eventually(20, "the delivery in the log", || async {
        click(&agent, ".alerts > button").await;
        let cells = texts(&agent, ".deliveries-table tbody tr:first-child td").await;
        (cells.get(4).map(String::as_str) == Some("delivered")).then_some(())
    })
    .await;
    screenshot(&agent, "panel-alerts").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the alerts at WCAG 2.2 AA"
    );
    finish(agent, &[]).await;
    finish(visitor, &[]).await;
}

#[tokio::test]
async fn markup_from_a_visitor_is_text_in_the_panel_and_never_runs() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let hostile_name = "<script>document.title='pwned'</script>";
    let visitor = edge.new_named_visitor(hostile_name);
    let mut socket = edge.connect(&visitor).await;
    let hostile =
        "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
    tests::send(
        &mut socket,
        &shared::protocol::ClientFrame::Resume { last_seq: 0 },
    )
    .await;
    tests::send(
        &mut socket,
        &shared::protocol::ClientFrame::Send {
            client_id: uuid::Uuid::new_v4(),
            text: hostile.into(),
        },
    )
    .await;
    tests::send(
        &mut socket,
        &shared::protocol::ClientFrame::RequestPerson {},
    )
    .await;
    let id = visitor.conversation_id.clone();
    eventually(20, "queued", || async {
        let view = edge.agent_get(&anna, &format!("/api/v1/agent/conversations/{id}"));
        (view.status == 200).then_some(())
    })
    .await;

    let agent = log_in(edge).await;
    eventually(20, "the hostile hand-off in the queue", || async {
        texts(&agent, ".queue-item .wants")
            .await
            .iter()
            .any(|w| w == hostile)
            .then_some(())
    })
    .await;
    open_item(&agent, hostile).await;
    eventually(20, "the transcript", || async {
        texts(&agent, ".transcript .row-visitor .text")
            .await
            .iter()
            .any(|t| t == hostile)
            .then_some(())
    })
    .await;
    // The packet comes by its own request, after the transcript's socket.
    let names = eventually(20, "the packet", || async {
        let names = texts(&agent, ".packet .visitor-name").await;
        (!names.is_empty()).then_some(names)
    })
    .await;
    assert_eq!(names, vec![hostile_name.to_string()], "the name, as text");
    let in_queue = texts(&agent, ".queue-item .visitor-name").await;
    assert!(in_queue.iter().any(|n| n == hostile_name), "{in_queue:?}");
    // The title is the panel's own (with the waiting count), never 'pwned'.
    let title = agent.title().await.expect("title");
    assert!(title.ends_with("Agent panel"), "no script ran: {title}");
    assert!(
        agent.find(Locator::Css(".transcript img")).await.is_err(),
        "no element was made from the text"
    );
    assert!(
        agent
            .find(Locator::Css(".packet script, .queue script"))
            .await
            .is_err(),
        "no element was made from the name"
    );
    finish(agent, &[]).await;
}

#[tokio::test]
async fn an_agent_answers_a_question_left_outside_hours_from_the_tickets() {
    use shared::protocol::{ClientFrame, EventBody};
    let edge = Edge::shared();
    let (_, mut v) = tests::conversation_on(edge, "after", "en").await;
    tests::send(&mut v, &ClientFrame::RequestPerson {}).await;
    tests::event_where(&mut v, |b| matches!(b, EventBody::ContactOffer { .. })).await;
    let question = "Do you have <b>tubeless</b> valves?";
    let contact = ClientFrame::LeaveContact {
        email: "lee@example.test".into(),
        question: question.into(),
    };
    tests::send(&mut v, &contact).await;
    tests::event_where(&mut v, |b| matches!(b, EventBody::Contact { .. })).await;

    let agent = log_in_to(edge, "after").await;
    let label = format!("{question} · lee@example.test · open");
    let item = eventually(20, "the ticket in the list", || async {
        for item in agent
            .find_all(Locator::Css(".queue-list.tickets .queue-item"))
            .await
            .ok()?
        {
            if item.text().await.ok()? == label {
                return Some(item);
            }
        }
        None
    })
    .await;
    item.click().await.expect("open the ticket");
    let shown = text_when(
        &agent,
        ".ticket .ticket-question",
        20,
        "the ticket above its conversation",
    )
    .await;
    assert_eq!(
        shown,
        format!("{question} · lee@example.test · support · open · nobody has taken it yet"),
        "the question, as text"
    );
    click(&agent, ".ticket button").await;
    eventually(20, "taken", || async {
        texts(&agent, ".ticket .ticket-question")
            .await
            .iter()
            .any(|t| t.ends_with("taken by Anna"))
            .then_some(())
    })
    .await;
    agent
        .find(Locator::Css("#reply"))
        .await
        .expect("the reply box")
        .send_keys("Yes, Presta and Schrader.")
        .await
        .expect("type");
    click(&agent, ".composer button[type=submit]").await;
    let answer = tests::event_where(&mut v, |b| matches!(b, EventBody::Message(_))).await;
    assert!(
        matches!(answer.body, EventBody::Message(ref m) if m.text == "Yes, Presta and Schrader."),
        "{answer:?}"
    );
    eventually(20, "answered in the list", || async {
        texts(&agent, ".queue-list.tickets .queue-item")
            .await
            .iter()
            .any(|m| m.ends_with("· answered · Anna"))
            .then_some(())
    })
    .await;
    screenshot(&agent, "panel-ticket").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the tickets at WCAG 2.2 AA"
    );
    eventually(20, "the answer in the transcript", || async {
        texts(&agent, ".transcript .text")
            .await
            .iter()
            .any(|t| t == "Yes, Presta and Schrader.")
            .then_some(())
    })
    .await;
    assert!(
        agent
            .find(Locator::Css(".ticket b, .queue-list b"))
            .await
            .is_err(),
        "no markup made"
    );
    finish(agent, &[]).await;
}

#[tokio::test]
async fn an_admin_sets_up_teams_hours_and_the_default_colour_in_the_settings_form() {
    let edge = Edge::shared();
    let agent = log_in_to(edge, "setup").await;
    agent
        .goto(&format!("{}/agent/admin/?site=setup", edge.base()))
        .await
        .expect("the admin pages");
    let settings = eventually(20, "the admin pages", || async {
        agent
            .find(Locator::Css(".desk-header nav button:nth-child(2)"))
            .await
            .ok()
    })
    .await;
    settings.click().await.expect("settings");
    eventually(20, "the site's team in the form", || async {
        let ids = agent
            .find(Locator::Css("fieldset.team input[name$='-id']"))
            .await
            .ok()?;
        (ids.prop("value").await.ok()??.as_str() == "support").then_some(())
    })
    .await;
    click(&agent, ".add-team").await;
    let new_field = |name: &str| format!("fieldset.team:last-of-type input[name$='-{name}']");
    for (name, value) in [
        ("id", "workshop"),
        ("name", "The workshop"),
        ("tz", "Europe/Berlin"),
        ("mon", ""),
        ("sat", "09:00-12:00,13:00-16:00"),
    ] {
        let input = agent
            .find(Locator::Css(&new_field(name)))
            .await
            .unwrap_or_else(|_| panic!("{name}"));
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
    }
    click(&agent, ".settings-form button[type=submit]").await;
    eventually(20, "saved", || async {
        texts(&agent, ".settings .saved")
            .await
            .first()
            .filter(|t| t.starts_with("Saved."))
            .map(|_| ())
    })
    .await;
    // The form shows what was saved.
    eventually(20, "the saved team in the form", || async {
        let id = agent.find(Locator::Css(&new_field("id"))).await.ok()?;
        (id.prop("value").await.ok()??.as_str() == "workshop").then_some(())
    })
    .await;
    let teams: Vec<shared::team::Team> = edge
        .agent_get(&edge.anna(), "/api/v1/agent/sites/setup/teams")
        .json();
    let workshop = teams
        .iter()
        .find(|t| t.id == "workshop")
        .unwrap_or_else(|| panic!("{teams:?}"));
    assert_eq!(workshop.name, "The workshop");
    assert_eq!(workshop.time_zone, "Europe/Berlin");
    let hours = workshop.hours.clone().expect("hours");
    assert_eq!(
        hours.get("sat").map(String::as_str),
        Some("09:00-12:00,13:00-16:00")
    );
    assert_eq!(hours.get("tue").map(String::as_str), Some("09:00-17:00"));
    assert!(
        !hours.contains_key("mon"),
        "an empty day is closed: {hours:?}"
    );
    // Saving kept the default colour: none was saved.
    let saved: shared::site::SiteSettingsView = edge
        .agent_get(&edge.anna(), "/api/v1/agent/sites/setup/settings")
        .json();
    assert_eq!(saved.settings.branding.color, None);
    screenshot(&agent, "panel-settings-teams").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the teams form at WCAG 2.2 AA"
    );

    // "Try a question" under the knowledge base: a visitor who wants a
    // person would be handed over, and the box says why.
    let try_text = eventually(20, "the try box", || async {
        agent.find(Locator::Css("#try-text")).await.ok()
    })
    .await;
    try_text
        .send_keys("I need to talk to a real person please")
        .await
        .expect("type");
    click(&agent, ".try-question button[type=submit]").await;
    let verdict = eventually(20, "the trial's verdict", || async {
        texts(&agent, ".trial-verdict").await.into_iter().next()
    })
    .await;
    assert!(verdict.starts_with("Hands over to a person"), "{verdict}");
    screenshot(&agent, "panel-try-question").await;
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the try box at WCAG 2.2 AA"
    );
    finish(agent, &[]).await;
}

#[tokio::test]
async fn the_desk_counts_a_colleague_coming_online_and_leaving_without_a_reload() {
    let edge = Edge::shared();
    let agent = log_in_to(edge, "present").await;
    let online = || async {
        let t = texts(&agent, ".desk .online").await;
        t.first().cloned()
    };
    eventually(20, "one online", || async {
        (online().await.as_deref() == Some("1 online")).then_some(())
    })
    .await;
    let colleague = edge.added_agent("Dora");
    let mut inbox = edge
        .agent_socket(&colleague, "/api/v1/agent/sites/present/inbox")
        .await;
    eventually(20, "two online", || async {
        (online().await.as_deref() == Some("2 online")).then_some(())
    })
    .await;
    inbox.close(None).await.expect("close");
    eventually(20, "one online again", || async {
        (online().await.as_deref() == Some("1 online")).then_some(())
    })
    .await;
    finish(agent, &[]).await;
}
