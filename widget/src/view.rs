//! What the visitor sees. Every visitor-, agent- or AI-supplied string is
//! put into the page as a text node (Leptos text children), never as HTML.
//! Author badges come from the message's `author`, set by the edge.

use crate::chat::{Chat, Link, Place};
use crate::i18n;
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use shared::colour;
use shared::protocol::{
    Author, ContactReason, ConversationState, ErrorCode, Event, EventBody, Message,
    MAX_MESSAGE_BYTES,
};
use shared::transcript::{OutboxStatus, Outgoing};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

use shared::disclosure::DISCLOSURE_VERSION;

/// Options the loader passes in the frame's address.
#[derive(Debug, Clone)]
pub struct Options {
    pub place: Place,
    pub assistant_name: String,
    /// The site's brand colour, if given and valid.
    pub colour: Option<[u8; 3]>,
    /// The site's privacy policy.
    pub privacy_url: Option<String>,
    /// The site's greeting, shown as the assistant's first line.
    pub greeting: Option<String>,
}

impl Options {
    pub fn from_location() -> Option<Self> {
        let location = web_sys::window()?.location();
        let path = location.pathname().ok()?;
        let site = path
            .strip_prefix("/chat/")?
            .trim_end_matches('/')
            .to_string();
        let query = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
        let get = |key: &str| query.get(key).filter(|v| !v.is_empty());
        let locale = get("lang");
        let assistant_name = get("name")
            .map(|n| shared::text::clean_name(&n, 40))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| {
                i18n::strings(locale.as_deref())
                    .default_assistant_name
                    .to_string()
            });
        Some(Self {
            place: Place {
                site,
                locale,
                page_url: get("page"),
            },
            colour: get("color").and_then(|c| colour::parse_hex(&c)),
            privacy_url: get("privacy"),
            greeting: get("greeting").map(|g| g.chars().take(300).collect()),
            assistant_name,
        })
    }
}

/// Asks the host page's loader to close the frame (it moves focus back to
/// the launcher). Carries no data, so any parent may receive it.
fn ask_host_to_close() {
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"chat:close".into());
        let _ = parent.post_message(&JsValue::from(message), "*");
    }
}

