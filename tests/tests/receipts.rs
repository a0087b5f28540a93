//! Read receipts against the real edge: the visitor's "seen" comes only
//! from the person who has the conversation, never moves back, and is
//! there again after a reconnect.

use shared::protocol::{ClientFrame, ConversationState, ErrorCode, ServerFrame};
use tests::{conversation_on, event_where, frames_before_barrier, is_state, recv, say, send, Edge};

fn seen_in(frames: &[ServerFrame]) -> Vec<u64> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Seen { seq } => Some(*seq),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn only_the_person_who_has_the_conversation_marks_the_visitors_messages_seen() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, mut v) = conversation_on(edge, "demo", "en").await;
    say(&mut v, "Is my bike ready?").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    let id = &visitor.conversation_id;
    let mut a = edge
        .agent_socket(&anna, &format!("/api/v1/agent/conversations/{id}/ws"))
        .await;

    // Looking at the conversation before claiming it marks nothing: the
    // agent's barrier proves the receipt was handled, the visitor's that
    // anything it caused has arrived.
    send(&mut a, &ClientFrame::Read { seq: 99 }).await;
    frames_before_barrier(&mut a).await;
    assert_eq!(
        seen_in(&frames_before_barrier(&mut v).await),
        Vec::<u64>::new()
    );

    // A visitor cannot send one.
    send(&mut v, &ClientFrame::Read { seq: 1 }).await;
    let refused = frames_before_barrier(&mut v).await;
    assert!(
        refused.iter().any(|f| matches!(
            f,
            ServerFrame::Error {
                code: ErrorCode::WrongState,
                ..
            }
        )),
        "{refused:?}"
    );

    // Claimed: the person's receipt reaches the visitor, held to what exists.
    let claim = edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/claim"));
    assert_eq!(claim.status, 204, "{}", claim.body);
    let joined = event_where(&mut v, |b| is_state(b, ConversationState::WithPerson)).await;
    send(&mut a, &ClientFrame::Read { seq: 10_000 }).await;
    let seen = loop {
        if let ServerFrame::Seen { seq } = recv(&mut v).await {
            break seq;
        }
    };
    assert_eq!(seen, joined.seq, "up to the newest event, not beyond");

    // An older or equal receipt changes nothing.
    send(&mut a, &ClientFrame::Read { seq: 1 }).await;
    send(&mut a, &ClientFrame::Read { seq: joined.seq }).await;
    frames_before_barrier(&mut a).await;
    assert_eq!(
        seen_in(&frames_before_barrier(&mut v).await),
        Vec::<u64>::new()
    );

    // A visitor who comes back is told after the replay.
    let mut again = edge.connect(&visitor).await;
    send(&mut again, &ClientFrame::Resume { last_seq: 0 }).await;
    assert_eq!(
        seen_in(&frames_before_barrier(&mut again).await),
        vec![joined.seq]
    );
}
