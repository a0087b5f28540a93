//! What the visitor sees. Every visitor-, agent- or AI-supplied string is
//! put into the page as a text node (Leptos text children), never as HTML.
//! Author badges come from the message's `author`, set by the edge.

use crate::chat::{Chat, Link, Place, Shown};
use crate::{dom, forms, i18n, log};
use leptos::prelude::*;
use shared::handoff::{wait_now, WaitNow};
use shared::protocol::{ConversationState, ErrorCode, MAX_MESSAGE_BYTES};
use shared::transcript::{waited_for_visitor, Transcript};
use wasm_bindgen::JsCast;

use shared::disclosure::DISCLOSURE_VERSION;

/// Options the loader passes in the frame's address, and the words the
/// edge put in the frame page.
#[derive(Clone)]
pub struct Options {
    pub t: &'static i18n::Strings,
    pub place: Place,
    pub assistant_name: String,
    /// Brand, text on brand, controls, text on controls (`#rrggbb`),
    /// derived by the edge from the brand color so contrast holds.
    pub palette: Option<Vec<String>>,
    /// The site's privacy policy.
    pub privacy_url: Option<String>,
    /// The site's greeting, shown as the assistant's first line.
    pub greeting: Option<String>,
    /// Shown in the panel's settings as a preview: not connected.
    pub preview: bool,
}

impl Options {
    pub fn from_location() -> Option<Self> {
        let t = i18n::strings()?;
        let location = web_sys::window()?.location();
        let path = location.pathname().ok()?;
        let site = path
            .strip_prefix("/chat/")?
            .trim_end_matches('/')
            .to_string();
        let query = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
        // The script tag's options, else what the site's admins saved (the
        // edge puts those in the frame page as `<meta name="chat-…">`).
        let saved = |key: &str| {
            web_sys::window()?
                .document()?
                .query_selector(&format!("meta[name=chat-{key}]"))
                .ok()??
                .get_attribute("content")
        };
        let get = |key: &str| {
            query
                .get(key)
                .or_else(|| saved(key))
                .filter(|v| !v.is_empty())
        };
        let locale = get("lang");
        let assistant_name = get("name")
            .map(|n| shared::text::clean_name(&n, 40))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| t.default_assistant_name.to_string());
        Some(Self {
            t,
            place: Place {
                store: match saved("visitor") {
                    Some(key) => format!("{site}.{key}"),
                    None => site.clone(),
                },
                identity: saved("identity"),
                site,
                locale,
                page_url: get("page"),
                visitor_name: get("visitor").map(|n| n.chars().take(60).collect()),
                event_text: saved("event-text").is_some(),
            },
            palette: saved("palette")
                .map(|p| p.split(' ').map(str::to_string).collect::<Vec<_>>())
                .filter(|p| {
                    p.len() == 4
                        && p.iter().all(|c| {
                            c.len() == 7
                                && c.starts_with('#')
                                && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
                        })
                }),
            privacy_url: get("privacy"),
            greeting: get("greeting").map(|g| g.chars().take(300).collect()),
            preview: get("preview").is_some(),
            assistant_name,
        })
    }
}

