//! What agents do with a conversation they have: internal notes, transfers
//! to a team or a colleague, FAQ suggestions and answers turned into FAQ
//! entries, against the real edge.

use shared::handoff::HandoffView;
use shared::protocol::{Author, ClientFrame, ConversationState, ErrorCode, EventBody, ServerFrame};
use tests::{
    conversation_on, event_where, frames_before_barrier, is_state, next_error, post, recv, say,
    send, Edge,
};
use uuid::Uuid;

#[tokio::test]
async fn internal_notes_reach_agents_only_and_never_the_visitor() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, mut v) = conversation_on(edge, "desk", "en").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let path = format!("/api/v1/agent/conversations/{}/ws", visitor.conversation_id);
    let mut a = edge.agent_socket(&anna, &path).await;
    send(&mut a, &ClientFrame::Resume { last_seq: 0 }).await;
    let secret_note = "Regular customer; offer the loyalty discount";
    send(
        &mut a,
        &ClientFrame::Note {
            client_id: Uuid::new_v4(),
            text: secret_note.into(),
        },
    )
    .await;
    loop {
        if let ServerFrame::Note(n) = recv(&mut a).await {
            assert_eq!((n.author.as_str(), n.text.as_str()), ("Anna", secret_note));
            break;
        }
    }
    // A second agent socket gets it on resume; the visitor never does.
    let mut b = edge.agent_socket(&anna, &path).await;
    send(&mut b, &ClientFrame::Resume { last_seq: 0 }).await;
    loop {
        if let ServerFrame::Note(n) = recv(&mut b).await {
            assert_eq!(n.text, secret_note);
            break;
        }
    }
    send(&mut v, &ClientFrame::Resume { last_seq: 0 }).await;
    for frame in frames_before_barrier(&mut v).await {
        let json = serde_json::to_string(&frame).expect("json");
        assert!(
            !json.contains("loyalty"),
            "a note reached the visitor: {json}"
        );
    }
    send(
        &mut v,
        &ClientFrame::Note {
            client_id: Uuid::new_v4(),
            text: "I am an agent".into(),
        },
    )
    .await;
    assert_eq!(
        next_error(&mut v).await.0,
        ErrorCode::WrongState,
        "a visitor cannot write notes"
    );
}

#[tokio::test]
async fn an_agent_transfers_to_another_team_and_gets_faq_suggestions_for_the_last_question() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let ben = edge.login("ben@example.test", "ben-test-password");
    let (visitor, mut v) = conversation_on(edge, "demo", "en").await;
    say(&mut v, "how much is a puncture repair?").await;
    event_where(
        &mut v,
        |b| matches!(b, EventBody::Message(m) if m.author == Author::Ai),
    )
    .await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let id = &visitor.conversation_id;

    let suggested: Vec<shared::protocol::SuggestedReply> = edge
        .agent_get(
            &anna,
            &format!("/api/v1/agent/conversations/{id}/suggestions"),
        )
        .json();
    assert_eq!(
        suggested.first().map(|s| s.entry_id.as_str()),
        Some("puncture-repair"),
        "{suggested:?}"
    );
    assert!(suggested[0].answer.contains("€15"));

    assert_eq!(
        edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/claim"))
            .status,
        204
    );
    let path = format!("/api/v1/agent/conversations/{id}/transfer");
    let unknown = edge.agent_post_json(&anna, &path, r#"{"team":"nope"}"#);
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "not_found"),
        "{}",
        unknown.body
    );
    let moved = edge.agent_post_json(&anna, &path, r#"{"team":"billing"}"#);
    assert_eq!(moved.status, 204, "{}", moved.body);
    let waiting = event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    assert!(
        matches!(waiting.body, EventBody::State { team: Some(ref t), .. } if t == "Billing"),
        "{waiting:?}"
    );
    let view: HandoffView = edge
        .agent_get(&ben, &format!("/api/v1/agent/conversations/{id}"))
        .json();
    assert_eq!(view.packet.team, "billing");
    assert!(
        view.packet
            .reasons
            .iter()
            .any(|r| r == "transferred by Anna to Billing"),
        "{:?}",
        view.packet.reasons
    );
    assert_eq!(
        edge.agent_post(&ben, &format!("/api/v1/agent/conversations/{id}/claim"))
            .status,
        204,
        "billing claims it"
    );
}

