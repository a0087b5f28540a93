//! One conversation as an agent sees it: the hand-off packet on top, the
//! live transcript with the same author badges as the widget, the actions
//! (claim, hand back, resolve) and the composer.

use crate::api;
use crate::labels::reason_label;
use crate::live::Live;
use crate::view::waited;
use leptos::prelude::*;
use shared::faq::NewEntry;
use shared::handoff::HandoffView;
use shared::protocol::Mood;
use shared::protocol::{
    AgentPresence, AgentProfile, Author, CannedReply, ClientFrame, ContactReason,
    ConversationState, Event, EventBody, Note, PresenceStatus, ServerFrame, SuggestedReply,
    TicketReply, Transfer,
};
use shared::team::Team;
use shared::transcript::{OutboxStatus, Transcript, ACK_TIMEOUT_MS};

#[component]
pub fn ConversationPane(
    id: String,
    on_changed: Callback<String>,
    /// Agents with the panel open, from the inbox: whom to transfer to.
    colleagues: RwSignal<Vec<AgentPresence>>,
    /// The site's tickets: a question the visitor left is answered from
    /// the same reply box.
    tickets: RwSignal<Vec<crate::tickets::TicketItem>>,
) -> impl IntoView {
    let packet = RwSignal::new(None::<HandoffView>);
    let problem = RwSignal::new(None::<String>);
    let transcript = RwSignal::new(Transcript::new());
    let visitor_typing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let notes = RwSignal::new(Vec::<Note>::new());
    let note_draft = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<SuggestedReply>::new());
    let teams = RwSignal::new(Vec::<Team>::new());
    let transfer_to = RwSignal::new(String::new());
    let me = use_context::<AgentProfile>().map(|a| a.id);
    let canned = RwSignal::new(Vec::<CannedReply>::new());
    let canned_title = RwSignal::new(String::new());
    let draft_of = id.clone();
    let ticket_of = id.clone();
    let question = move || crate::tickets::about(tickets, &ticket_of);
    let left_question = {
        let question = question.clone();
        move || question().is_some()
    };

    let load = {
        let id = id.clone();
        move || {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match api::get::<HandoffView>(&format!("/api/v1/agent/conversations/{id}")).await {
                    Ok(v) => {
                        let site = v.packet.site.clone();
                        packet.set(Some(v));
                        if let Ok(t) =
                            api::get::<Vec<Team>>(&format!("/api/v1/agent/sites/{site}/teams"))
                                .await
                        {
                            teams.set(t);
                        }
                    }
                    Err(e) => problem.set(Some(e.message)),
                }
                if let Ok(s) = api::get::<Vec<SuggestedReply>>(&format!(
                    "/api/v1/agent/conversations/{id}/suggestions"
                ))
                .await
                {
                    suggestions.set(s);
                }
            });
        }
    };
    load();

    // Replies (a resume after a gap) go back on the same socket, which is
    // only known once it exists.
    let socket: StoredValue<Option<Live>, LocalStorage> = StoredValue::new_local(None);
    let send = move |frame: &ClientFrame| -> bool {
        let Ok(json) = serde_json::to_string(frame) else {
            return false;
        };
        socket.with_value(|s| s.as_ref().is_some_and(|s| s.send(&json)))
    };
    let live = Live::open(
        format!("/api/v1/agent/conversations/{id}/ws"),
        move |ws| {
            // A resume, then every message not yet acknowledged.
            let frames = transcript
                .try_update(|t| t.on_connected(js_sys::Date::now() as i64))
                .unwrap_or_default();
            for frame in frames {
                if let Ok(json) = serde_json::to_string(&frame) {
                    let _ = ws.send_with_str(&json);
                }
            }
        },
        move |text| {
            let Some(frame) = crate::json::decode::<ServerFrame>(&text) else {
                return;
            };
            match &frame {
                ServerFrame::Typing {
                    author: Author::Visitor,
                } => {
                    visitor_typing.set(true);
                    set_timeout(
                        move || visitor_typing.set(false),
                        std::time::Duration::from_secs(5),
                    );
                    return;
                }
                ServerFrame::Event(e) if matches!(e.body, EventBody::Message(ref m) if m.author == Author::Visitor) =>
                {
                    visitor_typing.set(false);
                    // A live message (past the replay) the agent is not looking at.
                    if document().hidden() && e.seq > transcript.with_untracked(|t| t.last_seq()) {
                        crate::keys::chime();
                    }
                }
                ServerFrame::Error {
                    message,
                    client_id: None,
                    ..
                } => problem.set(Some(message.clone())),
                ServerFrame::Note(note) => {
                    let note = note.clone();
                    notes.update(|n| {
                        if !n.iter().any(|x| x.id == note.id) {
                            n.push(note);
                        }
                    });
                    return;
                }
                _ => {}
            }
            if let Some(Some(reply)) = transcript.try_update(|t| t.on_frame(frame)) {
                send(&reply);
            }
        },
    );
    socket.set_value(Some(live));

    // The newest message in view, as in any chat (after the list is drawn).
    let log = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        transcript.with(|t| t.last_seq());
        request_animation_frame(move || {
            if let Some(log) = log.get_untracked() {
                log.set_scroll_top(log.scroll_height());
            }
        });
    });

    // Read receipts: what this pane shows in a visible tab has been read
    // (the edge counts them only from the agent who has the conversation).
    let visible = RwSignal::new(true);
    let shown = move || !document().hidden();
    visible.set(shown());
    let listener = window_event_listener_untyped("visibilitychange", move |_| visible.set(shown()));
    on_cleanup(move || listener.remove());
    let read_until = StoredValue::new(0);
    Effect::new(move |_| {
        let seq = transcript.with(|t| t.last_seq());
        if visible.get() && seq > read_until.get_value() && send(&ClientFrame::Read { seq }) {
            read_until.set_value(seq);
        }
    });

    let action = {
        let id = id.clone();
        move |what: &'static str, body: String| {
            let id = id.clone();
            let load = load.clone();
            problem.set(None);
            leptos::task::spawn_local(async move {
                match api::post(&format!("/api/v1/agent/conversations/{id}/{what}"), &body).await {
                    Ok(_) => {
                        // Mine and Resolved today follow every action.
                        on_changed.run(id.clone());
                        load();
                    }
                    Err(e) => problem.set(Some(e.message)),
                }
            });
        }
    };
    let (claim, hand_back, resolve, transfer, reply, take, close) = (
        action.clone(),
        action.clone(),
        action.clone(),
        action.clone(),
        action.clone(),
        action.clone(),
        action,
    );
    let add_note = move || {
        let text = note_draft.get_untracked().trim().to_string();
        if !text.is_empty()
            && send(&ClientFrame::Note {
                client_id: uuid::Uuid::new_v4(),
                text,
            })
        {
            note_draft.set(String::new());
        }
    };
    let state = move || transcript.with(Transcript::state);
    let left = left_question.clone();
    let submit = move || {
        let text = draft.get_untracked().trim().to_string();
        if text.is_empty() {
            return;
        }
        // Nobody live in it, a question left: the answer waits in the
        // conversation (`POST …/reply`).
        if state() != ConversationState::WithPerson && left() {
            let body = serde_json::to_string(&TicketReply { text }).unwrap_or_default();
            reply("reply", body);
            draft.set(String::new());
            return;
        }
        let now = js_sys::Date::now() as i64;
        if let Some(frame) = transcript.try_update(|t| t.queue(uuid::Uuid::new_v4(), text, now)) {
            send(&frame);
            // Not acknowledged in time: shown as not sent yet (and resent
            // on the next connection).
            set_timeout(
                move || {
                    transcript.maybe_update(|t| t.time_out(js_sys::Date::now() as i64));
                },
                std::time::Duration::from_millis(ACK_TIMEOUT_MS as u64),
            );
        }
        draft.set(String::new());
    };
    let submit_on_enter = submit.clone();
    let last_typing = StoredValue::new(0.0f64);
    let typing = move || {
        let now = js_sys::Date::now();
        if now - last_typing.get_value() > 3_000.0 {
            last_typing.set_value(now);
            send(&ClientFrame::Typing {});
        }
    };

    view! {
        <div class="conversation">
            {move || packet.get().map(|v| view! { <Packet view=v/> })}
            <crate::profile::VisitorCard id=id.clone() teams=teams/>
            <div class="actions">
                <button type="button" class="claim" disabled=move || state() != ConversationState::WaitingForPerson
                    on:click=move |_| claim("claim", "{}".into())>"Claim"</button>
                <button type="button" class="hand-back" disabled=move || state() != ConversationState::WithPerson
                    on:click=move |_| hand_back("hand-back", "{}".into())>"Hand back to the AI"</button>
                <button type="button" class="resolve" disabled=move || state() == ConversationState::Resolved
                    on:click=move |_| resolve("resolve", "{}".into())>"Resolve"</button>
                <span class="state">{move || state_name(state())}</span>
            </div>
            {move || question().map(|q| view! {
                <section class="ticket actions" aria-label="Question left for the team">
                    <p class="ticket-question">{q}</p>
                    <button type="button" on:click={let take = take.clone(); move |_| take("take-question", "{}".into())}>"Take"</button>
                    <button type="button" on:click={let close = close.clone(); move |_| close("close-question", "{}".into())}>"Close"</button>
                </section>
            })}
            <p class="problem" role="alert">{move || problem.get()}</p>
            // Focusable: a scrolling region must be reachable by keyboard.
            <div class="transcript" role="log" aria-label="Transcript" aria-live="polite" tabindex="0" node_ref=log>
                <For each=move || transcript.with(|t| t.events().cloned().collect::<Vec<_>>()) key=|e| e.seq let:event>
                    {event_row(event)}
                </For>
                {move || transcript.with(|t| t.pending().map(|o| {
                    let note = match &o.status {
                        OutboxStatus::Sending => "Sending…".to_string(),
                        OutboxStatus::Sent(_) => "Sent".to_string(),
                        OutboxStatus::Unconfirmed => "Not sent yet: it goes out when the connection is back".to_string(),
                        OutboxStatus::Failed { message, .. } => format!("Not sent: {message}"),
                    };
                    view! { <div class="row row-agent pending"><p class="text">{o.text.clone()}</p><p class="note">{note}</p></div> }
                }).collect_view())}
            </div>
            <p class="typing">{move || visitor_typing.get().then_some("The visitor is typing…")}</p>
            <form class="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                <label for="reply" class="visually-hidden">"Reply"</label>
                <textarea id="reply" rows="3" placeholder="Reply to the visitor…"
                    prop:value=move || draft.get()
                    on:input=move |ev| { draft.set(event_target_value(&ev)); typing(); }
                    on:keydown=move |ev| if ev.key() == "Enter" && !ev.shift_key() { ev.prevent_default(); submit_on_enter(); }
                ></textarea>
                <button type="submit" disabled=move || state() != ConversationState::WithPerson && !left_question()>"Send"</button>
            </form>
            <crate::photos::PhotoForm id=id.clone() allowed=Signal::derive(move || state() == ConversationState::WithPerson)/>
            <section class="suggestions" aria-label="Suggested from the FAQ">
                <h3>"Suggested from the FAQ"</h3>
                <ul>
                    {move || suggestions.get().into_iter().map(|s| {
                        let answer = s.answer.clone();
                        view! {
                            <li><button type="button" class="suggestion" on:click=move |_| draft.set(answer.clone())>
                                {format!("{} ({})", s.question, percent(s.score))}
                            </button></li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <section class="canned" aria-label="Canned replies">
                <h3>"Canned replies for this team"</h3>
                <ul>
                    {move || canned.get().into_iter().map(|c| {
                        let text = c.text.clone();
                        view! { <li><button type="button" class="canned-reply" on:click=move |_| draft.set(text.clone())>{c.title}</button></li> }
                    }).collect_view()}
                </ul>
                {move || canned.with(Vec::is_empty).then_some(view! { <p class="empty">"None yet."</p> })}
                <form class="save-canned" on:submit=move |ev| {
                    ev.prevent_default();
                    let Some((site, team)) = packet.with_untracked(|p| p.as_ref().map(|v| (v.packet.site.clone(), v.packet.team.clone()))) else { return };
                    let reply = CannedReply { id: 0, team, title: canned_title.get_untracked(), text: draft.get_untracked() };
                    let Ok(body) = serde_json::to_string(&reply) else { return };
                    leptos::task::spawn_local(async move {
                        match api::post(&format!("/api/v1/agent/sites/{site}/canned"), &body).await {
                            Ok(_) => {
                                canned_title.set(String::new());
                                canned.update(|c| c.push(reply));
                            }
                            Err(e) => problem.set(Some(e.message)),
                        }
                    });
                }>
                    <label for="canned-title">"Save the reply box for this team as"</label>
                    <input id="canned-title" placeholder="a short title" prop:value=move || canned_title.get()
                        on:input=move |ev| canned_title.set(event_target_value(&ev))/>
                    <button type="submit">"Save"</button>
                </form>
            </section>
            <section class="transfer" aria-label="Transfer">
                <label>"Transfer to "
                    <select on:change=move |ev| transfer_to.set(event_target_value(&ev))>
                        <option value="">"choose a team or a colleague"</option>
                        <optgroup label="Teams">
                            {move || teams.get().into_iter().map(|t| view! { <option value=format!("team:{}", t.id)>{t.name}</option> }).collect_view()}
                        </optgroup>
                        <optgroup label="Colleagues online">
                            {move || colleagues.get().into_iter()
                                .filter(|a| a.status == PresenceStatus::Online && Some(&a.id) != me.as_ref())
                                .map(|a| view! { <option value=format!("agent:{}", a.id)>{a.name}</option> }).collect_view()}
                        </optgroup>
                    </select>
                </label>
                <button type="button" class="transfer-button"
                    disabled=move || transfer_to.get().is_empty() || !matches!(state(), ConversationState::WaitingForPerson | ConversationState::WithPerson)
                    on:click=move |_| {
                        let choice = transfer_to.get_untracked();
                        let body = match choice.split_once(':') {
                            Some(("agent", id)) => Transfer::Agent(id.to_string()),
                            Some((_, id)) => Transfer::Team(id.to_string()),
                            None => return,
                        };
                        transfer("transfer", serde_json::to_string(&body).unwrap_or_default())
                    }>"Transfer"</button>
            </section>
            {move || (state() == ConversationState::Resolved).then(|| {
                let site = packet.with_untracked(|p| p.as_ref().map(|v| v.packet.site.clone())).unwrap_or_default();
                view! { <FaqFromAnswer site=site conversation=draft_of.clone()/> }
            })}
            <section class="notes" aria-label="Internal notes">
                <h3>"Internal notes (agents only)"</h3>
                <ul>
                    {move || notes.get().into_iter().map(|n| view! {
                        <li class="note-item"><span class="badge">{format!("Note · {}", n.author)}</span>" "{n.text}</li>
                    }).collect_view()}
                </ul>
                <form class="note-form" on:submit=move |ev| { ev.prevent_default(); add_note(); }>
                    <label for="note" class="visually-hidden">"Note"</label>
                    <textarea id="note" rows="2" placeholder="A note for other agents; the visitor never sees it"
                        prop:value=move || note_draft.get() on:input=move |ev| note_draft.set(event_target_value(&ev))></textarea>
                    <button type="submit">"Add note"</button>
                </form>
            </section>
        </div>
    }
}

/// "Turn this answer into an FAQ entry": prefilled with the visitor's
/// question and the agent's reply, editable, saved as a new version of the
/// site's knowledge base that the AI answers the next visitor from.
#[component]
fn FaqFromAnswer(site: String, conversation: String) -> impl IntoView {
    let question = RwSignal::new(String::new());
    let answer = RwSignal::new(String::new());
    let language = StoredValue::new(None::<String>);
    let outcome = RwSignal::new(None::<String>);
    // Prefilled by the edge: the question the agent answered, their
    // answer, the conversation's language.
    leptos::task::spawn_local(async move {
        let path = format!("/api/v1/agent/conversations/{conversation}/faq-draft");
        if let Ok(Some(draft)) = api::get::<Option<NewEntry>>(&path).await {
            question.set(draft.question);
            answer.set(draft.answer);
            language.set_value(draft.language);
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let entry = NewEntry {
            question: question.get_untracked(),
            answer: answer.get_untracked(),
            phrasings: Vec::new(),
            language: language.get_value(),
        };
        let body = serde_json::to_string(&entry).unwrap_or_default();
        let site = site.clone();
        leptos::task::spawn_local(async move {
            let said = match api::post(&format!("/api/v1/agent/sites/{site}/faq"), &body).await {
                Ok(text) => match crate::json::decode::<shared::protocol::KnowledgeSaved>(&text) {
                    Some(a) => format!(
                        "Added as entry {} (version {}).",
                        a.entry_id.unwrap_or_default(),
                        a.version
                    ),
                    None => "Added.".to_string(),
                },
                Err(e) => e.message,
            };
            outcome.set(Some(said));
        });
    };
    view! {
        <form class="faq-form" on:submit=save aria-label="Turn this answer into an FAQ entry">
            <h3>"Turn this answer into an FAQ entry"</h3>
            <label for="faq-question">"Question"</label>
            <input id="faq-question" prop:value=move || question.get() on:input=move |ev| question.set(event_target_value(&ev))/>
            <label for="faq-answer">"Answer"</label>
            <textarea id="faq-answer" rows="3" prop:value=move || answer.get() on:input=move |ev| answer.set(event_target_value(&ev))></textarea>
            <button type="submit">"Add to the FAQ"</button>
            <p class="outcome" role="status">{move || outcome.get()}</p>
        </form>
    }
}

/// "87%" without float formatting, which would add its tables to the
/// download.
pub fn percent(x: f32) -> String {
    format!("{}%", (x * 100.0).round() as i64)
}

/// "2.5" from a float, the same way.
pub fn tenths(x: f32) -> String {
    let t = (x * 10.0).round() as i64;
    format!("{}.{}", t / 10, (t % 10).abs())
}

fn mood(m: Mood) -> &'static str {
    match m {
        Mood::Calm => "calm",
        Mood::Annoyed => "annoyed",
        Mood::Angry => "angry",
    }
}

fn state_name(state: ConversationState) -> &'static str {
    match state {
        ConversationState::Bot => "With the AI",
        ConversationState::WaitingForPerson => "Waiting for a person",
        ConversationState::WithPerson => "With a person",
        ConversationState::Resolved => "Resolved",
    }
}

/// The hand-off packet: what the visitor wants, why the AI handed over,
/// what it tried, what is open, where they came from.
#[component]
fn Packet(view: HandoffView) -> impl IntoView {
    let p = view.packet;
    let tried = p
        .summary
        .ai_answers
        .into_iter()
        .map(|a| {
            let outcome = match (a.title, a.confidence) {
                (Some(title), Some(c)) => {
                    format!("answered with “{title}” ({} confident)", percent(c))
                }
                _ if !a.suggested.is_empty() => {
                    format!("not sure; offered: {}", a.suggested.join(" / "))
                }
                _ => "not sure".to_string(),
            };
            view! { <li><q>{a.question}</q>" — "{outcome}</li> }
        })
        .collect_view();
    let open = p
        .summary
        .open
        .into_iter()
        .map(|q| view! { <li>{q}</li> })
        .collect_view();
    let reasons = p
        .reasons
        .into_iter()
        .map(|r| view! { <li>{r}</li> })
        .collect_view();
    let page = p.page_url.unwrap_or_else(|| "unknown".into());
    view! {
        <section class="packet" aria-label="Hand-off">
            <p class="category">{reason_label(p.trigger)}</p>
            <h2 class="wants">{p.summary.wants}</h2>
            <dl>
                <dt>"Visitor"</dt><dd><bdi class="visitor-name">{p.visitor_name.unwrap_or_else(|| "not named by the site".into())}</bdi></dd>
                {p.verified.map(|v| view! {
                    <dt>"Verified"</dt>
                    <dd class="verified">"Signed in on the site as "<bdi>{v.user_id}</bdi>{v.email.map(|e| view! { " · "<bdi>{e}</bdi> })}</dd>
                })}
                <dt>"Why"</dt><dd><ul class="reasons">{reasons}</ul></dd>
                <dt>"AI tried"</dt><dd><ul>{tried}</ul></dd>
                <dt>"Still open"</dt><dd><ul>{open}</ul></dd>
                <dt>"Team"</dt><dd>{p.team_name}</dd>
                <dt>"Mood"</dt><dd>{format!("{} (frustration {})", mood(p.sentiment.label), tenths(p.sentiment.frustration))}</dd>
                <dt>"Page"</dt><dd class="page">{page}</dd>
                <dt>"Language"</dt><dd>{p.locale.unwrap_or_else(|| "unknown".into())}</dd>
                <dt>"Waited"</dt><dd>{waited(view.waited_ms as f64)}</dd>
                {p.follows.map(|id| view! { <dt>"Follows"</dt><dd class="follows">{format!("conversation {id}")}</dd> })}
            </dl>
        </section>
    }
}

/// One event with the badge the widget would show, as text.
fn event_row(event: Event) -> impl IntoView {
    let mut photo = None;
    let (class, badge, text) = match event.body {
        EventBody::Message(m) => {
            // Thumbnail opening the photo; the description is its alt text.
            photo = m.photo.and_then(|p| p.links).map(|links| {
                let alt = if m.text.is_empty() {
                    "Photo, no description".to_string()
                } else {
                    m.text.clone()
                };
                view! { <a class="photo" href=links.full target="_blank"><img src=links.thumb alt=alt/></a> }
            });
            let (class, badge) = match m.author {
                Author::Visitor => ("row-visitor", "Visitor".to_string()),
                Author::Ai => ("row-ai", "AI".to_string()),
                Author::Agent { name } => ("row-agent", format!("{name} · person")),
                Author::System => ("row-system", "System".to_string()),
            };
            let source = m
                .source
                .map(|s| format!(" [FAQ: {} · {}]", s.title, percent(s.confidence)))
                .unwrap_or_default();
            (class, badge, format!("{}{source}", m.text))
        }
        EventBody::State {
            state, agent, team, ..
        } => {
            let text = match (state, agent, team) {
                (ConversationState::WaitingForPerson, _, Some(team)) => {
                    format!("Handed over; waiting for {team}")
                }
                (ConversationState::WithPerson, Some(a), _) => format!("{a} joined"),
                (ConversationState::Bot, Some(a), _) => format!("{a} handed back to the AI"),
                (ConversationState::Resolved, Some(a), _) => format!("Resolved by {a}"),
                (s, _, _) => state_name(s).to_string(),
            };
            ("row-system", "System".to_string(), text)
        }
        EventBody::ContactOffer { reason, .. } => (
            "row-system",
            "System".to_string(),
            format!(
                "E-mail fallback offered ({})",
                match reason {
                    ContactReason::OutsideHours => "outside hours",
                    ContactReason::NobodyOnline => "nobody online",
                    ContactReason::NoClaimInTime => "no claim in time",
                }
            ),
        ),
        EventBody::Contact { email, question } => (
            "row-system",
            "System".to_string(),
            format!("Left e-mail {email}: {question}"),
        ),
        EventBody::Rating { score, comment } => (
            "row-system",
            "System".to_string(),
            format!("Rated {score}/5 {comment}"),
        ),
    };
    view! {
        <div class=format!("row {class}") data-seq=event.seq>
            <span class="badge">{badge}</span>
            {photo}
            <p class="text">{text}</p>
        </div>
    }
}
