//! Judgement against the real edge: when the AI hands a visitor to a
//! person and what it tells them, in English, German and Spanish. The
//! messages here are written for these tests, not taken from the corpus
//! the model learned from.

use shared::handoff::HandoffView;
use shared::protocol::{
    Author, ClientFrame, ContactReason, ConversationState, EventBody, ServerFrame, Trigger,
};
use tests::{
    conversation_on, event_where, frames_before_barrier, is_state, night_shift_opens_after, say,
    send, Edge, Socket,
};

/// Whatever the conversation sent up to a barrier after `text`: the AI's
/// answer and any hand-off, all of it.
async fn exchange(socket: &mut Socket, text: &str) -> Vec<EventBody> {
    say(socket, text).await;
    frames_before_barrier(socket)
        .await
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Event(e) => Some(e.body),
            _ => None,
        })
        .collect()
}

fn handed_over(events: &[EventBody]) -> bool {
    events.iter().any(|e| {
        is_state(e, ConversationState::WaitingForPerson)
            || matches!(e, EventBody::ContactOffer { .. })
    })
}

fn ai_texts(events: &[EventBody]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            EventBody::Message(m) if m.author == Author::Ai => Some(m.text.as_str()),
            _ => None,
        })
        .collect()
}

/// One message per reason and language, with the trigger the agent reads.
const NEEDS_A_PERSON: &[(&str, Trigger, &str)] = &[
    ("en", Trigger::AskedInWords, "Could someone from your team look at this with me, please?"),
    ("de", Trigger::AskedInWords, "Können Sie mich bitte mit einem Mitarbeiter verbinden?"),
    ("es", Trigger::AskedInWords, "¿Me puede atender una persona de verdad, por favor?"),
    ("en", Trigger::Frustration, "I've now asked this four times and you keep missing the point!"),
    ("de", Trigger::Frustration, "DAS HABE ICH DOCH SCHON DREIMAL GESCHRIEBEN!!"),
    ("es", Trigger::Frustration, "Otra vez la misma respuesta inútil, ya estoy harto de esto."),
    ("en", Trigger::Complaint, "The brake pads you fitted last week are grinding already, the job was sloppy."),
    ("de", Trigger::Complaint, "Die Reparatur bei Ihnen war schlampig, das Hinterrad eiert immer noch."),
    ("es", Trigger::Complaint, "La reparación que me hicisteis está mal hecha: el cambio no funciona desde que la recogí."),
    ("en", Trigger::Safety, "The crank came off on the road after your repair and I fell off."),
    ("de", Trigger::Safety, "Nach Ihrer Reparatur ist mir die Gabel gebrochen und ich bin gestürzt."),
    ("es", Trigger::Safety, "Se me rompió el freno bajando una cuesta después de vuestra revisión y me caí."),
    ("en", Trigger::Legal, "Please delete all the personal data you hold about me."),
    ("de", Trigger::Legal, "Ich verlange Auskunft über alle Daten, die Sie über mich gespeichert haben."),
    ("es", Trigger::Legal, "Mi abogado se pondrá en contacto con ustedes por la bicicleta defectuosa."),
    ("en", Trigger::PaymentDispute, "You charged my card twice for the same service."),
    ("de", Trigger::PaymentDispute, "Sie haben mir 80 Euro zu viel abgebucht, ich will das Geld zurück."),
    ("es", Trigger::PaymentDispute, "Me cobrasteis dos veces la misma reparación y el reembolso no llega."),
    ("en", Trigger::Churn, "I'm done with you, I'll take my bikes elsewhere from now on."),
    ("de", Trigger::Churn, "Ich kündige mein Wartungsabo, ab jetzt gehe ich zur Konkurrenz."),
    ("es", Trigger::Churn, "Me voy a otra tienda, no pienso volver a traer mis bicis aquí."),
    ("en", Trigger::Accessibility, "I use a screen reader and cannot fill in your booking form."),
    ("de", Trigger::Accessibility, "Ich bin blind und kann Ihr Buchungsformular mit meinem Screenreader nicht ausfüllen."),
    ("es", Trigger::Accessibility, "Voy en silla de ruedas y no puedo entrar en la tienda por el escalón, ¿cómo recojo la bici?"),
    ("en", Trigger::Distrust, "Not another chatbot. I don't trust a machine with this."),
    ("de", Trigger::Distrust, "Einem Chatbot vertraue ich da nicht, das kann eine Maschine nicht beurteilen."),
    ("es", Trigger::Distrust, "No me fío de un robot para esto, seguro que te lo inventas."),
];