#[component]
pub fn App(options: Options) -> impl IntoView {
    let t = options.t;
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", t.lang);
        if let (Some(palette), Some(root)) =
            (&options.palette, root.dyn_ref::<web_sys::HtmlElement>())
        {
            let style = root.style();
            for (name, value) in ["--brand", "--on-brand", "--control", "--on-control"]
                .iter()
                .zip(palette)
            {
                let _ = style.set_property(name, value);
            }
        }
    }
    let chat = Chat::new(options.place.clone());
    let preview = options.preview;
    if preview {
        chat.shown.update(|s| s.link = Link::Preview);
    } else {
        chat.connect();
    }
    let shown = chat.shown;
    let chat = StoredValue::new_local(chat);
    let input = NodeRef::<leptos::html::Textarea>::new();

    // The composer keeps no state: its handlers read the textarea and write
    // the counter and the problem beside it. The edge cleans and checks
    // every message (shared::text); here only what the visitor should know
    // before sending: empty, or too long.
    let submit = move || {
        let Some(el) = input.get_untracked() else {
            return;
        };
        let text = el.value().trim().to_string();
        if text.is_empty() {
            return;
        }
        if text.len() > MAX_MESSAGE_BYTES {
            let too_long = i18n::bytes(t.too_long, text.len(), MAX_MESSAGE_BYTES);
            dom::set_text("composer-problem", &too_long);
            return;
        }
        chat.with_value(|c| c.say(text));
        el.set_value("");
        dom::set_text("counter", "");
        dom::set_text("composer-problem", "");
    };
    let on_input = move |_| {
        let bytes = input
            .get_untracked()
            .map_or(0, |el| el.value().trim().len());
        let near_cap = bytes * 10 >= MAX_MESSAGE_BYTES * 8;
        let counter = near_cap.then(|| i18n::bytes(t.bytes_counter, bytes, MAX_MESSAGE_BYTES));
        dom::set_text("counter", counter.as_deref().unwrap_or(""));
        chat.with_value(Chat::typing);
    };

    // Escape anywhere in the frame closes the chat and returns focus to the launcher.
    let _escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            crate::host::ask_to_close();
        }
    });
    // Focus the input when the frame is shown; in the preview, take the
    // frames the panel (this origin only) sends as the edge's.
    let _shown = window_event_listener(leptos::ev::message, move |ev| {
        let data = ev.data();
        if let Some(frame) = data.as_string().filter(|_| preview) {
            if crate::host::from_own_origin(&ev) {
                chat.with_value(|c| c.receive(&frame));
            }
            return;
        }
        let is_open = js_sys::Reflect::get(&data, &"type".into())
            .ok()
            .and_then(|t| t.as_string())
            .is_some_and(|t| t == "chat:open");
        if is_open {
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        }
    });

    // Everything that changes is drawn from this one effect, with plain DOM
    // calls (see `dom` for why): the log, the forms, and the status lines.
    // Each part redraws only what changed.
    let log_el = NodeRef::<leptos::html::Div>::new();
    let drawn_log = std::cell::RefCell::new(log::Drawn::default());
    let drawn_forms = std::cell::RefCell::new(None);
    let page = options.place.page_url.clone();
    // What this browser had shown the visitor before this page: the team's
    // messages after it waited for them (marked new on this page).
    let seen_before = crate::api::load_seen(&options.place.store);
    // The line beside the person button has an effect of its own, so the
    // expected wait can count down without redrawing (or scrolling) the log.
    let clock = RwSignal::new(js_sys::Date::now() as i64);
    let _ = set_interval_with_handle(
        move || clock.set(js_sys::Date::now() as i64),
        std::time::Duration::from_secs(15),
    );
    // The header too says who answers now: the assistant, or the person
    // who took over (their name, "person" where the AI label was).
    let header_name = options.assistant_name.clone();
    Effect::new(move |_| {
        let now = clock.get();
        shown.with(|s| {
            dom::set_text(
                "person-status",
                &person_status(s, now, t).unwrap_or_default(),
            );
            let person = s.transcript.person();
            dom::set_text("header-name", person.unwrap_or(&header_name));
            dom::set_text(
                "header-avatar",
                &person.map(shared::text::initials).unwrap_or_default(),
            );
            let role = if person.is_some() {
                t.badge_person
            } else {
                t.ai_label
            };
            dom::set_text("header-role", role);
        });
        crate::times::refresh(now, t.lang);
    });
    Effect::new(move |first_run: Option<()>| {
        let (Some(log_el), Some(events), Some(pending), Some(forms)) = (
            log_el.get(),
            dom::by_id("events"),
            dom::by_id("pending"),
            dom::by_id("forms"),
        ) else {
            return;
        };
        shown.with(|shown| {
            let link = match shown.link {
                Link::Online | Link::Preview => "",
                Link::Idle => t.deleted,
                Link::Connecting => t.connecting,
                Link::Offline => t.offline,
            };
            dom::set_text("link-status", link);
            if let Some(line) = dom::by_id("typing") {
                line.set_text_content(None);
                if let Some(name) = &shown.typing {
                    dom::text(&dom::child(&line, "bdi", ""), name);
                    dom::text(&line, &format!(" {}", t.typing));
                }
            }
            let problem = match &shown.problem {
                Some((ErrorCode::InvalidEmail, _)) => t.invalid_email,
                Some((_, message)) => message,
                None => "",
            };
            dom::set_text("problem", problem);

            let tr = &shown.transcript;
            let current = shown.archive.last().map_or(0, |(n, _)| n + 1);
            let all = shown.archive.iter().map(|(n, e)| (*n, e, false)).chain(
                tr.events()
                    .map(|e| (current, e, waited_for_visitor(e, seen_before))),
            );
            let mut drawn = drawn_log.borrow_mut();
            drawn.sync(&events, all, page.as_deref(), t);
            drawn.mark_seen(tr.seen_message(), t);
            pending.set_text_content(None);
            for o in tr.pending() {
                log::pending(&pending, o, t);
            }
            let offered = forms::Offered {
                contact: tr.open_contact_offer(),
                rating: tr.wants_rating(),
            };
            forms::sync(&forms, &mut drawn_forms.borrow_mut(), offered, t);
            if let Some(button) = dom::by_id("person-button") {
                let busy = waiting_or_with_person(tr);
                let _ = button.set_attribute("aria-disabled", if busy { "true" } else { "false" });
            }
        });
        // Keep the newest message in view (reading the height lays out now).
        log_el.set_scroll_top(log_el.scroll_height());
        // Ready for typing as soon as the chat is drawn (not in the
        // panel's preview, which would take the admin's focus).
        if first_run.is_none() && !preview {
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        }
    });

    let assistant_name = options.assistant_name.clone();
    let (disclosure_before, disclosure_after) =
        i18n::split_at(t.disclosure, "name").unwrap_or((t.disclosure, ""));
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
                chat.with_value(|c| c.say(question));
            }
        }
    };
    let on_photo = move |ev: leptos::ev::Event| {
        // The textarea's change bubbles here too.
        let Some(picker) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = picker.files().and_then(|f| f.get(0)) {
            chat.with_value(|c| c.send_photo(file));
        }
        picker.set_value(""); // the same photo may be picked again
    };
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

    view! {
        <div class="chat">
            <header class="chat-header">
                <h1 class="chat-title">
                    <span class="avatar" id="header-avatar" aria-hidden="true"></span>
                    <span class="assistant-name" id="header-name">{assistant_name.clone()}</span>
                    <span class="ai-label" id="header-role">{t.ai_label}</span>
                </h1>
                <button type="button" class="icon-button" aria-label=t.close on:click=move |_| crate::host::ask_to_close()>
                    "×"
                </button>
            </header>
            <div class="log" role="log" aria-label=t.log_label aria-live="polite" node_ref=log_el on:click=on_log_click>
                <p class="disclosure" data-disclosure-version=DISCLOSURE_VERSION>
                    {disclosure_before} <bdi>{assistant_name}</bdi> {disclosure_after}
                </p>
                {greeting.map(|text| view! {
                    <div class="msg msg-ai msg-greeting">
                        <span class="badge badge-ai">{t.badge_ai}</span>
                        <p class="msg-text">{text}</p>
                    </div>
                })}
                // Drawn by `log`: earlier, resolved conversations first
                // (still readable), then this one, then what is unsent.
                <div class="events" id="events"></div>
                <div class="pending" id="pending"></div>
            </div>
            <p class="link-status" id="link-status"></p>
            <p class="typing" id="typing"></p>
            <div class="forms" id="forms" on:submit=on_form_submit></div>
            <p class="problem" id="problem" role="alert"></p>
            <div class="person-bar">
                <button type="button" class="person-button" id="person-button" aria-disabled="false"
                    on:click=move |_| {
                        // While waiting or with a person, pressing again would change nothing.
                        if !shown.with_untracked(|s| waiting_or_with_person(&s.transcript)) {
                            chat.with_value(Chat::request_person)
                        }
                    }>
                    {t.talk_to_person}
                </button>
                <span class="person-status" id="person-status"></span>
            </div>
            // The photo picker's change bubbles here (one binding, not one
            // per element: see ARCHITECTURE.md).
            <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); } on:change=on_photo>
                <label for="chat-input" class="visually-hidden">{t.your_message}</label>
                <textarea
                    id="chat-input"
                    node_ref=input
                    rows="2"
                    placeholder=t.placeholder
                    on:input=on_input
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            submit();
                        }
                    }
                ></textarea>
                <label class="attach" title=t.send_photo>
                    <input type="file" class="visually-hidden" accept="image/jpeg,image/png,image/webp" aria-label=t.send_photo/>
                </label>
                <button type="submit" class="send-button">{t.send}</button>
            </form>
            <p class="composer-note" aria-live="polite">
                <span class="counter" id="counter"></span>
                <span id="composer-problem"></span>
            </p>
            <p class="privacy">
                {t.privacy_notice}" "{privacy}
                <button type="button" class="text-button" on:click=erase>{t.delete_conversation}</button>
            </p>
        </div>
    }
}

