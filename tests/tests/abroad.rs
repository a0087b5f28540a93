//! Visitors abroad and on phones, in real headless Chromium: the page's
//! language reaches every word of the widget (labels, answers, times, the
//! "not sure" answer), and on a phone the chat fills the screen.

use fantoccini::{Client, Locator};
use tests::{
    browser, eventually, finish, launcher, messages, open_chat, screenshot, send_message, texts,
    Edge,
};

#[tokio::test]
async fn the_widget_speaks_the_pages_language() {
    let edge = Edge::shared();
    let client = browser(1280, 900).await;
    client
        .goto(&format!("{}/demo/de/", edge.base()))
        .await
        .expect("German demo page");
    assert_eq!(
        launcher(&client).await.text().await.expect("label"),
        "Chat starten"
    );
    open_chat(&client).await;
    let label = eventually(20, "the header label", || async {
        client.find(Locator::Css(".ai-label")).await.ok()
    })
    .await;
    assert_eq!(label.text().await.expect("text"), "KI-Assistent");
    let disclosure = client
        .find(Locator::Css(".disclosure"))
        .await
        .expect("disclosure")
        .text()
        .await
        .expect("text");
    assert!(
        disclosure.starts_with("Sie chatten mit Sprocket, einem KI-Assistenten."),
        "{disclosure}"
    );
    let lang = client
        .execute("return document.documentElement.lang", vec![])
        .await
        .expect("lang");
    assert_eq!(lang, serde_json::json!("de"));

    let input = client
        .find(Locator::Css("#chat-input"))
        .await
        .expect("input");
    input.send_keys("Bist du ein Bot?\n").await.expect("type");
    let shown = eventually(20, "the fixed answer with the KI badge", || async {
        let m = messages(&client).await;
        m.into_iter().find(|m| m.1.contains("msg-ai"))
    })
    .await;
    assert_eq!(shown.2, "KI");
    assert_eq!(texts(&client, ".msg-ai time.msg-time").await, vec!["jetzt"]);
    assert!(
        shown
            .3
            .starts_with("Ich bin ein KI-Assistent, kein Mensch."),
        "{}",
        shown.3
    );
    finish(client, &[]).await;
}

#[tokio::test]
async fn on_a_phone_the_chat_fills_the_screen() {
    let edge = Edge::shared();
    let client = browser(375, 740).await;
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo page");
    screenshot(&client, "widget-closed-phone").await;
    open_chat(&client).await;
    let greeting = client
        .find(Locator::Css(".msg-greeting .msg-text"))
        .await
        .expect("greeting")
        .text()
        .await
        .expect("text");
    assert_eq!(
        greeting,
        "Hi! Ask me about repairs, prices or opening hours."
    );
    client.enter_parent_frame().await.expect("page");
    let rect = client
        .execute(
            "const f = document.querySelector('#chat-widget').shadowRoot.querySelector('iframe[title=Chat]').getBoundingClientRect();
             return [f.left, f.top, f.width, f.height, innerWidth, innerHeight];",
            vec![],
        )
        .await
        .expect("rect");
    let v: Vec<f64> = serde_json::from_value(rect).expect("numbers");
    assert_eq!((v[0], v[1]), (0.0, 0.0), "{v:?}");
    assert!(
        (v[2] - v[4]).abs() < 1.0 && (v[3] - v[5]).abs() < 1.0,
        "full screen: {v:?}"
    );
    screenshot(&client, "widget-open-phone").await;
    finish(client, &[]).await;
}

/// The AI's latest answer (badge, text) once one is shown after `before`
/// messages.
async fn ai_answer_after(client: &Client, before: usize) -> (String, String) {
    eventually(20, "the AI's answer", || async {
        let m = messages(client).await;
        (m.len() > before)
            .then(|| m.into_iter().rev().find(|m| m.1.contains("msg-ai")))
            .flatten()
            .map(|m| (m.2, m.3))
    })
    .await
}

#[tokio::test]
async fn a_german_visitor_on_a_phone_reads_the_answer_its_source_and_its_time_in_german() {
    let edge = Edge::shared();
    let client = browser(390, 844).await;
    client
        .goto(&format!("{}/demo/de/", edge.base()))
        .await
        .expect("German demo page");
    let input = open_chat(&client).await;
    send_message(&client, &input, "Habt ihr samstags offen?").await;
    let (badge, text) = ai_answer_after(&client, 1).await;
    assert_eq!(badge, "KI");
    assert!(text.starts_with("Wir haben Montag bis Freitag"), "{text}");
    assert_eq!(
        texts(&client, ".msg-ai .msg-source").await,
        vec!["Quelle: Wann haben Sie geöffnet? (127.0.0.1)"]
    );
    assert_eq!(texts(&client, ".msg-ai time").await, vec!["jetzt"]);
    assert_eq!(
        texts(&client, ".person-button").await,
        vec!["Mit einem Menschen sprechen"]
    );
    screenshot(&client, "widget-phone-de").await;
    assert_eq!(tests::axe_violations(&client).await, Vec::<String>::new());
    finish(client, &[]).await;
}

#[tokio::test]
async fn a_spanish_visitor_on_a_phone_gets_the_not_sure_answer_in_spanish() {
    let edge = Edge::shared();
    let client = browser(390, 844).await;
    client
        .goto(&format!("{}/demo/", edge.base()))
        .await
        .expect("demo page");
    launcher(&client).await;
    client
        .execute("Chat('setLocale', 'es')", vec![])
        .await
        .expect("setLocale");
    let input = open_chat(&client).await;
    // The page's tag greets in Spanish too (data-greeting-es).
    assert_eq!(
        texts(&client, ".msg-greeting .msg-text").await,
        vec!["¡Hola! Pregúntame por reparaciones, precios u horarios."]
    );
    send_message(&client, &input, "¿Vendéis neumáticos para tractores?").await;
    let (badge, text) = ai_answer_after(&client, 1).await;
    assert_eq!(badge, "IA");
    assert!(
        text.starts_with("No estoy seguro de poder responder"),
        "in Spanish, not English: {text}"
    );
    assert_eq!(texts(&client, ".msg-ai .choice").await.len(), 3, "choices");
    assert_eq!(texts(&client, ".msg-ai time").await, vec!["ahora"]);
    screenshot(&client, "widget-phone-es").await;
    finish(client, &[]).await;
}