#[component]
pub fn App(options: Options) -> impl IntoView {
    let t = i18n::strings(options.place.locale.as_deref());
    provide_context(t);
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", t.lang);
        if let (Some(brand), Some(root)) = (options.colour, root.dyn_ref::<web_sys::HtmlElement>())
        {
            // Text and control colours derived so contrast holds whatever
            // the brand colour (shared::colour).
            let control = colour::control_on_white(brand);
            let style = root.style();
            for (name, value) in [
                ("--brand", brand),
                ("--on-brand", colour::text_on(brand)),
                ("--control", control),
                ("--on-control", colour::text_on(control)),
            ] {
                let _ = style.set_property(name, &colour::to_hex(value));
            }
        }
    }
    let chat = Chat::new(options.place.clone());
    chat.connect();
    let transcript = chat.transcript;
    let link = chat.link;
    let chat = StoredValue::new_local(chat);

    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let input = NodeRef::<leptos::html::Textarea>::new();

    // The edge cleans and checks every message (shared::text); here only
    // what the visitor should know before sending: empty, or too long.
    let submit = move || {
        let text = draft.get_untracked().trim().to_string();
        if text.is_empty() {
            return;
        }
        if text.len() > MAX_MESSAGE_BYTES {
            problem.set(Some(i18n::bytes(t.too_long, text.len(), MAX_MESSAGE_BYTES)));
            return;
        }
        chat.with_value(|c| c.send(text));
        draft.set(String::new());
        problem.set(None);
    };

    // Escape anywhere in the frame closes the chat and returns focus to the launcher.
    let _escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            ask_host_to_close();
        }
    });
    // Focus the input when the frame is shown.
    let _shown = window_event_listener(leptos::ev::message, move |ev| {
        let is_open = js_sys::Reflect::get(&ev.data(), &"type".into())
            .ok()
            .and_then(|t| t.as_string())
            .is_some_and(|t| t == "chat:open");
        if is_open {
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        }
    });
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });

    // Keep the newest message in view.
    let log = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        transcript.track();
        request_animation_frame(move || {
            if let Some(el) = log.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    });

    let bytes = move || draft.with(|d| d.trim().len());
    let near_cap = move || bytes() * 10 >= MAX_MESSAGE_BYTES * 8;
    let assistant_name = options.assistant_name.clone();
    let (disclosure_before, disclosure_after) = t
        .disclosure
        .split_once("{name}")
        .unwrap_or((t.disclosure, ""));
    let page = options.place.page_url.clone();
    let greeting = options.greeting.clone();
    let privacy = options.privacy_url.as_deref().and_then(|u| safe_link(u, page.as_deref())).map(|(href, _)| {
        view! { <a href=href target="_blank" rel="noopener noreferrer">{t.privacy_link}</a>" · " }
    });
    let erase = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| w.confirm_with_message(t.delete_confirm).ok())
            .unwrap_or(false);
        if confirmed {
            let c = chat.get_value();
            leptos::task::spawn_local(async move {
                c.erase().await;
            });
        }
    };
    // A "Did you mean" choice is sent as if the visitor had typed it.
    let choose = Callback::new(move |question: String| chat.with_value(|c| c.send(question)));
    // While waiting or with a person, pressing again would change nothing.
    let waiting = move || {
        matches!(
            transcript.with(|t| t.state()),
            ConversationState::WaitingForPerson | ConversationState::WithPerson
        )
    };
    let (archive, chat_typing, chat_problem) =
        chat.with_value(|c| (c.archive, c.typing, c.problem));

    view! {
        <div class="chat">
            <header class="chat-header">
                <h1 class="chat-title">
                    <span class="assistant-name">{assistant_name.clone()}</span>
                    <span class="ai-label">{t.ai_label}</span>
                </h1>
                <button type="button" class="icon-button" aria-label=t.close on:click=move |_| ask_host_to_close()>
                    "×"
                </button>
            </header>
            <div class="log" role="log" aria-label=t.log_label aria-live="polite" node_ref=log>
                <p class="disclosure" data-disclosure-version=DISCLOSURE_VERSION>
                    {disclosure_before} <bdi>{assistant_name}</bdi> {disclosure_after}
                </p>
                {greeting.map(|text| view! {
                    <div class="msg msg-ai msg-greeting">
                        <span class="badge badge-ai">{t.badge_ai}</span>
                        <p class="msg-text">{text}</p>
                    </div>
                })}
                // Earlier, resolved conversations first (still readable),
                // then this one; keyed by conversation and sequence number.
                <For
                    each=move || {
                        let mut all = archive.get();
                        let current = all.last().map_or(0, |(n, _)| n + 1);
                        transcript.with(|t| all.extend(t.events().cloned().map(|e| (current, e))));
                        all
                    }
                    key=|(n, event)| (*n, event.seq)
                    children=move |(_, event)| event_view(event, page.clone(), choose)
                />
                // Few and short-lived: redrawn whole, no keyed diffing needed.
                {move || transcript.with(|t| t.pending().map(|o| pending_item(o, chat)).collect_view())}
            </div>
            <p class="link-status">
                {move || match link.get() {
                    Link::Online => "",
                    Link::Idle => t.deleted,
                    Link::Connecting => t.connecting,
                    Link::Offline => t.offline,
                }}
            </p>
            {move || chat_typing.get().map(|name| view! {
                <p class="typing"><bdi>{name}</bdi>" "{t.typing}</p>
            })}
            {move || transcript.with(|t| t.open_contact_offer()).map(|reason| view! { <ContactForm chat=chat reason=reason/> })}
            {move || transcript.with(|t| t.wants_rating()).then(|| view! { <RatingForm chat=chat/> })}
            {move || chat_problem.get().map(|(code, message)| view! {
                <p class="problem" role="alert">
                    {if code == ErrorCode::InvalidEmail { t.invalid_email.to_string() } else { message }}
                </p>
            })}
            <div class="person-bar">
                <button type="button" class="person-button" aria-disabled=move || waiting().to_string()
                    on:click=move |_| if !waiting() { chat.with_value(Chat::request_person) }>
                    {t.talk_to_person}
                </button>
                <span class="person-status">{move || person_status(transcript)}</span>
            </div>
            <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <label for="chat-input" class="visually-hidden">{t.your_message}</label>
                <textarea
                    id="chat-input"
                    node_ref=input
                    rows="2"
                    placeholder=t.placeholder
                    prop:value=move || draft.get()
                    on:input=move |ev| {
                        draft.set(event_target_value(&ev));
                        chat.with_value(Chat::typing);
                    }
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            submit();
                        }
                    }
                ></textarea>
                <button type="submit" class="send-button">{t.send}</button>
            </form>
            <p class="composer-note" aria-live="polite">
                {move || near_cap().then(|| view! {
                    <span class="counter">{i18n::bytes(t.bytes_counter, bytes(), MAX_MESSAGE_BYTES)}</span>
                })}
                {move || problem.get()}
            </p>
            <p class="privacy">
                {t.privacy_notice}" "{privacy}
                <button type="button" class="text-button" on:click=erase>{t.delete_conversation}</button>
            </p>
        </div>
    }
}