#[tokio::test]
async fn an_agents_answer_turned_into_an_faq_entry_answers_the_next_visitor() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let question = "Do you rent out tandem bicycles for the weekend?";
    let answer = "Yes: a tandem is €60 for the weekend. Book at https://spoke.example/book.";

    // Before: the AI is not sure. (Its own site, so no other test meets the entry.)
    let (_, mut v) = conversation_on(edge, "learn", "en").await;
    say(&mut v, question).await;
    let before = event_where(
        &mut v,
        |b| matches!(b, EventBody::Message(m) if m.author == Author::Ai),
    )
    .await;
    assert!(
        matches!(before.body, EventBody::Message(ref m) if m.source.is_none()),
        "{before:?}"
    );

    let url = format!("{}/api/v1/agent/sites/learn/faq", edge.base());
    let body =
        serde_json::json!({ "question": question, "answer": answer, "phrasings": ["tandem hire"] })
            .to_string();
    let no_csrf = post(&url, &body, &[("cookie", anna.cookie.as_str())]);
    assert_eq!(no_csrf.status, 403);
    let added = edge.agent_post_json(&anna, "/api/v1/agent/sites/learn/faq", &body);
    assert_eq!(added.status, 201, "{}", added.body);
    let added: serde_json::Value = added.json();
    let id = added["entry_id"].as_str().expect("entry id").to_string();
    let broken = serde_json::json!({ "question": "Why?", "answer": " " }).to_string();
    let refused = edge.agent_post_json(&anna, "/api/v1/agent/sites/learn/faq", &broken);
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (400, "malformed"),
        "{}",
        refused.body
    );

    // A new visitor asking the same gets the new answer from the AI.
    let (_, mut w) = conversation_on(edge, "learn", "en").await;
    say(&mut w, "do you rent out tandem bicycles for the weekend").await;
    let after = event_where(
        &mut w,
        |b| matches!(b, EventBody::Message(m) if m.author == Author::Ai),
    )
    .await;
    let EventBody::Message(m) = after.body else {
        unreachable!()
    };
    assert_eq!(m.source.map(|s| s.entry_id), Some(id.clone()));
    assert_eq!(m.text, answer);

    let history: Vec<serde_json::Value> = edge
        .agent_get(&anna, "/api/v1/agent/sites/learn/faq/versions")
        .json();
    assert_eq!(history[0]["author"], "Anna");
    assert_eq!(history[0]["change"], format!("added entry {id}"));
    assert_eq!(
        history.last().expect("first version")["change"],
        "the bundled file"
    );
}

#[tokio::test]
async fn an_agent_transfers_to_a_named_colleague_who_takes_over_at_once() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let cleo = edge.cleo();
    let (visitor, mut v) = conversation_on(edge, "demo", "en").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let id = &visitor.conversation_id;
    let path = format!("/api/v1/agent/conversations/{id}/transfer");

    let both = edge.agent_post_json(&cleo, &path, r#"{"team":"billing","agent":"x"}"#);
    assert_eq!((both.status, both.code().as_str()), (400, "malformed"));
    let nobody = edge.agent_post_json(&cleo, &path, r#"{"agent":"no-such-agent"}"#);
    assert_eq!(
        (nobody.status, nobody.code().as_str()),
        (404, "not_found"),
        "{}",
        nobody.body
    );

    assert_eq!(
        edge.agent_post(&cleo, &format!("/api/v1/agent/conversations/{id}/claim"))
            .status,
        204
    );
    event_where(&mut v, |b| is_state(b, ConversationState::WithPerson)).await;
    let to_anna = format!(r#"{{"agent":"{}"}}"#, anna.session.agent.id);
    let moved = edge.agent_post_json(&cleo, &path, &to_anna);
    assert_eq!(moved.status, 204, "{}", moved.body);

    // The visitor is told who is here now.
    let joined = event_where(&mut v, |b| is_state(b, ConversationState::WithPerson)).await;
    assert!(
        matches!(joined.body, EventBody::State { agent: Some(ref a), .. } if a == "Anna"),
        "{joined:?}"
    );
    // Cleo no longer has it; Anna does, with the reason in the packet.
    let again = edge.agent_post_json(&cleo, &path, &to_anna);
    assert_eq!(
        (again.status, again.code().as_str()),
        (409, "already_claimed"),
        "{}",
        again.body
    );
    let view: HandoffView = edge
        .agent_get(&anna, &format!("/api/v1/agent/conversations/{id}"))
        .json();
    assert!(
        view.packet
            .reasons
            .iter()
            .any(|r| r == "transferred by Cleo to Anna"),
        "{:?}",
        view.packet.reasons
    );
    // The inbox learns of a transfer a moment after the conversation stored it.
    let mine = tests::eventually(5, "the conversation in Anna's list", || async {
        let mine: Vec<shared::protocol::ConversationRef> = edge
            .agent_get(&anna, "/api/v1/agent/sites/demo/mine")
            .json();
        mine.iter()
            .any(|c| &c.conversation_id == id)
            .then_some(mine)
    })
    .await;
    assert!(mine.iter().any(|c| &c.conversation_id == id));
    let to_self = edge.agent_post_json(&anna, &path, &to_anna);
    assert_eq!(to_self.code().as_str(), "wrong_state", "{}", to_self.body);
}
