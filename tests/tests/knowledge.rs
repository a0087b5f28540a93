//! The knowledge base edited entry by entry in the admin pages, in real
//! headless Chromium: a new entry with its languages side by side, saved as
//! a new version that new conversations answer from; a form loaded before
//! another save is refused rather than applied over it.

use fantoccini::Locator;
use tests::{
    ai_answer_in, axe_violations, click, eventually, finish, log_in_to, screenshot, texts, Edge,
};

#[tokio::test]
async fn an_admin_adds_an_entry_in_its_form_with_languages_side_by_side_and_new_conversations_answer_from_it(
) {
    let edge = Edge::shared();
    let text = r#"[settings]
languages = ["en", "de"]

[[entry]]
id = "opening-hours"
question = "When are you open?"
answer = "Monday to Friday, 8:00 to 18:00."
"#;
    let saved = edge.agent_post_json(
        &edge.anna(),
        "/api/v1/agent/sites/kbform/faq/text",
        &serde_json::json!({ "toml": text }).to_string(),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let agent = log_in_to(edge, "kbform").await;
    agent
        .goto(&format!(
            "{}/agent/admin/?site=kbform#settings",
            edge.base()
        ))
        .await
        .expect("settings");
    eventually(20, "the entry list", || async {
        let list = texts(&agent, ".entry-list .edit-entry").await;
        (list == ["When are you open?"]).then_some(())
    })
    .await;
    click(&agent, ".add-entry").await;
    for (field, value) in [
        ("#entry-id", "cargo-bikes"),
        ("#entry-en-question", "Do you service cargo bikes?"),
        (
            "#entry-en-phrasings",
            "Can you fix my cargo bike?\nDo you repair longtails?",
        ),
        (
            "#entry-en-answer",
            "Yes: cargo bikes and trikes, by appointment.",
        ),
        ("#entry-de-question", "Wartet ihr Lastenräder?"),
        (
            "#entry-de-answer",
            "Ja: Lastenräder und Dreiräder, nach Termin.",
        ),
        ("#entry-tags", "cargo, service"),
    ] {
        let input = agent
            .find(Locator::Css(field))
            .await
            .unwrap_or_else(|_| panic!("{field}"));
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
    }
    screenshot(&agent, "panel-kb-entry-form").await;
    assert_eq!(axe_violations(&agent).await, Vec::<String>::new());
    click(&agent, ".entry-form button[type=submit]").await;
    eventually(20, "saved", || async {
        let status = texts(&agent, ".kb-entries .kb-status").await;
        status
            .first()
            .filter(|s| s.starts_with("Saved as version 3"))
            .map(|_| ())
    })
    .await;
    eventually(20, "the new entry listed", || async {
        let list = texts(&agent, ".entry-list .edit-entry").await;
        (list.len() == 2).then_some(())
    })
    .await;

    // The settings preview answers from the text in the editor, unsaved.
    let draft = r#"[settings]
languages = ["en"]

[[entry]]
id = "cargo-bikes"
question = "Do you service cargo bikes?"
answer = "Draft: cargo bikes on Tuesdays only."
"#;
    agent
        .execute(
            "document.getElementById('kb-text').value = arguments[0]",
            vec![serde_json::json!(draft)],
        )
        .await
        .expect("edit the text");
    agent
        .find(Locator::Css("iframe.preview"))
        .await
        .expect("preview")
        .enter_frame()
        .await
        .expect("into the preview");
    let input = eventually(20, "the preview's input", || async {
        agent.find(Locator::Css("#chat-input")).await.ok()
    })
    .await;
    input
        .send_keys("Do you service cargo bikes?")
        .await
        .expect("type");
    click(&agent, ".send-button").await;
    let answer = eventually(20, "the draft's answer in the preview", || async {
        texts(&agent, ".msg-ai:not(.msg-greeting) .msg-text")
            .await
            .pop()
    })
    .await;
    assert_eq!(answer, "Draft: cargo bikes on Tuesdays only.");
    assert_eq!(
        texts(&agent, ".msg-ai:not(.msg-greeting) .badge").await,
        vec!["AI"],
        "labelled as the AI's, as visitors will see it"
    );
    assert_eq!(
        texts(&agent, ".msg-visitor .msg-text").await,
        vec!["Do you service cargo bikes?"]
    );
    assert_eq!(
        axe_violations(&agent).await,
        Vec::<String>::new(),
        "the preview's answer at WCAG 2.2 AA"
    );
    screenshot(&agent, "panel-settings-preview-answer").await;
    agent.enter_parent_frame().await.expect("back to the page");
    finish(agent, &[]).await;

    // New conversations answer from it, in each language.
    assert_eq!(
        ai_answer_in(edge, "kbform", "en", "Do you service cargo bikes?")
            .await
            .0,
        "Yes: cargo bikes and trikes, by appointment."
    );
    assert_eq!(
        ai_answer_in(edge, "kbform", "de", "Wartet ihr Lastenräder?")
            .await
            .0,
        "Ja: Lastenräder und Dreiräder, nach Termin."
    );
    // A form loaded before that save is refused, not applied over it.
    let stale = serde_json::json!({"version": 2, "languages": ["en"], "entries": []});
    let refused = edge.agent_post_json(
        &edge.anna(),
        "/api/v1/agent/sites/kbform/faq/entries",
        &stale.to_string(),
    );
    assert_eq!(refused.status, 409, "{}", refused.body);
}