#[tokio::test]
async fn each_reason_in_each_language_hands_over_and_the_agent_reads_why() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let mut wrong = Vec::new();
    for (language, trigger, text) in NEEDS_A_PERSON {
        let (visitor, mut v) = conversation_on(edge, "judge", language).await;
        let events = exchange(&mut v, text).await;
        let waiting = events
            .iter()
            .find(|e| is_state(e, ConversationState::WaitingForPerson));
        let Some(EventBody::State { asked, .. }) = waiting else {
            wrong.push(format!("{language} {text}: not handed over: {events:?}"));
            continue;
        };
        // "You asked" only when the visitor did.
        if *asked != (*trigger == Trigger::AskedInWords) {
            wrong.push(format!("{language} {text}: asked = {asked}"));
        }
        let view: HandoffView = edge
            .agent_get(
                &anna,
                &format!("/api/v1/agent/conversations/{}", visitor.conversation_id),
            )
            .json();
        if view.packet.trigger != *trigger {
            wrong.push(format!(
                "{language} {text}: {:?} instead of {trigger:?} ({:?})",
                view.packet.trigger, view.packet.reasons
            ));
        }
        // The reason quotes the visitor's own words.
        let reason = view.packet.reasons.first().cloned().unwrap_or_default();
        let quoted = reason
            .split_once('\'')
            .map(|(_, q)| q.trim_end_matches('\''))
            .unwrap_or_default();
        let normalized = shared::analysis::Analysis::new(text).words.join(" ");
        let from_the_message = |w: &str| {
            let w = w.trim_end_matches('…');
            normalized.contains(w) || text.to_lowercase().contains(w)
        };
        if quoted.is_empty() || !quoted.split(" … ").all(from_the_message) {
            wrong.push(format!("{language} {text}: reason {reason:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Ordinary questions, many with words that sound alarming.
const ORDINARY: &[(&str, &str)] = &[
    (
        "en",
        "Frustrated with squeaky brakes: how much is a brake service?",
    ),
    (
        "en",
        "My chain keeps complaining with a clicking noise, can you adjust it?",
    ),
    ("en", "Is it dangerous to ride with worn brake pads?"),
    ("en", "What are your opening hours on Saturday?"),
    (
        "de",
        "Ich bin genervt von quietschenden Bremsen – was kostet ein Bremsenservice?",
    ),
    (
        "de",
        "Ist es gefährlich, mit abgefahrenen Reifen zu fahren?",
    ),
    ("de", "Wann habt ihr am Samstag geöffnet?"),
    (
        "es",
        "¿Cuánto cuesta cambiar la cadena? La mía se queja mucho.",
    ),
    (
        "es",
        "¿Es peligroso circular con poca presión en las ruedas?",
    ),
    ("es", "¿Qué horario tenéis los sábados?"),
];

#[tokio::test]
async fn ordinary_questions_with_alarming_words_stay_with_the_ai() {
    let edge = Edge::shared();
    let mut wrong = Vec::new();
    for (language, text) in ORDINARY {
        let (_, mut v) = conversation_on(edge, "demo", language).await;
        let events = exchange(&mut v, text).await;
        if handed_over(&events) || ai_texts(&events).is_empty() {
            wrong.push(format!("{language} {text}: {events:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn questions_about_the_ai_get_the_disclosure_in_the_visitors_language_and_never_a_person() {
    let edge = Edge::shared();
    let cases = [
        ("en", "am I chatting with a machine right now?", "en"),
        ("de", "Ist das hier eine KI?", "de"),
        ("de", "Bin ich hier mit einer KI verbunden?", "de"),
        ("es", "¿Estoy hablando con un bot?", "es"),
    ];
    for (locale, text, answer_language) in cases {
        // After one unanswered question: the question about the AI is
        // neither a second miss nor a request for a person.
        let (_, mut v) = conversation_on(edge, "demo", locale).await;
        exchange(&mut v, "Do you sell tandem parachutes?").await;
        let events = exchange(&mut v, text).await;
        let language = shared::analysis::Language::parse(answer_language).expect("language");
        assert_eq!(
            ai_texts(&events),
            vec![shared::disclosure::bot_answer(language)],
            "{text}: {events:?}"
        );
        assert!(!handed_over(&events), "{text}: {events:?}");
    }
}

#[tokio::test]
async fn a_german_visitor_gets_german_answers_and_a_spanish_one_spanish() {
    let edge = Edge::shared();
    for (locale, question, answer_has) in [
        (
            "de",
            "Was kostet es, einen Platten zu flicken?",
            "15 € plus Material",
        ),
        ("es", "¿Cuánto me cobráis por arreglar un pinchazo?", "15 €"),
    ] {
        let (_, mut v) = conversation_on(edge, "demo", locale).await;
        let events = exchange(&mut v, question).await;
        let answer = events.iter().find_map(|e| match e {
            EventBody::Message(m) if m.author == Author::Ai => Some(m),
            _ => None,
        });
        let answer = answer.unwrap_or_else(|| panic!("{question}: {events:?}"));
        assert!(
            answer.text.contains(answer_has),
            "{question}: {}",
            answer.text
        );
        assert_eq!(
            answer.source.as_ref().map(|s| s.entry_id.as_str()),
            Some("puncture-repair")
        );
    }
}

#[tokio::test]
async fn outside_hours_the_notice_comes_once_with_the_reopening_time_and_the_ai_keeps_answering() {
    let edge = Edge::shared();
    let (_, mut v) = conversation_on(edge, "later", "en").await;
    let mut offers = Vec::new();
    for question in [
        "Do you sell tandem parachutes?",
        "Can you fit a jet engine to my scooter?",
        "Do you repair submarines?",
        "Can you paint my bike in tartan?",
    ] {
        for body in exchange(&mut v, question).await {
            if let EventBody::ContactOffer { reason, back_at_ms } = body {
                offers.push((reason, back_at_ms));
            }
        }
    }
    assert_eq!(offers.len(), 1, "{offers:?}");
    let (reason, back_at_ms) = offers[0];
    assert_eq!(reason, ContactReason::OutsideHours);
    let back_at_ms = back_at_ms.expect("when the team is back");
    assert_eq!(back_at_ms, night_shift_opens_after(tests::now_ms()));
    // The visitor asking themselves gets it again.
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    let again = event_where(&mut v, |b| matches!(b, EventBody::ContactOffer { .. })).await;
    assert!(
        matches!(again.body, EventBody::ContactOffer { reason: ContactReason::OutsideHours, back_at_ms: Some(b) } if b == back_at_ms),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_transfer_to_a_closed_team_offers_the_email_path_with_the_reopening_time() {
    let edge = Edge::shared();
    let anna = edge.anna();
    let (visitor, mut v) = conversation_on(edge, "relay", "en").await;
    send(&mut v, &ClientFrame::RequestPerson {}).await;
    let waiting = event_where(&mut v, |b| is_state(b, ConversationState::WaitingForPerson)).await;
    assert!(
        matches!(waiting.body, EventBody::State { asked: true, .. }),
        "the button: the visitor asked"
    );
    let id = &visitor.conversation_id;
    let claimed = edge.agent_post(&anna, &format!("/api/v1/agent/conversations/{id}/claim"));
    assert_eq!(claimed.status, 204, "{}", claimed.body);
    let path = format!("/api/v1/agent/conversations/{id}/transfer");
    let moved = edge.agent_post_json(&anna, &path, r#"{"team":"night"}"#);
    assert_eq!(moved.status, 204, "{}", moved.body);
    // (Nobody of the support team was online: that offer came first.)
    let offer = event_where(&mut v, |b| {
        matches!(
            b,
            EventBody::ContactOffer {
                reason: ContactReason::OutsideHours,
                ..
            }
        )
    })
    .await;
    match offer.body {
        EventBody::ContactOffer {
            reason: ContactReason::OutsideHours,
            back_at_ms: Some(at),
        } => assert_eq!(at, night_shift_opens_after(offer.at_ms)),
        other => panic!("{other:?}"),
    }
}
