//! Faults: the local server killed with `kill -9` mid-conversation and
//! started again on the same persisted state.

use fantoccini::Locator;
use shared::protocol::{ClientFrame, ServerFrame};
use tests::{browser, eventually, messages, open_chat, recv, recv_until, send, text_when, Edge};
use uuid::Uuid;

/// `(seq, text)` of every stored message shown.
async fn texts(client: &fantoccini::Client) -> Vec<(u64, String)> {
    messages(client)
        .await
        .into_iter()
        .map(|m| (m.0, m.3))
        .collect()
}

#[tokio::test]
async fn a_message_typed_while_the_edge_is_down_is_delivered_once_after_it_returns() {
    let mut edge = Edge::start();
    let client = browser(1280, 900).await;
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo page");
    let input = open_chat(&client).await;
    input.send_keys("where can I park\n").await.expect("type");
    eventually(20, "the first exchange", || async {
        (texts(&client).await.len() == 2).then_some(())
    })
    .await;

    edge.kill();
    eventually(20, "the widget noticing the connection is gone", || async {
        let status = client
            .find(Locator::Css(".link-status"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (!status.is_empty()).then_some(())
    })
    .await;
    input
        .send_keys("do you repair e-bikes\n")
        .await
        .expect("type while down");
    let pending = text_when(
        &client,
        ".msg-pending .msg-status",
        10,
        "the message waiting in the outbox",
    )
    .await;
    assert_eq!(pending, "Sending…");
    // No ack in time: the visitor is told it is not sent yet, with a retry;
    // it stays in the outbox either way.
    let unconfirmed = eventually(30, "the message shown as not sent yet", || async {
        let status = client
            .find(Locator::Css(".msg-pending .msg-status"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        status.starts_with("Not sent yet").then_some(status)
    })
    .await;
    assert_eq!(
        unconfirmed,
        "Not sent yet. It goes out when the connection is back."
    );
    let retry = client
        .find(Locator::Css(".msg-pending button[data-retry]"))
        .await
        .expect("a retry button");
    assert_eq!(retry.text().await.expect("retry text"), "Retry");

    edge.restart();
    let shown = eventually(
        90,
        "the outbox delivered and answered after the restart",
        || async {
            let m = texts(&client).await;
            (m.len() >= 4).then_some(m)
        },
    )
    .await;
    let seqs: Vec<u64> = shown.iter().map(|m| m.0).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4], "contiguous, each once: {shown:?}");
    assert_eq!(shown[2].1, "do you repair e-bikes");
    assert!(client
        .find_all(Locator::Css(".msg-pending"))
        .await
        .expect("pending")
        .is_empty());
    client.close().await.ok();
}

#[tokio::test]
async fn acknowledged_messages_survive_a_kill_and_a_resend_after_it_is_not_stored_twice() {
    let mut edge = Edge::start();
    let visitor = edge.new_visitor();
    let mut socket = edge.connect(&visitor).await;
    send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    recv(&mut socket).await;
    let id = Uuid::new_v4();
    let frame = ClientFrame::Send {
        client_id: id,
        text: "Is my bike ready?".into(),
    };
    send(&mut socket, &frame).await;
    recv_until(&mut socket, |f| matches!(f, ServerFrame::Ack { .. })).await;

    edge.restart();
    // The client never saw the answer and resends, as after a lost ack.
    let mut socket = edge.connect(&visitor).await;
    send(&mut socket, &frame).await;
    let ack = recv_until(&mut socket, |f| matches!(f, ServerFrame::Ack { .. })).await;
    assert_eq!(
        ack.last(),
        Some(&ServerFrame::Ack {
            client_id: id,
            seq: 1
        }),
        "the stored message kept its number"
    );
    send(&mut socket, &ClientFrame::Resume { last_seq: 0 }).await;
    let replay = recv_until(
        &mut socket,
        |f| matches!(f, ServerFrame::Event(e) if e.seq == 2),
    )
    .await;
    let seqs: Vec<u64> = replay
        .iter()
        .filter_map(|f| {
            if let ServerFrame::Event(e) = f {
                Some(e.seq)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(seqs, vec![1, 2]);
}
