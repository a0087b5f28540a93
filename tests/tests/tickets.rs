//! When nobody can answer live: the question a visitor leaves reaches the
//! tickets of its team (and no other), an agent takes it and answers, and
//! the answer waits in the conversation for the visitor's return; the
//! metrics count the demand nobody met live.

use shared::metrics::DayMetrics;
use shared::protocol::{
    Author, ClientFrame, ContactReason, ErrorCode, EventBody, InboxFrame, ServerFrame, TicketItem,
    TicketStatus,
};
use tests::Edge;
use tests::{conversation_on, event_where, recv_inbox, send, try_recv};

fn ticket_of(list: &[TicketItem], id: &str) -> Option<TicketItem> {
    list.iter().find(|t| t.conversation_id == id).cloned()
}

#[tokio::test]
async fn a_question_left_outside_hours_is_answered_from_the_tickets_and_waits_in_the_chat() {
    let edge = Edge::shared();
    let (anna, cleo) = (edge.anna(), edge.cleo());
    let ben = edge.login("ben@example.test", "ben-test-password");
    let mut inbox = edge
        .agent_socket(&cleo, "/api/v1/agent/sites/after/inbox")
        .await;
    assert!(matches!(
        recv_inbox(&mut inbox).await,
        InboxFrame::Queue { .. }
    ));

    // Outside hours: offered, and the question left.
    let (visitor, mut v) = conversation_on(edge, "after", "en").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    let offer = event_where(&mut v, |b| matches!(b, EventBody::ContactOffer { .. })).await;
    assert!(matches!(
        offer.body,
        EventBody::ContactOffer {
            reason: ContactReason::OutsideHours,
            ..
        }
    ));
    let contact = ClientFrame::LeaveContact {
        email: "sam@example.test".into(),
        question: "Can you true a wheel by Friday?".into(),
    };
    send(&mut v, &contact).await;
    event_where(&mut v, |b| matches!(b, EventBody::Contact { .. })).await;
    let id = visitor.conversation_id.clone();

    // The team is told, and the ticket is in its list with the packet.
    loop {
        if let InboxFrame::Ticket {
            conversation_id,
            team,
        } = recv_inbox(&mut inbox).await
        {
            assert_eq!(
                (conversation_id.as_str(), team.as_str()),
                (id.as_str(), "support")
            );
            break;
        }
    }
    let tickets = "/api/v1/agent/sites/after/tickets";
    let list: Vec<TicketItem> = edge.agent_get(&cleo, tickets).json();
    let ticket = ticket_of(&list, &id).expect("in Cleo's tickets");
    assert_eq!(ticket.status, TicketStatus::Open);
    assert_eq!(ticket.email, "sam@example.test");
    assert_eq!(ticket.question, "Can you true a wheel by Friday?");
    let view = edge.agent_get(&cleo, &format!("/api/v1/agent/conversations/{id}"));
    assert_eq!(view.status, 200, "{}", view.body);
    assert!(view.body.contains("\"team\":\"support\""), "{}", view.body);

    // Ben (billing) sees none of it, and can do nothing with it.
    let bens: Vec<TicketItem> = edge.agent_get(&ben, tickets).json();
    assert!(ticket_of(&bens, &id).is_none(), "{bens:?}");
    let take = format!("/api/v1/agent/conversations/{id}/take-question");
    assert_eq!(edge.agent_post(&ben, &take).status, 404);
    let reply = format!("/api/v1/agent/conversations/{id}/reply");
    let answer = r#"{"text": "Yes: <b>bring it</b> on Thursday."}"#;
    assert_eq!(edge.agent_post_json(&ben, &reply, answer).status, 404);

    // Cleo takes it; a colleague's answer is refused; an empty one too.
    assert_eq!(edge.agent_post(&cleo, &take).status, 200);
    let taken = edge.agent_post_json(&anna, &reply, answer);
    assert_eq!(taken.error(), ErrorCode::AlreadyClaimed, "{}", taken.body);
    assert!(taken.body.contains("Cleo is answering"), "{}", taken.body);
    let empty = edge.agent_post_json(&cleo, &reply, r#"{"text": "  "}"#);
    assert_eq!(empty.error(), ErrorCode::EmptyMessage, "{}", empty.body);

    // Her answer reaches the open chat as text from a person…
    let sent = edge.agent_post_json(&cleo, &reply, answer);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let shown = event_where(&mut v, |b| matches!(b, EventBody::Message(_))).await;
    let EventBody::Message(m) = shown.body else {
        unreachable!()
    };
    assert_eq!(
        m.author,
        Author::Agent {
            name: "Cleo".into()
        }
    );
    assert_eq!(m.text, "Yes: <b>bring it</b> on Thursday.");

    // …and waits for the visitor who comes back later.
    drop(v);
    let mut again = edge.connect(&visitor).await;
    send(&mut again, &ClientFrame::Resume { last_seq: 0 }).await;
    let mut waiting = false;
    while let Some(frame) = try_recv(&mut again, std::time::Duration::from_secs(5)).await {
        match frame {
            ServerFrame::Event(e) if e.seq == shown.seq => {
                waiting = matches!(e.body, EventBody::Message(ref x) if x.author == m.author);
                break;
            }
            _ => {}
        }
    }
    assert!(waiting, "the answer is in the conversation on return");

    let list: Vec<TicketItem> = edge.agent_get(&cleo, tickets).json();
    let answered = ticket_of(&list, &id).expect("still listed");
    assert_eq!(answered.status, TicketStatus::Answered);
    assert_eq!(answered.agent_name.as_deref(), Some("Cleo"));
    assert!(answered.answered_ms.is_some());

    // The metrics show the demand nobody met live, and its answer.
    let days: Vec<DayMetrics> = edge
        .agent_get(&cleo, "/api/v1/agent/sites/after/metrics")
        .json();
    let today = &days.first().expect("today").all;
    assert_eq!(today.asked_outside_hours, 1, "{today:?}");
    assert_eq!((today.tickets, today.tickets_answered), (1, 1), "{today:?}");
    assert!(today.ticket_answer_median_ms.is_some(), "{today:?}");
    assert_eq!(today.escalations, 0, "nobody was handed over live");

    // Closed, it leaves the open ones.
    let close = format!("/api/v1/agent/conversations/{id}/close-question");
    assert_eq!(edge.agent_post(&cleo, &close).status, 200);
    let list: Vec<TicketItem> = edge.agent_get(&cleo, tickets).json();
    assert_eq!(
        ticket_of(&list, &id).map(|t| t.status),
        Some(TicketStatus::Closed)
    );

    // Erased with its conversation: the address and question go too.
    let export = edge.agent_get(&cleo, &format!("/api/v1/agent/conversations/{id}/export"));
    assert!(export.body.contains("sam@example.test"), "in the export");
    assert_eq!(
        edge.agent_delete(&cleo, &format!("/api/v1/agent/conversations/{id}")),
        204
    );
    let list: Vec<TicketItem> = edge.agent_get(&anna, tickets).json();
    assert!(ticket_of(&list, &id).is_none(), "{list:?}");
}

#[tokio::test]
async fn an_answer_needs_a_question_left_for_the_team() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, _v) = conversation_on(edge, "demo", "en").await;
    let id = &visitor.conversation_id;
    let reply = edge.agent_post_json(
        &anna,
        &format!("/api/v1/agent/conversations/{id}/reply"),
        r#"{"text": "hello"}"#,
    );
    assert_eq!(reply.error(), ErrorCode::WrongState, "{}", reply.body);
    let take = edge.agent_post(
        &anna,
        &format!("/api/v1/agent/sites/demo/tickets/{id}/take"),
    );
    assert_eq!(take.status, 404, "{}", take.body);
}
