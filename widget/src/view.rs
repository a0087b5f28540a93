//! What the visitor sees. Every visitor-, agent- or AI-supplied string is
//! put into the page as a text node (Leptos text children), never as HTML.
//! Author badges come from the message's `author`, set by the edge.

use crate::chat::{Chat, Link, Place};
use crate::{forms, i18n, log};
use leptos::prelude::*;
use shared::colour;
use shared::protocol::{ConversationState, ErrorCode, MAX_MESSAGE_BYTES};
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
    let (archive, chat_typing, chat_problem) = (chat.archive, chat.typing, chat.problem);
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

    // Draw the log and keep the newest message in view.
    let log = NodeRef::<leptos::html::Div>::new();
    let events = NodeRef::<leptos::html::Div>::new();
    let pending = NodeRef::<leptos::html::Div>::new();
    let drawn = std::cell::RefCell::new(log::Drawn::default());
    let forms = NodeRef::<leptos::html::Div>::new();
    let forms_drawn = std::cell::RefCell::new(None);
    let on_form_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
        match form.as_ref().and_then(forms::read) {
            Some(forms::Submitted::Contact { email, question }) => {
                chat.with_value(|c| c.leave_contact(email, question))
            }
            Some(forms::Submitted::Rating { score, comment }) => {
                chat.with_value(|c| c.rate(score, comment))
            }
            None => {}
        }
    };
    let page = options.place.page_url.clone();
    Effect::new(move |_| {
        let (Some(events), Some(pending)) = (events.get(), pending.get()) else {
            return;
        };
        archive.with(|archived| {
            transcript.with(|tr| {
                let current = archived.last().map_or(0, |(n, _)| n + 1);
                let all = archived
                    .iter()
                    .map(|(n, e)| (*n, e))
                    .chain(tr.events().map(|e| (current, e)));
                drawn.borrow_mut().sync(&events, all, page.as_deref(), t);
                pending.set_text_content(None);
                for o in tr.pending() {
                    log::pending(&pending, o, t);
                }
                if let Some(parent) = forms.get_untracked() {
                    let shown = forms::Shown {
                        contact: tr.open_contact_offer(),
                        rating: tr.wants_rating(),
                    };
                    forms::sync(&parent, &mut forms_drawn.borrow_mut(), shown, t);
                }
            })
        });
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
    let greeting = options.greeting.clone();
    let privacy = options.privacy_url.as_deref().and_then(|u| log::safe_link(u, options.place.page_url.as_deref())).map(|(href, _)| {
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
    // The log's buttons, by delegation: a "Did you mean" choice is sent as
    // if the visitor had typed it; "Retry" resends an unsent message.
    let on_log_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("button").ok().flatten())
        else {
            return;
        };
        if let Some(id) = button.get_attribute("data-retry") {
            if let Some(id) = crate::json::uuid(&id) {
                chat.with_value(|c| c.retry(id));
            }
        } else if button.class_list().contains("choice") {
            if let Some(question) = button.text_content() {
                chat.with_value(|c| c.send(question));
            }
        }
    };
    // While waiting or with a person, pressing again would change nothing.
    let waiting = move || {
        matches!(
            transcript.with(|t| t.state()),
            ConversationState::WaitingForPerson | ConversationState::WithPerson
        )
    };

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
            <div class="log" role="log" aria-label=t.log_label aria-live="polite" node_ref=log on:click=on_log_click>
                <p class="disclosure" data-disclosure-version=DISCLOSURE_VERSION>
                    {disclosure_before} <bdi>{assistant_name}</bdi> {disclosure_after}
                </p>
                {greeting.map(|text| view! {
                    <div class="msg msg-ai msg-greeting">
                        <span class="badge badge-ai">{t.badge_ai}</span>
                        <p class="msg-text">{text}</p>
                    </div>
                })}
                // Drawn by `log` (plain DOM): earlier, resolved conversations
                // first (still readable), then this one, then what is unsent.
                <div class="events" node_ref=events></div>
                <div class="pending" node_ref=pending></div>
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
            <div class="forms" node_ref=forms on:submit=on_form_submit></div>
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
