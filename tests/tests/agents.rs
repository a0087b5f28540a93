//! Agent accounts against the real edge: an admin adds, disables, enables
//! and removes agents; nobody else can; a disabled agent is out at once.

use shared::protocol::{AgentPresence, InboxClientFrame, InboxFrame, PresenceStatus};
use tests::{post, Edge};

#[test]
fn an_admin_adds_disables_and_removes_an_agent_and_nobody_else_can() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let cara = r#"{"name":"Cara","email":"Cara@Example.test","password":"cara-long-password","teams":["billing"]}"#;

    let not_admin = edge.agent_post_json(&ben, "/api/v1/agent/admin/agents", cara);
    assert_eq!(
        (not_admin.status, not_admin.code().as_str()),
        (403, "admin_only")
    );
    assert_eq!(
        edge.agent_get(&ben, "/api/v1/agent/admin/agents").status,
        403
    );

    let short = edge.agent_post_json(
        &anna,
        "/api/v1/agent/admin/agents",
        r#"{"name":"X","email":"x@example.test","password":"short"}"#,
    );
    assert_eq!((short.status, short.code().as_str()), (400, "malformed"));
    let bad_email = edge.agent_post_json(
        &anna,
        "/api/v1/agent/admin/agents",
        r#"{"name":"X","email":"x@","password":"long-enough-pass"}"#,
    );
    assert_eq!(bad_email.code(), "invalid_email");

    let added = edge.agent_post_json(&anna, "/api/v1/agent/admin/agents", cara);
    assert_eq!(added.status, 201, "{}", added.body);
    let id = added.json::<serde_json::Value>()["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        edge.agent_post_json(&anna, "/api/v1/agent/admin/agents", cara)
            .code(),
        "already_exists"
    );
    let listed: Vec<shared::protocol::AgentAccount> =
        edge.agent_get(&anna, "/api/v1/agent/admin/agents").json();
    let account = listed.iter().find(|a| a.profile.id == id).expect("listed");
    assert_eq!(
        (
            account.profile.email.as_str(),
            account.profile.teams.clone(),
            account.disabled
        ),
        ("cara@example.test", vec!["billing".to_string()], false)
    );

    // Cara works until she is disabled: her session ends at once.
    let c = edge.login("cara@example.test", "cara-long-password");
    assert_eq!(edge.agent_get(&c, "/api/v1/agent/me").status, 200);
    assert_eq!(
        edge.agent_post_json(
            &anna,
            &format!("/api/v1/agent/admin/agents/{id}/disable"),
            "{}"
        )
        .status,
        200
    );
    assert_eq!(edge.agent_get(&c, "/api/v1/agent/me").status, 401);
    let refused = post(
        &format!("{}/api/v1/agent/login", edge.base()),
        r#"{"email":"cara@example.test","password":"cara-long-password"}"#,
        &[],
    );
    assert_eq!(refused.code(), "bad_login");
    assert_eq!(
        edge.agent_post_json(
            &anna,
            &format!("/api/v1/agent/admin/agents/{id}/enable"),
            "{}"
        )
        .status,
        200
    );
    edge.login("cara@example.test", "cara-long-password");

    // Nobody locks themselves out; removal is for good.
    let me = anna.session.agent.id.clone();
    assert_eq!(
        edge.agent_post_json(
            &anna,
            &format!("/api/v1/agent/admin/agents/{me}/disable"),
            "{}"
        )
        .code(),
        "wrong_state"
    );
    assert_eq!(
        edge.agent_delete(&anna, &format!("/api/v1/agent/admin/agents/{id}")),
        200
    );
    let gone = post(
        &format!("{}/api/v1/agent/login", edge.base()),
        r#"{"email":"cara@example.test","password":"cara-long-password"}"#,
        &[],
    );
    assert_eq!(gone.code(), "bad_login");
}

