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

#[tokio::test]
async fn a_saved_knowledge_base_is_indexed_in_each_language_and_answers_from_it_after_a_restart() {
    let mut edge = Edge::start();
    let text = r#"[settings]
languages = ["en", "de", "es"]

[[entry]]
id = "cargo-bikes"
question = "Do you service cargo bikes?"
phrasings = ["Can you fix my cargo bike?", "Do you repair longtails?"]
answer = "Yes: cargo bikes and trikes, by appointment."

[entry.de]
question = "Wartet ihr Lastenräder?"
phrasings = ["Repariert ihr Lastenräder?"]
answer = "Ja: Lastenräder und Dreiräder, nach Termin."

[entry.es]
question = "¿Reparan bicicletas de carga?"
phrasings = ["¿Arreglan bicis de carga?"]
answer = "Sí: bicicletas de carga y triciclos, con cita."

[[entry]]
id = "parking"
question = "Where can I park?"
phrasings = ["Is there parking near the shop?"]
answer = "Free parking behind the shop."

[entry.de]
question = "Wo kann ich parken?"
answer = "Kostenlose Parkplätze hinter dem Laden."

[entry.es]
question = "¿Dónde puedo aparcar?"
answer = "Aparcamiento gratuito detrás de la tienda."
"#;
    let saved = edge.agent_post_json(
        &edge.anna(),
        "/api/v1/agent/sites/learn/faq/text",
        &serde_json::json!({ "toml": text }).to_string(),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let version = saved.json::<shared::protocol::KnowledgeSaved>().version;
    let versions = edge.agent_get(&edge.anna(), "/api/v1/agent/sites/learn/faq/versions");
    let versions: Vec<shared::protocol::KnowledgeVersion> = versions.json();
    let newest = versions.first().expect("the saved version");
    assert_eq!(newest.version, version);
    assert_eq!(
        newest.indexed,
        ["de", "en", "es"],
        "indexed in each of its languages when saved, before any visitor asked"
    );
    assert!(
        versions.iter().skip(1).all(|v| v.indexed.is_empty()),
        "versions nobody asked about are not indexed: {versions:?}"
    );

    // New isolates: conversations read the stored index, in each language
    // (the German visitor of an entry without German phrasings included).
    edge.restart();
    for (locale, question, entry, answer) in [
        (
            "en",
            "can you fix my longtail cargo bike",
            "cargo-bikes",
            "Yes: cargo bikes",
        ),
        (
            "de",
            "Repariert ihr auch Lastenräder?",
            "cargo-bikes",
            "Ja: Lastenräder",
        ),
        (
            "es",
            "¿arreglan bicis de carga?",
            "cargo-bikes",
            "Sí: bicicletas de carga",
        ),
        (
            "de",
            "Wo kann ich parken?",
            "parking",
            "Kostenlose Parkplätze",
        ),
    ] {
        let (text, source) = tests::ai_answer_in(&edge, "learn", locale, question).await;
        assert_eq!(
            source.as_deref(),
            Some(entry),
            "{locale} {question}: {text}"
        );
        assert!(text.starts_with(answer), "{locale}: {text}");
    }
}