/// One stored message with its author badge, and for the AI its source or
/// its "Did you mean" choices. Every string is a text node.
#[component]
pub fn MessageItem(
    seq: u64,
    message: Message,
    /// The host page, against which a source path is resolved.
    #[prop(optional_no_strip)]
    page: Option<String>,
    /// Called with a chosen suggestion's question.
    #[prop(optional)]
    on_choose: Option<Callback<String>>,
) -> impl IntoView {
    let t = i18n::tr();
    let (class, badge) = badge(&message.author);
    // Addresses written out by the AI's FAQ or a person become checked
    // links (https only, with their domain); a visitor's stay text.
    let linked = !matches!(message.author, Author::Visitor);
    let text = if linked {
        shared::text::link_spans(&message.text)
            .into_iter()
            .map(|span| match span {
                shared::text::Span::Link(url) => match safe_link(url, None) {
                    Some((href, domain)) => Either::Left(view! {
                        <a href=href target="_blank" rel="noopener noreferrer">{url.to_string()}</a>
                        <span class="link-domain">{format!(" ({domain})")}</span>
                    }),
                    None => Either::Right(url.to_string()),
                },
                shared::text::Span::Text(t) => Either::Right(t.to_string()),
            })
            .collect::<Vec<_>>()
    } else {
        vec![Either::Right(message.text.clone())]
    };
    let source = message.source.map(|src| {
        let link = src
            .url
            .as_deref()
            .and_then(|u| safe_link(u, page.as_deref()));
        let title = src.title;
        view! {
            <p class="msg-source">
                {t.source}
                {match link {
                    Some((href, domain)) => Either::Left(view! {
                        <a href=href target="_blank" rel="noopener noreferrer">{title}</a>
                        <span class="link-domain">{format!(" ({domain})")}</span>
                    }),
                    None => Either::Right(view! { <span>{title}</span> }),
                }}
            </p>
        }
    });
    let choices = (!message.suggestions.is_empty()).then(|| {
        let buttons = message
            .suggestions
            .into_iter()
            .map(|s| {
                let question = s.question.clone();
                view! {
                    <li>
                        <button type="button" class="choice" on:click=move |_| {
                            if let Some(cb) = on_choose {
                                cb.run(question.clone());
                            }
                        }>{s.question}</button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="choices" aria-label=t.did_you_mean>{buttons}</ul> }
    });
    view! {
        <div class=format!("msg {class}") data-seq=seq>
            {badge}
            <p class="msg-text">{text}</p>
            {source}
            {choices}
        </div>
    }
}

/// One stored event: a message, or a notice in the product's own words
/// (state changes, the e-mail offer and its answer, the rating).
fn event_view(event: Event, page: Option<String>, on_choose: Callback<String>) -> impl IntoView {
    let t = i18n::tr();
    let seq = event.seq;
    let fill = |template: &str, key: &str, value: &str| template.replace(key, value);
    let (text, name): (String, Option<String>) = match event.body {
        EventBody::Message(message) => {
            return Either::Left(
                view! { <MessageItem seq=seq message=message page=page on_choose=on_choose/> },
            )
        }
        EventBody::State { state, agent, team } => match (state, agent) {
            (ConversationState::WithPerson, Some(name)) => {
                (t.person_joined.to_string(), Some(name))
            }
            (ConversationState::Bot, Some(name)) => (t.person_left.to_string(), Some(name)),
            (ConversationState::Bot, None) => (t.state_bot.to_string(), None),
            (ConversationState::WaitingForPerson, _) => match team {
                Some(team) => (fill(t.waiting_for_team, "{team}", &team), None),
                None => (t.state_waiting.to_string(), None),
            },
            (ConversationState::WithPerson, None) => (t.person_here.to_string(), None),
            (ConversationState::Resolved, _) => (t.state_resolved.to_string(), None),
        },
        EventBody::ContactOffer { reason } => (
            match reason {
                ContactReason::OutsideHours => t.contact_outside_hours,
                ContactReason::NobodyOnline => t.contact_nobody_online,
                ContactReason::NoClaimInTime => t.contact_no_claim,
            }
            .to_string(),
            None,
        ),
        EventBody::Contact { email, .. } => (fill(t.contact_left, "{email}", &email), None),
        EventBody::Rating { .. } => (t.rated.to_string(), None),
    };
    // A person's name is drawn isolated, never as part of the template.
    let (before, after) = match text.split_once("{name}") {
        Some((b, a)) => (b.to_string(), a.to_string()),
        None => (text, String::new()),
    };
    Either::Right(view! {
        <div class="msg msg-system" data-seq=seq>
            <span class="badge badge-system">{t.badge_system}</span>
            <p class="msg-text">{before}{name.map(|n| view! { <bdi class="agent-name">{n}</bdi> })}{after}</p>
        </div>
    })
}

/// Beside the person button: whom the visitor waits for, their place and
/// the expected wait, or who is here.
fn person_status(transcript: RwSignal<shared::transcript::Transcript>) -> Option<String> {
    let t = i18n::tr();
    transcript.with(|tr| {
        if let Some(name) = tr.person() {
            return Some(format!("{}: {name}", t.person_here));
        }
        if tr.state() != ConversationState::WaitingForPerson {
            return None;
        }
        let mut parts = vec![t.waiting_for_person.to_string()];
        if let Some(q) = tr.queue_status() {
            parts.push(t.queue_position.replace("{n}", &q.position.to_string()));
            parts.push(match q.expected_wait_ms {
                Some(ms) => t
                    .expected_wait
                    .replace("{min}", &ms.div_ceil(60_000).max(1).to_string()),
                None => t.wait_unknown.to_string(),
            });
        }
        Some(parts.join(" · "))
    })
}

/// The e-mail fallback: address and question. Folded away while the
/// visitor can still wait for a person; open when it is the only way.
/// Plain form fields read on submit: no reactive state to ship.
#[component]
fn ContactForm(chat: StoredValue<Chat, LocalStorage>, reason: ContactReason) -> impl IntoView {
    let t = i18n::tr();
    let email = StoredValue::new(String::new());
    let question = StoredValue::new(String::new());
    // The address is checked at the edge (`shared::text::valid_email`);
    // its `invalid_email` code is shown in the visitor's language.
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        chat.with_value(|c| c.leave_contact(email.get_value(), question.get_value()));
    };
    view! {
        <details class="contact" open={reason == ContactReason::OutsideHours}>
        <summary>{t.contact_toggle}</summary>
        <form class="contact-form" on:submit=submit>
            <label for="contact-email">{t.email_label}</label>
            <input id="contact-email" type="email" autocomplete="email" required
                on:input=move |ev| email.set_value(event_target_value(&ev))/>
            <label for="contact-question">{t.question_label}</label>
            <textarea id="contact-question" rows="2"
                on:input=move |ev| question.set_value(event_target_value(&ev))></textarea>
            <button type="submit" class="send-button">{t.leave_contact}</button>
        </form>
        </details>
    }
}

/// After a resolution: 1 to 5 (a radio group the browser requires) and an
/// optional comment, once.
#[component]
fn RatingForm(chat: StoredValue<Chat, LocalStorage>) -> impl IntoView {
    let t = i18n::tr();
    let score = StoredValue::new(0u8);
    let comment = StoredValue::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if score.get_value() > 0 {
            chat.with_value(|c| c.rate(score.get_value(), comment.get_value()));
        }
    };
    let scores = (1..=5u8)
        .map(|n| {
            let id = format!("score-{n}");
            view! {
                <input type="radio" name="score" id=id.clone() required value=n on:change=move |_| score.set_value(n)/>
                <label for=id class="score" aria-label=t.rate_score.replace("{n}", &n.to_string())>{n}</label>
            }
        })
        .collect_view();
    view! {
        <form class="rating-form" on:submit=submit>
            <fieldset>
                <legend>{t.rate_prompt}</legend>
                <div class="scores">{scores}</div>
            </fieldset>
            <label for="rating-comment">{t.rate_comment}</label>
            <textarea id="rating-comment" rows="2"
                on:input=move |ev| comment.set_value(event_target_value(&ev))></textarea>
            <button type="submit" class="send-button">{t.rate_send}</button>
        </form>
    }
}