#[test]
fn repeated_wrong_passwords_lock_the_account_with_a_clear_message() {
    let edge = Edge::shared();
    let url = format!("{}/api/v1/agent/login", edge.base());
    let wrong = r#"{"email":"locked@example.test","password":"wrong"}"#;
    for _ in 0..5 {
        assert_eq!(post(&url, wrong, &[]).code(), "bad_login");
    }
    let locked = post(&url, wrong, &[]);
    assert_eq!(
        (locked.status, locked.code().as_str()),
        (429, "rate_limited")
    );
    let message = locked.json::<serde_json::Value>()["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("Too many failed logins"), "{message}");
}

#[tokio::test]
async fn an_agent_finds_exports_and_erases_a_visitors_conversation() {
    use shared::protocol::{ClientFrame, EventBody, ServerFrame};
    let edge = Edge::shared();
    let anna = edge.anna();
    let visitor = edge.new_visitor_on("closed");
    let mut socket = edge.connect(&visitor).await;
    tests::send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    tests::send(&mut socket, &ClientFrame::RequestPerson {}).await;
    let contact = ClientFrame::LeaveContact {
        email: "erase.me@example.test".into(),
        question: "Do you build wheels?".into(),
    };
    tests::send(&mut socket, &contact).await;
    tests::recv_until(
        &mut socket,
        |f| matches!(f, ServerFrame::Event(e) if matches!(e.body, EventBody::Contact { .. })),
    )
    .await;
    let id = visitor.conversation_id.clone();

    let found: Vec<String> = edge
        .agent_get(
            &anna,
            "/api/v1/agent/sites/closed/visitors?email=Erase.Me@example.test",
        )
        .json();
    assert_eq!(found, vec![id.clone()]);
    let export: serde_json::Value = edge
        .agent_get(&anna, &format!("/api/v1/agent/conversations/{id}/export"))
        .json();
    assert_eq!(export["conversation_id"], id.as_str());
    let transcript = export["transcript"].to_string();
    assert!(
        transcript.contains("erase.me@example.test") && transcript.contains("Do you build wheels?"),
        "{transcript}"
    );

    // Erasure needs the CSRF token; then nothing of it is readable.
    let client: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/api/v1/agent/conversations/{id}", edge.base());
    let without = client
        .delete(&url)
        .header("cookie", anna.cookie.as_str())
        .call()
        .expect("delete")
        .status()
        .as_u16();
    assert_eq!(without, 403);
    assert_eq!(
        edge.agent_delete(&anna, &format!("/api/v1/agent/conversations/{id}")),
        204
    );
    assert_eq!(
        edge.agent_get(&anna, &format!("/api/v1/agent/conversations/{id}/export"))
            .status,
        404
    );
    assert_eq!(
        edge.ticket(&id, Some(&visitor.secret)).status,
        404,
        "the visitor's own secret opens nothing"
    );
    let found: Vec<String> = edge
        .agent_get(
            &anna,
            "/api/v1/agent/sites/closed/visitors?email=erase.me@example.test",
        )
        .json();
    assert!(found.is_empty(), "the e-mail ticket is gone");
}

#[tokio::test]
async fn a_conversation_past_the_sites_retention_period_is_erased_by_the_edge() {
    use shared::protocol::{ClientFrame, ServerFrame};
    let edge = Edge::shared();
    // The `brief` site keeps conversations about 2.6 s after their last activity.
    let visitor = edge.new_visitor_on("brief");
    let mut socket = edge.connect(&visitor).await;
    tests::send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    let hello = ClientFrame::Send {
        client_id: uuid::Uuid::new_v4(),
        text: "hello".into(),
    };
    tests::send(&mut socket, &hello).await;
    tests::recv_until(&mut socket, |f| matches!(f, ServerFrame::Ack { .. })).await;
    assert_eq!(
        edge.ticket(&visitor.conversation_id, Some(&visitor.secret))
            .status,
        200,
        "kept at first"
    );
    tests::eventually(
        20,
        "the conversation erased after its retention period",
        || async {
            (edge
                .ticket(&visitor.conversation_id, Some(&visitor.secret))
                .status
                == 404)
                .then_some(())
        },
    )
    .await;
}

#[test]
fn canned_replies_are_kept_per_team_and_need_the_csrf_token() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let path = "/api/v1/agent/sites/demo/canned";
    let body = r#"{"team":"billing","title":"Refund times","text":"Refunds reach your card within 5 working days."}"#;
    let no_csrf = post(
        &format!("{}{path}", edge.base()),
        body,
        &[("cookie", anna.cookie.as_str())],
    );
    assert_eq!(no_csrf.status, 403);
    let unknown = edge.agent_post_json(&anna, path, r#"{"team":"nope","title":"x","text":"y"}"#);
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "not_found")
    );
    let added = edge.agent_post_json(&anna, path, body);
    assert_eq!(added.status, 201, "{}", added.body);
    let id = added.json::<serde_json::Value>()["id"]
        .as_u64()
        .expect("id");
    let billing: Vec<shared::protocol::CannedReply> = edge
        .agent_get(&anna, &format!("{path}?team=billing"))
        .json();
    assert!(
        billing
            .iter()
            .any(|c| c.id == id && c.title == "Refund times"),
        "{billing:?}"
    );
    let support: Vec<shared::protocol::CannedReply> = edge
        .agent_get(&anna, &format!("{path}?team=support"))
        .json();
    assert!(
        support.iter().all(|c| c.id != id),
        "another team's replies stay apart"
    );
    assert_eq!(edge.agent_delete(&anna, &format!("{path}/{id}")), 200);
    let after: Vec<shared::protocol::CannedReply> = edge
        .agent_get(&anna, &format!("{path}?team=billing"))
        .json();
    assert!(after.iter().all(|c| c.id != id));
}

