//! How the widget draws messages (`widget::log`), in real headless
//! Chromium (wasm-bindgen-test).

use shared::protocol::{Author, Message, Source, Suggestion};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Draws one message into a fresh container and returns the container.
/// The English words, as the edge would put them in the frame page.
fn english() -> &'static widget::i18n::Strings {
    let values = shared::widget_text::values_for("en");
    let values = values.as_array().expect("values").iter();
    widget::i18n::install(
        values
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
    .expect("every word")
}

fn mount_message(author: Author, text: &str) -> web_sys::HtmlElement {
    mount(Message::plain(author, text, None))
}

fn mount(message: Message) -> web_sys::HtmlElement {
    mount_new(message, false)
}

fn mount_new(message: Message, new: bool) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let container: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let t = english();
    widget::log::message(
        &container,
        1,
        js_sys::Date::now() as i64,
        &message,
        new,
        Some("https://shop.example/help/"),
        t,
    );
    container
}

fn answer_with_source(url: &str) -> Message {
    let mut m = Message::plain(Author::Ai, "We open at 9.", None);
    m.source = Some(Source {
        entry_id: "hours".into(),
        title: "Opening hours".into(),
        url: Some(url.into()),
        confidence: 0.9,
    });
    m
}

#[wasm_bindgen_test]
fn an_answer_shows_its_source_as_a_safe_link_with_its_domain() {
    let el = mount(answer_with_source("/demo/#visit"));
    let a = el.query_selector(".msg-source a").unwrap().expect("a link");
    assert_eq!(
        a.get_attribute("href").unwrap(),
        "https://shop.example/demo/#visit",
        "resolved against the host page"
    );
    assert_eq!(a.get_attribute("rel").unwrap(), "noopener noreferrer");
    assert_eq!(a.text_content().unwrap(), "Opening hours");
    assert_eq!(
        el.query_selector(".link-domain")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        " (shop.example)"
    );
}

#[wasm_bindgen_test]
fn a_source_that_is_not_https_is_shown_without_a_link() {
    for url in [
        "javascript:alert(1)",
        "http://evil.example/x",
        "data:text/html,hi",
    ] {
        let el = mount(answer_with_source(url));
        assert!(
            el.query_selector("a").unwrap().is_none(),
            "{url} must not become a link"
        );
        assert!(el.text_content().unwrap().contains("Source: Opening hours"));
    }
}

#[wasm_bindgen_test]
fn addresses_in_an_answer_become_safe_links_but_a_visitors_stay_text() {
    let el = mount_message(
        Author::Ai,
        "Book at https://spoke.example/book. Not javascript:alert(1) or http://x.example.",
    );
    let links = el.query_selector_all(".msg-text a").unwrap();
    assert_eq!(links.length(), 1, "only the https address");
    let a: web_sys::Element = links.item(0).unwrap().unchecked_into();
    assert_eq!(
        a.get_attribute("href").unwrap(),
        "https://spoke.example/book"
    );
    assert_eq!(a.get_attribute("rel").unwrap(), "noopener noreferrer");
    assert_eq!(
        el.query_selector(".msg-text").unwrap().unwrap().text_content().unwrap(),
        "Book at https://spoke.example/book (spoke.example). Not javascript:alert(1) or http://x.example."
    );
    let visitor = mount_message(Author::Visitor, "see https://phish.example/login");
    assert!(
        visitor.query_selector("a").unwrap().is_none(),
        "a visitor's address is not made a link"
    );
}

#[wasm_bindgen_test]
fn an_unsure_answer_offers_its_choices_as_buttons() {
    let mut m = Message::plain(Author::Ai, "Not sure.", None);
    m.suggestions = vec![
        Suggestion {
            entry_id: "a".into(),
            question: "When are you open?".into(),
        },
        Suggestion {
            entry_id: "b".into(),
            question: "<b>Where</b> can I park?".into(),
        },
    ];
    let el = mount(m);
    let buttons = el.query_selector_all(".choices button").unwrap();
    assert_eq!(buttons.length(), 2);
    assert_eq!(
        buttons.item(1).unwrap().text_content().unwrap(),
        "<b>Where</b> can I park?"
    );
    assert!(el.query_selector(".choices b").unwrap().is_none());
}