/// A link the widget is willing to show: `https:` (or `http:` on this
/// machine, for development), resolved against the host page. Returns the
/// address and the domain shown beside it.
pub fn safe_link(url: &str, page: Option<&str>) -> Option<(String, String)> {
    let parsed = match page {
        Some(base) => web_sys::Url::new_with_base(url, base).ok()?,
        None => web_sys::Url::new(url).ok()?,
    };
    let host = parsed.hostname();
    let local = host == "localhost" || host == "127.0.0.1";
    match parsed.protocol().as_str() {
        "https:" => {}
        "http:" if local => {}
        _ => return None,
    }
    Some((parsed.href(), host))
}

/// A message not yet stored: its state, and a retry when it was refused.
fn pending_item(o: &Outgoing, chat: StoredValue<Chat, LocalStorage>) -> impl IntoView {
    let t = i18n::tr();
    let note = match &o.status {
        OutboxStatus::Sending => t.sending.to_string(),
        OutboxStatus::Sent(_) => t.sent.to_string(),
        OutboxStatus::Failed { message, .. } => format!("{}{message}", t.not_sent),
    };
    let id = o.client_id;
    let retry = matches!(o.status, OutboxStatus::Failed { .. }).then(|| {
        view! {
            <button type="button" class="text-button" on:click=move |_| chat.with_value(|c| c.retry(id))>{t.retry}</button>
        }
    });
    view! {
        <div class="msg msg-visitor msg-pending">
            <span class="badge badge-visitor">{t.badge_you}</span>
            <p class="msg-text">{o.text.clone()}</p>
            <p class="msg-status">{note}</p>
            {retry}
        </div>
    }
}

/// The badge is chrome: its text comes from the author kind, and a name is
/// shown isolated (`<bdi>`) beside a fixed "person" label, so no name can
/// pass for the AI or system label.
fn badge(author: &Author) -> (&'static str, impl IntoView) {
    let t = i18n::tr();
    match author {
        Author::Visitor => (
            "msg-visitor",
            EitherOf4::A(view! { <span class="badge badge-visitor">{t.badge_you}</span> }),
        ),
        Author::Ai => (
            "msg-ai",
            EitherOf4::B(view! { <span class="badge badge-ai">{t.badge_ai}</span> }),
        ),
        Author::Agent { name } => (
            "msg-agent",
            EitherOf4::C(view! {
                <span class="badge badge-agent"><bdi class="agent-name">{name.clone()}</bdi>{format!(" · {}", t.badge_person)}</span>
            }),
        ),
        Author::System => (
            "msg-system",
            EitherOf4::D(view! { <span class="badge badge-system">{t.badge_system}</span> }),
        ),
    }
}