fn waiting_or_with_person(tr: &Transcript) -> bool {
    matches!(
        tr.state(),
        ConversationState::WaitingForPerson | ConversationState::WithPerson
    )
}

/// Beside the person button: whom the visitor waits for, their place and
/// the expected wait as it stands now (counting down from when the
/// estimate came, then "longer than usual"), or who is here.
fn person_status(shown: &Shown, now_ms: i64, t: &i18n::Strings) -> Option<String> {
    let tr = &shown.transcript;
    if let Some(name) = tr.person() {
        return Some(format!("{}: {name}", t.person_here));
    }
    if tr.state() != ConversationState::WaitingForPerson {
        return None;
    }
    let mut status = t.waiting_for_person.to_string();
    if let Some(q) = tr.queue_status() {
        let wait = match wait_now(q, now_ms - shown.queue_since_ms) {
            WaitNow::AboutMinutes(min) => i18n::fill(t.expected_wait, "min", &min.to_string()),
            WaitNow::LongerThanUsual => t.wait_longer.to_string(),
            WaitNow::Unknown => t.wait_unknown.to_string(),
        };
        // Sentences: "Waiting for a person. You are number 2 in line. …".
        // Written out rather than `join`: one less generic copy in the download.
        status.push('.');
        for part in [
            i18n::fill(t.queue_position, "n", &q.position.to_string()),
            wait,
        ] {
            status.push(' ');
            status.push_str(&part);
        }
    }
    Some(status)
}