#[wasm_bindgen_test]
fn markup_in_a_message_is_shown_as_text_and_never_parsed() {
    let hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    let el = mount_message(Author::Visitor, hostile);
    assert!(el.query_selector("img").unwrap().is_none());
    assert!(el.query_selector("script").unwrap().is_none());
    let text = el
        .query_selector(".msg-text")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(text, hostile);
}

#[wasm_bindgen_test]
fn an_ai_message_carries_the_ai_badge() {
    let el = mount_message(Author::Ai, "We open at 9.");
    let badge = el.query_selector(".badge").unwrap().unwrap();
    assert_eq!(badge.class_name(), "badge badge-ai");
    assert_eq!(badge.text_content().unwrap(), "AI");
    assert!(el.query_selector(".msg-ai").unwrap().is_some());
}

#[wasm_bindgen_test]
fn an_answer_that_waited_for_the_visitor_is_marked_new_and_others_are_not() {
    let agent = Author::Agent {
        name: "Cleo".into(),
    };
    let waited = mount_new(Message::plain(agent.clone(), "Yes.", None), true);
    let mark = waited.query_selector(".msg-agent .new").unwrap().unwrap();
    assert_eq!(mark.text_content().unwrap(), "New");
    let seen = mount_new(Message::plain(agent, "Yes.", None), false);
    assert!(seen.query_selector(".new").unwrap().is_none());
}

#[wasm_bindgen_test]
fn an_agent_named_like_a_label_is_still_shown_as_a_person() {
    let el = mount_message(Author::Agent { name: "AI".into() }, "Hello");
    let badge = el.query_selector(".badge").unwrap().unwrap();
    assert_eq!(
        badge.class_name(),
        "badge badge-agent",
        "the badge style comes from the author kind"
    );
    assert_eq!(badge.text_content().unwrap(), "AI · person");
    let name = el.query_selector("bdi.agent-name").unwrap().unwrap();
    assert_eq!(
        name.text_content().unwrap(),
        "AI",
        "the name is isolated in its own <bdi>"
    );
}

