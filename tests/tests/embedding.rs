//! The tag pasted on a page of another origin, as a marketer does: a page
//! the site does not allow shows no launcher and its console names the
//! origin and the Settings page that fixes it; the edge keeps the refused
//! origin and Settings allows it in one click; the launcher then shows in
//! the look saved in Settings, with no new tag. Real edge, real Chromium,
//! the host page on a second loopback origin.

use fantoccini::{Client, Locator};
use shared::embed::Launcher;
use shared::site::SiteSettingsView;
use tests::{
    axe_violations, browser, console_errors, eventually, finish, get, launcher, log_in_to,
    open_chat, screenshot, visitor_address, Edge, HostPage,
};

fn launcher_answer(edge: &Edge, site: &str, origin: Option<&str>) -> tests::Answer {
    let address = visitor_address();
    let mut headers = vec![("cf-connecting-ip", address.as_str())];
    if let Some(o) = origin {
        headers.push(("origin", o));
    }
    get(
        &format!("{}/api/v1/sites/{site}/launcher", edge.base()),
        &headers,
    )
}

#[test]
fn the_launcher_is_answered_by_origin_and_refused_pages_are_kept_up_to_twenty() {
    let edge = Edge::shared();
    // Listed origins, wildcards and the edge's own pages are allowed, with
    // the look to draw; anyone may read the answer.
    for origin in [
        Some("https://shop.example"),
        Some("https://de.shop.example"),
        Some(edge.base().as_str()),
        None,
    ] {
        let answer = launcher_answer(edge, "refusing", origin);
        assert_eq!(answer.status, 200, "{origin:?}");
        let launcher: Launcher = answer.json();
        assert!(launcher.allowed, "{origin:?}");
        let css = launcher.css.unwrap_or_default();
        assert!(css.contains("background:#1d4ed8;color:#ffffff"), "{css}");
        assert_eq!(
            answer.header("access-control-allow-origin").as_deref(),
            Some("*")
        );
    }
    // Another origin learns only that it is refused, never from a cache.
    let refused = launcher_answer(edge, "refusing", Some("https://evil.example"));
    assert_eq!(refused.body, r#"{"allowed":false}"#);
    assert_eq!(refused.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        refused.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    // An unknown site is an error the loader can name.
    let unknown = launcher_answer(edge, "no-such-site", Some("https://evil.example"));
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.code(), "unknown_site");
    assert_eq!(
        unknown.header("access-control-allow-origin").as_deref(),
        Some("*")
    );

    // 25 more refused pages (from as many addresses) and junk origins: the
    // site keeps the 20 seen last, and never junk.
    for i in 0..25 {
        launcher_answer(edge, "refusing", Some(&format!("https://page{i}.example")));
    }
    for junk in [
        "null",
        "https://a.example/path",
        "javascript://x",
        "https://\u{202e}x.example",
    ] {
        launcher_answer(edge, "refusing", Some(junk));
    }
    let view: SiteSettingsView = edge
        .agent_get(&edge.anna(), "/api/v1/agent/sites/refusing/settings")
        .json();
    let origins: Vec<&str> = view
        .refused_origins
        .iter()
        .map(|r| r.origin.as_str())
        .collect();
    assert_eq!(origins.len(), 20, "{origins:?}");
    assert!(origins.contains(&"https://page24.example"), "{origins:?}");
    assert!(!origins.contains(&"https://page0.example"), "{origins:?}");
    assert!(
        !origins.iter().any(|o| o.contains("shop.example")),
        "{origins:?}"
    );

    // Only admins allow, and only origins.
    let cleo = edge.cleo();
    let allow = "/api/v1/agent/sites/refusing/settings/allow";
    let body = r#"{"origin":"https://page24.example"}"#;
    assert_eq!(edge.agent_post_json(&cleo, allow, body).status, 403);
    let junk = edge.agent_post_json(&edge.anna(), allow, r#"{"origin":"https://a.example/x"}"#);
    assert_eq!(junk.code(), "malformed");
    let allowed: SiteSettingsView = edge.agent_post_json(&edge.anna(), allow, body).json();
    assert!(allowed
        .effective
        .embed_origins
        .contains(&"https://page24.example".to_string()));
    assert!(!allowed
        .refused_origins
        .iter()
        .any(|r| r.origin == "https://page24.example"));
    assert!(
        launcher_answer(edge, "refusing", Some("https://page24.example"))
            .json::<Launcher>()
            .allowed
    );
}

async fn launcher_look(client: &Client) -> Vec<String> {
    let look = client
        .execute(
            "var b = document.querySelector('#chat-widget').shadowRoot.querySelector('button');
             var s = getComputedStyle(b);
             return [b.textContent, s.backgroundColor, s.color, s.left === '20px' ? 'left' : 'right'];",
            vec![],
        )
        .await
        .expect("the launcher's look");
    serde_json::from_value(look).expect("strings")
}

#[tokio::test]
async fn a_refused_page_shows_nothing_names_the_fix_and_one_click_in_settings_shows_the_saved_launcher(
) {
    let edge = Edge::shared();
    // The marketer's look, saved in Settings; the tag says only the site.
    let look =
        r##"{"branding":{"color":"#fde047","position":"left","launcher_label":"Ask the shop"}}"##;
    let saved = edge.agent_post_json(&edge.anna(), "/api/v1/agent/sites/elsewhere/settings", look);
    assert_eq!(saved.status, 200, "{}", saved.body);
    let page = HostPage::shop(&edge.base(), "elsewhere", "");

    let visitor = browser(1280, 900).await;
    visitor
        .goto(&format!("{}/", page.origin))
        .await
        .expect("the shop");
    let seen = std::cell::RefCell::new(Vec::new());
    let message = eventually(20, "the loader's console message", || async {
        let new = console_errors(&visitor).await;
        seen.borrow_mut().extend(new);
        let found = seen
            .borrow()
            .iter()
            .find(|e| e.contains("may not show the chat"))
            .cloned();
        found
    })
    .await;
    let seen = seen.into_inner();
    assert!(
        message.contains(&page.origin)
            && message.contains(&format!(
                "{}/agent/admin/?site=elsewhere#settings",
                edge.base()
            )),
        "{message}"
    );
    assert_eq!(seen.len(), 1, "only the loader's message: {seen:?}");
    // The message comes from the callback that would have drawn it.
    assert!(
        visitor.find(Locator::Css("#chat-widget")).await.is_err(),
        "no launcher"
    );
    screenshot(&visitor, "host-page-refused").await;

    // The admin follows the link: the page is listed with "Allow".
    let admin = log_in_to(edge, "elsewhere").await;
    admin
        .goto(&format!(
            "{}/agent/admin/?site=elsewhere#settings",
            edge.base()
        ))
        .await
        .expect("settings");
    let allow = eventually(20, "the refused page in Settings", || async {
        admin
            .find(Locator::Css(&format!(
                ".refused button[aria-label='Allow {}']",
                page.origin
            )))
            .await
            .ok()
    })
    .await;
    screenshot(&admin, "panel-settings-refused").await;
    // Under the preview, the launcher in the saved look.
    let sample = admin
        .execute(
            "var s = document.querySelector('.launcher-sample');
             return [s.textContent.trim(), getComputedStyle(s).backgroundColor];",
            vec![],
        )
        .await
        .expect("the launcher sample");
    assert_eq!(
        sample,
        serde_json::json!(["Ask the shop", "rgb(253, 224, 71)"])
    );
    assert_eq!(axe_violations(&admin).await, Vec::<String>::new());
    allow.click().await.expect("allow");
    eventually(20, "allowed", || async {
        let saved = admin.find(Locator::Css(".settings .saved")).await.ok()?;
        saved
            .text()
            .await
            .ok()?
            .starts_with(&page.origin)
            .then_some(())
    })
    .await;
    let origins = admin
        .find(Locator::Css("#s-origins"))
        .await
        .expect("origins")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(origins.lines().any(|l| l == page.origin), "{origins}");
    assert!(
        admin.find(Locator::Css(".refused")).await.is_err(),
        "none left to allow"
    );
    finish(admin, &[]).await;

    // The shop again: the launcher in the saved look, the stub's call kept.
    visitor.refresh().await.expect("reload");
    launcher(&visitor).await;
    assert_eq!(
        launcher_look(&visitor).await,
        ["Ask the shop", "rgb(253, 224, 71)", "rgb(0, 0, 0)", "left"]
    );
    screenshot(&visitor, "host-page-allowed").await;
    open_chat(&visitor).await;
    visitor
        .enter_parent_frame()
        .await
        .expect("back to the shop");
    let opened = visitor
        .execute("return window.opened", vec![])
        .await
        .expect("opened");
    assert_eq!(opened, serde_json::json!(1));
    finish(visitor, &[]).await;
}

/// Waits until a timer the page sets now, `after_s` seconds and a bit
/// later, has fired: timers fire in order of their deadlines, so a
/// proactive message due by then has been drawn (the barrier for "it did
/// not show").
async fn past_nudge_time(client: &Client, after_s: u64) {
    client
        .execute(
            &format!(
                "window.barrier = false; setTimeout(function () {{ window.barrier = true; }}, {});",
                after_s * 1000 + 200
            ),
            vec![],
        )
        .await
        .expect("timer");
    eventually(20, "the page's timer", || async {
        let done = client.execute("return window.barrier", vec![]).await.ok()?;
        (done == serde_json::json!(true)).then_some(())
    })
    .await;
}

async fn bubble_text(client: &Client) -> Option<String> {
    let text = client
        .execute(
            "var n = document.querySelector('#chat-widget').shadowRoot.querySelector('.n');
             return n ? n.textContent : null;",
            vec![],
        )
        .await
        .expect("script");
    text.as_str().map(str::to_string)
}

async fn chat_frame_made(client: &Client) -> bool {
    let made = client
        .execute(
            "return !!document.querySelector('#chat-widget').shadowRoot.querySelector('iframe[title=Chat]');",
            vec![],
        )
        .await
        .expect("script");
    made == serde_json::json!(true)
}

#[tokio::test]
async fn a_proactive_message_shows_on_its_pages_after_its_seconds_once_and_opens_the_chat_only_when_clicked(
) {
    let edge = Edge::shared();
    let rules = r#"{"proactive":[{"path":"/bikes/e-*","after_s":1,"text":"Questions about e-bike servicing?"}]}"#;
    let saved = edge.agent_post_json(&edge.anna(), "/api/v1/agent/sites/nudging/settings", rules);
    assert_eq!(saved.status, 200, "{}", saved.body);
    let page = HostPage::shop(&edge.base(), "nudging", "");
    let allow = edge.agent_post_json(
        &edge.anna(),
        "/api/v1/agent/sites/nudging/settings/allow",
        &serde_json::json!({"origin": page.origin}).to_string(),
    );
    assert_eq!(allow.status, 200, "{}", allow.body);
    // Only its pages get it, in the page's language.
    let ask = |path: &str, lang: &str| {
        get(
            &format!(
                "{}/api/v1/sites/nudging/launcher?path={path}&lang={lang}",
                edge.base()
            ),
            &[("origin", page.origin.as_str())],
        )
        .json::<Launcher>()
        .nudge
    };
    assert_eq!(ask("/prices", "en"), None);
    assert_eq!(
        ask("/bikes/e-cargo", "de").map(|n| n.label),
        Some("KI-Assistent".into())
    );

    // A phone does not show it (the rule does not say phones).
    let phone = browser(390, 844).await;
    phone
        .goto(&format!("{}/bikes/e-cargo", page.origin))
        .await
        .expect("page");
    launcher(&phone).await;
    past_nudge_time(&phone, 1).await;
    assert_eq!(bubble_text(&phone).await, None);
    finish(phone, &[]).await;

    // On a laptop: after a second, labelled, and the chat stays closed.
    let visitor = browser(1280, 900).await;
    visitor
        .goto(&format!("{}/bikes/e-cargo", page.origin))
        .await
        .expect("page");
    launcher(&visitor).await;
    let text = eventually(20, "the proactive message", || bubble_text(&visitor)).await;
    assert_eq!(text, "AI assistantQuestions about e-bike servicing?\u{d7}");
    assert!(
        !chat_frame_made(&visitor).await,
        "it never opens the chat by itself"
    );
    screenshot(&visitor, "host-page-proactive").await;
    assert_eq!(axe_violations(&visitor).await, Vec::<String>::new());

    // Once per visitor: not again on the next page view.
    visitor.refresh().await.expect("reload");
    launcher(&visitor).await;
    past_nudge_time(&visitor, 1).await;
    assert_eq!(bubble_text(&visitor).await, None);

    // A click on the message is what opens the chat.
    visitor
        .execute("localStorage.clear()", vec![])
        .await
        .expect("forget");
    visitor.refresh().await.expect("reload");
    eventually(20, "the message again", || bubble_text(&visitor)).await;
    visitor
        .execute(
            "document.querySelector('#chat-widget').shadowRoot.querySelector('.n .t').click()",
            vec![],
        )
        .await
        .expect("click");
    assert!(chat_frame_made(&visitor).await);
    assert_eq!(
        bubble_text(&visitor).await,
        None,
        "gone once the chat is open"
    );
    open_chat(&visitor).await;
    finish(visitor, &[]).await;
}