/// The frame page of a site, with its Content Security Policy.
fn frame(edge: &Edge, site: &str) -> (String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut res = agent
        .get(format!("{}/chat/{site}", edge.base()))
        .call()
        .expect("frame");
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (csp, res.body_mut().read_to_string().unwrap_or_default())
}

/// The team a visitor of `site` is told they wait for, after asking for a person.
async fn waits_for(edge: &Edge, visitor: &tests::Visitor) -> Option<String> {
    use shared::protocol::{ClientFrame, ConversationState, EventBody, ServerFrame};
    let mut socket = edge.connect(visitor).await;
    tests::send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    tests::send(&mut socket, &ClientFrame::RequestPerson {}).await;
    let frames = tests::recv_until(&mut socket, |f| {
        matches!(f, ServerFrame::Event(e) if matches!(e.body,
            EventBody::State { state: ConversationState::WaitingForPerson, .. }))
    })
    .await;
    frames.into_iter().find_map(|f| match f {
        ServerFrame::Event(e) => match e.body {
            EventBody::State { team, .. } => team,
            _ => None,
        },
        _ => None,
    })
}

#[tokio::test]
async fn an_admin_changes_a_sites_settings_and_new_conversations_use_them_without_a_redeploy() {
    use shared::site::SiteSettingsView;
    let edge = Edge::shared();
    let anna = edge.anna();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let path = "/api/v1/agent/sites/setup/settings";
    let before = edge.new_visitor_on("setup");

    let good = r##"{"branding":{"color":"#0b5d3b","greeting":"Hi \"friend\" <b>","assistant_name":"Setty"},
        "embed_origins":["https://shop.example"],"claim_timeout_s":60,
        "teams":[{"id":"helpdesk","name":"Helpdesk","time_zone":"Europe/Berlin"}]}"##;
    let not_admin = edge.agent_post_json(&ben, path, good);
    assert_eq!(
        (not_admin.status, not_admin.code().as_str()),
        (403, "admin_only")
    );
    let bad = edge.agent_post_json(&anna, path, r#"{"branding":{"color":"red"}}"#);
    assert_eq!((bad.status, bad.code().as_str()), (400, "malformed"));
    assert!(bad.body.contains("branding.color"), "{}", bad.body);
    let unchanged: SiteSettingsView = edge.agent_get(&ben, path).json();
    assert_eq!(
        unchanged.settings,
        shared::site::SiteSettings::default(),
        "nothing saved"
    );

    let saved = edge.agent_post_json(&anna, path, good);
    assert_eq!(saved.status, 200, "{}", saved.body);
    let view: SiteSettingsView = edge.agent_get(&ben, path).json();
    assert_eq!(view.effective.handoff.claim_timeout_s, 60);
    assert_eq!(
        view.effective.branding.assistant_name.as_deref(),
        Some("Setty")
    );

    // The frame: the new origin may embed it, and the look is in the page,
    // escaped.
    let (csp, html) = frame(edge, "setup");
    assert!(
        csp.contains("frame-ancestors 'self' https://shop.example"),
        "{csp}"
    );
    assert!(
        html.contains(r##"<meta name="chat-palette" content="#0b5d3b #ffffff #0b5d3b #ffffff">"##),
        "{html}"
    );
    assert!(
        html.contains(r#"<meta name="chat-greeting" content="Hi &quot;friend&quot; &lt;b&gt;">"#),
        "{html}"
    );
    assert!(!html.contains("<b>"), "no markup from a setting");

    // New conversations wait for the new team; one started before keeps
    // the config of its start.
    let after = edge.new_visitor_on("setup");
    assert_eq!(waits_for(edge, &after).await.as_deref(), Some("Helpdesk"));
    assert_eq!(waits_for(edge, &before).await.as_deref(), Some("Support"));
    let teams: Vec<shared::team::Team> = edge
        .agent_get(&ben, "/api/v1/agent/sites/setup/teams")
        .json();
    assert_eq!(teams.len(), 1);
    assert_eq!(teams[0].id, "helpdesk");
}

#[tokio::test]
async fn an_admin_edits_the_knowledge_base_text_and_new_conversations_answer_from_it() {
    use shared::protocol::{Author, ClientFrame, EventBody, ServerFrame};
    let edge = Edge::shared();
    let anna = edge.anna();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let path = "/api/v1/agent/sites/setup/faq/text";
    let kb = r#"[[entry]]
id = "parcel-lockers"
question = "Do you have parcel lockers?"
phrasings = ["Can I pick up my bike parts from a locker?"]
answer = "Yes: the lockers by the door open around the clock."
"#;
    let body = serde_json::json!({ "toml": kb }).to_string();

    let not_admin = edge.agent_post_json(&ben, path, &body);
    assert_eq!(
        (not_admin.status, not_admin.code().as_str()),
        (403, "admin_only")
    );
    let broken = serde_json::json!({ "toml": "[[entry]]\nid = " }).to_string();
    let refused = edge.agent_post_json(&anna, path, &broken);
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (400, "malformed"),
        "{}",
        refused.body
    );

    let saved = edge.agent_post_json(&anna, path, &body);
    assert_eq!(saved.status, 200, "{}", saved.body);
    let current: serde_json::Value = edge.agent_get(&ben, "/api/v1/agent/sites/setup/faq").json();
    assert_eq!(current["toml"], kb);
    let history: Vec<serde_json::Value> = edge
        .agent_get(&ben, "/api/v1/agent/sites/setup/faq/versions")
        .json();
    assert_eq!(history[0]["change"], "edited the text");
    assert_eq!(history[0]["author"], "Anna");

    let visitor = edge.new_visitor_on("setup");
    let mut socket = edge.connect(&visitor).await;
    tests::send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    tests::send(
        &mut socket,
        &ClientFrame::Send {
            client_id: uuid::Uuid::new_v4(),
            text: "do you have parcel lockers?".into(),
        },
    )
    .await;
    let frames = tests::recv_until(&mut socket, |f| {
        matches!(f, ServerFrame::Event(e) if matches!(&e.body, EventBody::Message(m) if m.author == Author::Ai))
    })
    .await;
    let Some(ServerFrame::Event(answer)) = frames.last() else {
        panic!("an answer: {frames:?}")
    };
    let EventBody::Message(m) = &answer.body else {
        panic!("a message")
    };
    assert_eq!(
        m.text,
        "Yes: the lockers by the door open around the clock."
    );
}

#[tokio::test]
async fn an_admin_tries_a_question_against_the_knowledge_base_or_a_draft_and_nothing_is_stored() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let path = "/api/v1/agent/sites/learn/faq/try";
    let draft = r#"[[entry]]
id = "bike-hire"
question = "Can I hire a bike for a day?"
phrasings = ["do you rent bikes by the day"]
answer = "Yes: 25 euros a day."
"#;
    let tried = edge.agent_post_json(
        &anna,
        path,
        &serde_json::json!({"question": "can i rent a bike for the day", "language": "en", "toml": draft})
            .to_string(),
    );
    assert_eq!(tried.status, 200, "{}", tried.body);
    let trial: shared::protocol::Trial = tried.json();
    assert_eq!(trial.entry_id.as_deref(), Some("bike-hire"), "{trial:?}");
    assert_eq!(trial.message.text, "Yes: 25 euros a day.");
    assert_eq!(trial.candidates[0].entry_id, "bike-hire");
    assert_eq!(trial.hand_over, None);

    // The same against the saved knowledge base, which has no such entry:
    // the draft was not stored.
    let saved = edge.agent_post_json(
        &anna,
        path,
        r#"{"question": "can i rent a bike for the day", "language": "en"}"#,
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved: shared::protocol::Trial = saved.json();
    assert!(
        saved.candidates.iter().all(|c| c.entry_id != "bike-hire"),
        "{saved:?}"
    );

    // A visitor who asks for a person is handed over, with the reason.
    let person = edge.agent_post_json(
        &anna,
        path,
        r#"{"question": "Ich möchte bitte mit einem Menschen sprechen", "language": "de"}"#,
    );
    let person: shared::protocol::Trial = person.json();
    assert!(person.hand_over.is_some(), "{person:?}");

    // Refusals: another language, a broken draft, an agent who is no admin.
    for (body, code) in [
        (r#"{"question": "hi", "language": "fr"}"#, "malformed"),
        (
            r#"{"question": "hi", "language": "en", "toml": "[[entry]]\nid = "}"#,
            "malformed",
        ),
        (r#"{"question": "  ", "language": "en"}"#, "empty_message"),
    ] {
        let refused = edge.agent_post_json(&anna, path, body);
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert_eq!(refused.code(), code, "{body}: {}", refused.body);
    }
    let cleo = edge.cleo();
    let not_admin = edge.agent_post_json(&cleo, path, r#"{"question": "hi", "language": "en"}"#);
    assert_eq!(not_admin.status, 403, "{}", not_admin.body);
}

/// Inbox frames until a change names `id` (in `presence` or `gone`); the
/// frame is returned whole.
async fn change_naming(socket: &mut tests::Socket, id: &str) -> InboxFrame {
    loop {
        let frame = tests::recv_inbox(socket).await;
        if let InboxFrame::Changed { presence, gone, .. } = &frame {
            if presence.iter().any(|a| a.id == id) || gone.iter().any(|g| g == id) {
                return frame;
            }
        }
    }
}

#[tokio::test]
async fn a_watching_agent_is_told_only_who_came_went_away_or_left_not_the_whole_list() {
    let edge = Edge::shared();
    let dora = edge.added_agent("Dora");
    let cleo = edge.added_agent("Cleo");
    let (dora_id, cleo_id) = (dora.session.agent.id.clone(), cleo.session.agent.id.clone());
    let mut watching = edge
        .agent_socket(&dora, "/api/v1/agent/sites/demo/inbox")
        .await;
    let mut view = tests::QueueView::default();
    view.apply(tests::recv_inbox(&mut watching).await);
    // Dora's own arrival goes out first, so it is not batched with Cleo's.
    view.apply(change_naming(&mut watching, &dora_id).await);

    let only_cleo = |frame: &InboxFrame| match frame {
        InboxFrame::Changed { presence, gone, .. } => {
            presence.iter().all(|a| a.id != dora_id) && gone.iter().all(|g| *g != dora_id)
        }
        _ => false,
    };
    let mut other = edge
        .agent_socket(&cleo, "/api/v1/agent/sites/demo/inbox")
        .await;
    let came = change_naming(&mut watching, &cleo_id).await;
    assert!(only_cleo(&came), "Dora did not change: {came:?}");
    view.apply(came);
    assert!(view
        .agents
        .iter()
        .any(|a| a.id == cleo_id && a.status == PresenceStatus::Online));

    tests::send_raw(
        &mut other,
        &serde_json::to_string(&InboxClientFrame::Presence {
            status: PresenceStatus::Away,
        })
        .expect("json"),
    )
    .await;
    let away = change_naming(&mut watching, &cleo_id).await;
    assert!(only_cleo(&away), "{away:?}");
    view.apply(away);
    assert!(view
        .agents
        .iter()
        .any(|a| a.id == cleo_id && a.status == PresenceStatus::Away));

    other.close(None).await.expect("close");
    let left = change_naming(&mut watching, &cleo_id).await;
    assert!(
        only_cleo(&left)
            && matches!(&left, InboxFrame::Changed { gone, .. } if gone.contains(&cleo_id)),
        "{left:?}"
    );
    view.apply(left);
    // What the desk pieced together is what the inbox has.
    let InboxFrame::Queue { agents, .. } = edge
        .agent_get(&dora, "/api/v1/agent/sites/demo/queue")
        .json()
    else {
        panic!("a snapshot")
    };
    let mine = |list: &[AgentPresence]| -> Vec<AgentPresence> {
        list.iter()
            .filter(|a| a.id == dora_id || a.id == cleo_id)
            .cloned()
            .collect()
    };
    assert_eq!(mine(&view.agents), mine(&agents));
    assert!(mine(&agents).iter().all(|a| a.id == dora_id));
}