#[wasm_bindgen_test]
fn the_log_appends_new_events_puts_a_late_one_in_order_and_empties_when_erased() {
    use shared::protocol::{Event, EventBody};
    let t = english();
    let ev = |seq: u64| Event {
        seq,
        at_ms: 0,
        body: EventBody::Message(Message::plain(Author::Ai, format!("m{seq}"), None)),
    };
    let seqs = |el: &web_sys::HtmlElement| {
        let items = el.query_selector_all("[data-seq]").unwrap();
        (0..items.length())
            .map(|i| {
                let item: web_sys::Element = items.item(i).unwrap().unchecked_into();
                item.get_attribute("data-seq").unwrap()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let document = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    let mut drawn = widget::log::Drawn::default();
    let (e1, e2, e3) = (ev(1), ev(2), ev(3));

    drawn.sync(&el, [(0, &e1, false), (0, &e3, false)].into_iter(), None, t);
    assert_eq!(seqs(&el), "1,3");
    let first = el.first_element_child().unwrap();
    drawn.sync(
        &el,
        [(0, &e1, false), (0, &e2, false), (0, &e3, false)].into_iter(),
        None,
        t,
    );
    assert_eq!(seqs(&el), "1,2,3");
    assert!(
        el.first_element_child().unwrap() == first,
        "what was drawn and still holds is kept, not redrawn"
    );
    // A new conversation after resolution: the old one's events stay.
    drawn.sync(
        &el,
        [
            (0, &e1, false),
            (0, &e2, false),
            (0, &e3, false),
            (1, &e1, false),
        ]
        .into_iter(),
        None,
        t,
    );
    assert_eq!(seqs(&el), "1,2,3,1");
    drawn.sync(&el, std::iter::empty(), None, t);
    assert_eq!(seqs(&el), "");
}

#[wasm_bindgen_test]
fn a_person_shows_with_their_initials_hidden_from_screen_readers() {
    let el = mount_message(
        Author::Agent {
            name: "Jana Novák".into(),
        },
        "Hello",
    );
    let avatar = el
        .query_selector(".msg-agent .who .avatar")
        .unwrap()
        .unwrap();
    assert_eq!(avatar.text_content().unwrap(), "JN");
    assert_eq!(avatar.get_attribute("aria-hidden").as_deref(), Some("true"));
    let ai = mount_message(Author::Ai, "Hello");
    assert!(
        ai.query_selector(".avatar").unwrap().is_none(),
        "the AI has its label, no initials"
    );
}

#[wasm_bindgen_test]
fn message_times_are_relative_in_the_visitors_language_and_exact_on_hover() {
    use widget::times::{exact, relative};
    let now = js_sys::Date::now() as i64;
    assert_eq!(relative(now - 10_000, now, "en"), "now");
    assert_eq!(relative(now - 10_000, now, "de"), "jetzt");
    assert_eq!(relative(now - 10_000, now, "es"), "ahora");
    let five = relative(now - 5 * 60_000 - 5_000, now, "en");
    assert!(five.contains('5') && five.contains("ago"), "{five}");
    let two_hours = relative(now - 2 * 3_600_000, now, "de");
    assert!(two_hours.starts_with("vor 2"), "{two_hours}");
    // Beyond a day, the date and time themselves.
    let old = now - 3 * 86_400_000;
    assert_eq!(relative(old, now, "es"), exact(old, "es"));

    let el = mount_message(Author::Ai, "Hello");
    let time = el.query_selector(".msg time.msg-time").unwrap().unwrap();
    assert_eq!(time.text_content().unwrap(), "now");
    assert!(
        !time.get_attribute("title").unwrap_or_default().is_empty(),
        "exact on hover"
    );
    assert_eq!(
        time.get_attribute("tabindex").as_deref(),
        Some("0"),
        "and on focus"
    );
    let iso = time.get_attribute("datetime").unwrap();
    assert!(!js_sys::Date::parse(&iso).is_nan(), "{iso}");
}

#[wasm_bindgen_test]
fn seen_stands_under_the_latest_read_visitor_message_of_this_conversation_only() {
    use shared::protocol::{Event, EventBody};
    let t = english();
    let ev = |seq: u64, author: Author| Event {
        seq,
        at_ms: 0,
        body: EventBody::Message(Message::plain(author, format!("m{seq}"), None)),
    };
    let document = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&el).unwrap();
    let (old, e1, e2) = (
        ev(1, Author::Visitor),
        ev(1, Author::Visitor),
        ev(2, Author::Ai),
    );
    let mut drawn = widget::log::Drawn::default();
    // An earlier conversation (0) reuses sequence number 1.
    drawn.sync(
        &el,
        [(0, &old, false), (1, &e1, false), (1, &e2, false)].into_iter(),
        None,
        t,
    );
    let seen_under = || {
        let marks = el.query_selector_all("#seen").unwrap();
        assert!(marks.length() <= 1, "one mark at most");
        el.query_selector("#seen").unwrap().map(|m| {
            let item = m.parent_element().unwrap();
            let index = (0..el.children().length())
                .find(|i| el.children().item(*i).unwrap() == item)
                .unwrap();
            (index, m.text_content().unwrap())
        })
    };
    assert_eq!(seen_under(), None);
    drawn.mark_seen(Some(1), t);
    assert_eq!(
        seen_under(),
        Some((1, "Seen".to_string())),
        "this conversation's message"
    );
    drawn.mark_seen(Some(1), t);
    assert_eq!(
        seen_under(),
        Some((1, "Seen".to_string())),
        "drawn again, still once"
    );
    drawn.mark_seen(None, t);
    assert_eq!(seen_under(), None);
    el.remove();
}
