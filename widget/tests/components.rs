//! Widget components mounted in real headless Chromium (wasm-bindgen-test).

use leptos::prelude::*;
use shared::protocol::{Author, Message, Source, Suggestion};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use widget::view::MessageItem;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts one message into a fresh container and returns the container.
fn mount_message(author: Author, text: &str) -> web_sys::HtmlElement {
    mount(Message::plain(author, text, None))
}

fn mount(message: Message) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let container: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let page = Some("https://shop.example/help/".to_string());
    let handle = leptos::mount::mount_to(container.clone(), move || {
        view! { <MessageItem seq=1 message=message.clone() page=page.clone()/> }
    });
    handle.forget();
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

mod decoding {
    use shared::protocol::{
        Author, ContactReason, ConversationState, ErrorCode, EventBody, ServerFrame,
    };
    use wasm_bindgen_test::*;
    use widget::json::{decode, encode};

    #[wasm_bindgen_test]
    fn every_server_frame_decodes_as_the_edge_writes_it() {
        let welcome: ServerFrame =
            decode(r#"{"welcome":{"v":1,"conversation_id":"c","last_seq":4,"replay_until":2}}"#)
                .unwrap();
        assert!(matches!(
            welcome,
            ServerFrame::Welcome {
                last_seq: 4,
                replay_until: 2,
                ..
            }
        ));

        let ack: ServerFrame =
            decode(r#"{"ack":{"client_id":"5f0c1f2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f","seq":1}}"#)
                .unwrap();
        assert!(matches!(ack, ServerFrame::Ack { seq: 1, .. }));

        let error: ServerFrame =
            decode(r#"{"error":{"code":"message_too_long","message":"long"}}"#).unwrap();
        assert!(matches!(
            error,
            ServerFrame::Error {
                code: ErrorCode::MessageTooLong,
                client_id: None,
                ..
            }
        ));

        let raw = r#"{"event":{"seq":3,"at_ms":1763840000000,"body":{"message":{"author":{"agent":{"name":"Anna"}},
            "text":"Hi","source":{"entry_id":"hours","title":"Opening hours","url":"/demo/","confidence":0.87},
            "suggestions":[{"entry_id":"parking","question":"Where can I park?"}]}}}}"#;
        let ServerFrame::Event(event) = decode::<ServerFrame>(raw).unwrap() else {
            panic!("an event")
        };
        assert_eq!((event.seq, event.at_ms), (3, 1_763_840_000_000));
        let EventBody::Message(m) = event.body else {
            panic!("a message")
        };
        assert_eq!(
            m.author,
            Author::Agent {
                name: "Anna".into()
            }
        );
        let source = m.source.unwrap();
        assert_eq!(
            (source.url.as_deref(), source.confidence),
            (Some("/demo/"), 0.87)
        );
        assert_eq!(m.suggestions[0].question, "Where can I park?");

        let state =
            r#"{"event":{"seq":4,"at_ms":1,"body":{"state":{"state":"waiting_for_person"}}}}"#;
        let ServerFrame::Event(event) = decode::<ServerFrame>(state).unwrap() else {
            panic!("an event")
        };
        assert_eq!(
            event.body,
            EventBody::state(ConversationState::WaitingForPerson)
        );

        let joined = r#"{"event":{"seq":6,"at_ms":1,"body":{"state":{"state":"with_person","agent":"Anna"}}}}"#;
        let ServerFrame::Event(event) = decode::<ServerFrame>(joined).unwrap() else {
            panic!("an event")
        };
        let with_anna = EventBody::State {
            state: ConversationState::WithPerson,
            agent: Some("Anna".into()),
            team: None,
        };
        assert_eq!(event.body, with_anna);

        let queue: ServerFrame =
            decode(r#"{"queue":{"team":"Support","position":2,"expected_wait_ms":120000,"agents_online":1}}"#).unwrap();
        assert!(
            matches!(queue, ServerFrame::Queue(ref q) if q.position == 2 && q.expected_wait_ms == Some(120_000))
        );
        let typing: ServerFrame =
            decode(r#"{"typing":{"author":{"agent":{"name":"Anna"}}}}"#).unwrap();
        assert_eq!(
            typing,
            ServerFrame::Typing {
                author: Author::Agent {
                    name: "Anna".into()
                }
            }
        );

        for (raw, body) in [
            (
                r#"{"contact_offer":{"reason":"outside_hours"}}"#,
                EventBody::ContactOffer {
                    reason: ContactReason::OutsideHours,
                },
            ),
            (
                r#"{"contact":{"email":"a@b.cd","question":"q"}}"#,
                EventBody::Contact {
                    email: "a@b.cd".into(),
                    question: "q".into(),
                },
            ),
            (
                r#"{"rating":{"score":4}}"#,
                EventBody::Rating {
                    score: 4,
                    comment: String::new(),
                },
            ),
        ] {
            let frame = format!(r#"{{"event":{{"seq":7,"at_ms":1,"body":{raw}}}}}"#);
            let ServerFrame::Event(event) = decode::<ServerFrame>(&frame).unwrap() else {
                panic!("an event: {raw}")
            };
            assert_eq!(event.body, body);
        }

        let ai = r#"{"event":{"seq":5,"at_ms":1,"body":{"message":{"author":"ai","text":"x"}}}}"#;
        let ServerFrame::Event(event) = decode::<ServerFrame>(ai).unwrap() else {
            panic!("an event")
        };
        assert!(
            matches!(event.body, EventBody::Message(ref m) if m.author == Author::Ai && m.suggestions.is_empty())
        );
    }

    #[wasm_bindgen_test]
    fn frames_of_the_wrong_shape_are_refused_not_guessed() {
        for raw in [
            "not json",
            "[]",
            r#"{"ack":{"client_id":"not-a-uuid","seq":1}}"#,
            r#"{"ack":{"client_id":"5f0c1f2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f","seq":-1}}"#,
            r#"{"ack":{"client_id":"5f0c1f2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f","seq":1.5}}"#,
            r#"{"ack":{},"error":{}}"#,
            r#"{"became_admin":{}}"#,
            r#"{"event":{"seq":1,"at_ms":1,"body":{"message":{"author":"robot","text":"x"}}}}"#,
        ] {
            assert!(decode::<ServerFrame>(raw).is_none(), "{raw}");
        }
    }

    #[wasm_bindgen_test]
    fn what_the_widget_encodes_it_can_decode() {
        let frame = ServerFrame::Error {
            code: ErrorCode::NotFound,
            message: "gone".into(),
            client_id: None,
        };
        assert_eq!(decode::<ServerFrame>(&encode(&frame).unwrap()), Some(frame));
    }
}
