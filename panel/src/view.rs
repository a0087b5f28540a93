//! The desk: the live queue, a conversation, tickets, metrics, privacy.
//! Every visitor- or agent-supplied string is a text node.

use crate::api;
use crate::conversation::ConversationPane;
use crate::live::Live;
use crate::metrics::MetricsPage;
use crate::privacy::PrivacyPage;
use crate::shell::{self, Header};
use crate::tickets;
use leptos::prelude::*;
use shared::handoff::queue_rank;
use shared::protocol::Mood;
use shared::protocol::{
    AgentPresence, AgentSession, ConversationRef, InboxClientFrame, InboxFrame, PresenceStatus,
    QueueItem,
};
use std::collections::BTreeSet;
use std::time::Duration;

/// The desk: the live queue, metrics and privacy requests of one site.
pub fn desk(session: AgentSession, signed_out: RwSignal<Option<AgentSession>>) -> AnyView {
    view! { <Desk session=session signed_out=signed_out/> }.into_any()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Queue,
    Metrics,
    Privacy,
}

#[component]
fn Desk(session: AgentSession, signed_out: RwSignal<Option<AgentSession>>) -> impl IntoView {
    let (sites, site) = shell::pick_site();
    let tab = RwSignal::new(Tab::Queue);
    let admin_href = move || format!("/agent/admin/?site={}", site.get().unwrap_or_default());
    let is_admin = session.agent.admin;
    let name = session.agent.name.clone();
    // Who "I" am, for views that leave me out (e.g. transfer targets).
    provide_context(session.agent.clone());
    view! {
        <div class="desk">
            <Header title="Agent panel" name=name signed_out=signed_out sites=sites site=site>
                <button type="button" aria-pressed=move || (tab.get() == Tab::Queue).to_string() on:click=move |_| tab.set(Tab::Queue)>"Queue"</button>
                <button type="button" aria-pressed=move || (tab.get() == Tab::Metrics).to_string() on:click=move |_| tab.set(Tab::Metrics)>"Metrics"</button>
                <button type="button" aria-pressed=move || (tab.get() == Tab::Privacy).to_string() on:click=move |_| tab.set(Tab::Privacy)>"Privacy"</button>
                {is_admin.then(|| view! { <a class="nav-link" href=admin_href>"Admin"</a> })}
            </Header>
            {move || site.get().map(|s| match tab.get() {
                Tab::Queue => view! { <Inbox site=s/> }.into_any(),
                Tab::Metrics => view! { <MetricsPage site=s/> }.into_any(),
                Tab::Privacy => view! { <PrivacyPage site=s/> }.into_any(),
            })}
        </div>
    }
}

/// The live queue of one site and the selected conversation.
#[component]
fn Inbox(site: String) -> impl IntoView {
    let waiting = RwSignal::new(Vec::<QueueItem>::new());
    let agents = RwSignal::new(Vec::<AgentPresence>::new());
    let selected = RwSignal::new(None::<String>);
    // The profile's past conversations open like the lists' (`profile.rs`).
    provide_context(selected);
    // Search is a program of its own (the `history` crate), mounted here
    // once the desk runs; it asks for a conversation with `panel-open`.
    let search_slot = NodeRef::<leptos::html::Div>::new();
    let searching = RwSignal::new(false);
    let search_failed = RwSignal::new(false);
    let open_search = {
        let site = site.clone();
        move |_| {
            let Some(slot) = search_slot.get_untracked() else {
                return;
            };
            searching.set(true);
            search_failed.set(false);
            let site = site.clone();
            leptos::task::spawn_local(async move {
                // Not loaded (offline, a deploy in between): the button
                // comes back with a word, to try again.
                if mount_search(&slot, &site).await.is_err() {
                    searching.set(false);
                    search_failed.set(true);
                }
            });
        }
    };
    let opened = window_event_listener_untyped("panel-open", move |ev| {
        let id = js_sys::Reflect::get(&ev, &"detail".into()).ok();
        if let Some(id) = id.and_then(|d| d.as_string()) {
            selected.set(Some(id));
        }
    });
    on_cleanup(move || opened.remove());
    // "Mine" (claimed by me, open) and "resolved today", from the inbox;
    // refreshed after every queue change and every claim.
    let mine = RwSignal::new(Vec::<ConversationRef>::new());
    let resolved = RwSignal::new(Vec::<ConversationRef>::new());
    let refresh = {
        let site = site.clone();
        move || {
            let site = site.clone();
            leptos::task::spawn_local(async move {
                if let Ok(m) =
                    api::get::<Vec<ConversationRef>>(&format!("/api/v1/agent/sites/{site}/mine"))
                        .await
                {
                    mine.set(m);
                }
                if let Ok(r) = api::get::<Vec<ConversationRef>>(&format!(
                    "/api/v1/agent/sites/{site}/resolved"
                ))
                .await
                {
                    resolved.set(r);
                }
            });
        }
    };
    let refresh_on_frame = refresh.clone();
    // Questions visitors left: fetched now, when the socket says one
    // arrived, and after each action on one.
    let ticket_list = RwSignal::new(Vec::<tickets::TicketItem>::new());
    tickets::load(&site, ticket_list);
    let reload_tickets = {
        let site = site.clone();
        move || tickets::load(&site, ticket_list)
    };
    let on_ticket_frame = reload_tickets.clone();
    let team = RwSignal::new(String::new());
    let away = RwSignal::new(false);
    let now = RwSignal::new(js_sys::Date::now());
    let tick =
        set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(5)).ok();
    on_cleanup(move || {
        if let Some(t) = tick {
            t.clear();
        }
    });
    let seen = StoredValue::new_local(None::<BTreeSet<String>>);
    let socket = Live::open(
        format!("/api/v1/agent/sites/{site}/inbox"),
        |_| {},
        move |text| {
            let Some(frame) = crate::json::decode::<InboxFrame>(&text) else {
                return;
            };
            match frame {
                InboxFrame::Ticket { team, .. } => {
                    notify_ticket(&team);
                    on_ticket_frame();
                    return;
                }
                InboxFrame::Queue {
                    waiting: mut w,
                    agents: a,
                } => {
                    // The first snapshot only sets what is known; a later one
                    // (after a reconnect) notifies what is new.
                    seen.update_value(|known| {
                        if let Some(known) = known {
                            for item in w.iter().filter(|i| !known.contains(&i.conversation_id)) {
                                notify(item);
                            }
                        }
                        *known = Some(w.iter().map(|i| i.conversation_id.clone()).collect());
                    });
                    sort_queue(&mut w);
                    waiting.set(w);
                    agents.set(a);
                }
                InboxFrame::Changed {
                    upserts,
                    removed,
                    presence,
                    gone,
                } => {
                    seen.update_value(|known| {
                        let known = known.get_or_insert_with(BTreeSet::new);
                        for item in &upserts {
                            if known.insert(item.conversation_id.clone()) {
                                notify(item);
                            }
                        }
                    });
                    waiting.update(|list| {
                        list.retain(|i| {
                            !removed.contains(&i.conversation_id)
                                && !upserts
                                    .iter()
                                    .any(|u| u.conversation_id == i.conversation_id)
                        });
                        list.extend(upserts);
                        sort_queue(list);
                    });
                    if !presence.is_empty() || !gone.is_empty() {
                        agents.update(|list| shared::presence::apply(list, presence, &gone));
                    }
                }
            }
            refresh_on_frame();
        },
    );
    let socket = StoredValue::new_local(socket);
    // Presence by activity: away after five idle minutes, back on the next
    // key or click (unless the agent chose "away" themselves).
    let last_active = StoredValue::new(js_sys::Date::now());
    let auto_away = StoredValue::new(false);
    let set_presence = move |status: PresenceStatus| {
        if let Ok(json) = serde_json::to_string(&InboxClientFrame::Presence { status }) {
            if socket.with_value(|s| s.send(&json)) {
                away.set(status == PresenceStatus::Away);
            }
        }
    };
    let active = move || {
        last_active.set_value(js_sys::Date::now());
        if auto_away.get_value() {
            auto_away.set_value(false);
            set_presence(PresenceStatus::Online);
        }
    };
    // Window listeners outlive the component unless removed: one left
    // behind would read this inbox's values after they are gone.
    let keys = window_event_listener(leptos::ev::keydown, move |_| active());
    let clicks = window_event_listener(leptos::ev::pointerdown, move |_| active());
    on_cleanup(move || {
        keys.remove();
        clicks.remove();
    });
    let idle = set_interval_with_handle(
        move || {
            if !away.get_untracked() && js_sys::Date::now() - last_active.get_value() > IDLE_MS {
                auto_away.set_value(true);
                set_presence(PresenceStatus::Away);
            }
        },
        Duration::from_secs(30),
    )
    .ok();
    on_cleanup(move || {
        if let Some(i) = idle {
            i.clear();
        }
    });
    let toggle_away = move |_| {
        let status = if away.get_untracked() {
            PresenceStatus::Online
        } else {
            PresenceStatus::Away
        };
        if let Ok(json) = serde_json::to_string(&InboxClientFrame::Presence { status }) {
            if socket.with_value(|s| s.send(&json)) {
                away.set(status == PresenceStatus::Away);
            }
        }
    };
    let teams = move || {
        let mut t: Vec<String> = waiting.with(|w| w.iter().map(|i| i.team.clone()).collect());
        t.sort();
        t.dedup();
        t
    };
    // Numbered within each team, in the queue's order.
    let shown = move || {
        let filter = team.get();
        let mut per_team: std::collections::BTreeMap<String, u32> = Default::default();
        waiting
            .get()
            .into_iter()
            .map(|i| {
                let n = per_team.entry(i.team.clone()).or_insert(0);
                *n += 1;
                (*n, i)
            })
            .filter(|(_, i)| filter.is_empty() || i.team == filter)
            .collect::<Vec<_>>()
    };
    // Keyboard first: j/k through waiting then mine, c, r, e, ? (`keys`).
    let help = RwSignal::new(false);
    let sound = RwSignal::new(crate::keys::sound_on());
    crate::keys::listen(
        move || {
            let filter = team.get_untracked();
            let mut ids: Vec<String> = waiting.with_untracked(|w| {
                w.iter()
                    .filter(|i| filter.is_empty() || i.team == filter)
                    .map(|i| i.conversation_id.clone())
                    .collect()
            });
            mine.with_untracked(|m| ids.extend(m.iter().map(|r| r.conversation_id.clone())));
            ids
        },
        selected,
        help,
    );
    crate::keys::title_counts(move || waiting.with(Vec::len));
    // On a phone the conversation sits below the lists: bring it into view
    // when one is opened.
    let pane = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if selected.get().is_some()
            && window().inner_width().ok().and_then(|w| w.as_f64()) < Some(720.0)
        {
            if let Some(pane) = pane.get_untracked() {
                pane.scroll_into_view();
            }
        }
    });
    let reload = reload_tickets;
    let on_changed = Callback::new(move |_: String| {
        refresh();
        reload();
    });
    view! {
        <div class="inbox">
            <aside class="queue" aria-label="Queue">
                <div class="search-slot" node_ref=search_slot>
                    {move || (!searching.get()).then(|| view! {
                        <button type="button" class="open-search" aria-keyshortcuts="/" on:click=open_search.clone()>"Search conversations (/)"</button>
                    })}
                </div>
                <p class="problem" role="alert">{move || search_failed.get().then_some("The search could not be loaded. Check the connection and try again.")}</p>
                <div class="queue-tools">
                    <button type="button" class="presence" on:click=toggle_away>
                        {move || if away.get() { "Away · set online" } else { "Online · set away" }}
                    </button>
                    <button type="button" on:click=move |_| ask_notification_permission()>"Notify me"</button>
                    <button type="button" class="sound" aria-pressed=move || sound.get().to_string()
                        on:click=move |_| { let on = !sound.get_untracked(); crate::keys::set_sound(on); sound.set(on); }>"Sound"</button>
                    <button type="button" class="shortcuts-button" aria-keyshortcuts="?" on:click=move |_| help.set(true)>"Shortcuts (?)"</button>
                    <label>"Team "
                        <select on:change=move |ev| team.set(event_target_value(&ev))>
                            <option value="">"All"</option>
                            {move || teams().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                <p class="online">{move || format!("{} online", agents.with(|a| a.iter().filter(|p| p.status == PresenceStatus::Online).count()))}</p>
                <h2>"Waiting"</h2>
                <ul class="queue-list">
                    <For each=shown key=|(n, i)| (i.conversation_id.clone(), *n) let:entry>
                        <QueueRow position=entry.0 item=entry.1 selected=selected now=now/>
                    </For>
                </ul>
                {move || waiting.with(Vec::is_empty).then(|| view! { <p class="empty">"Nobody is waiting."</p> })}
                <h2>{move || format!("Tickets · {} open", tickets::open_count(ticket_list))}</h2>
                <ul class="queue-list tickets">{move || ref_list(tickets::listed(ticket_list), selected)}</ul>
                <h2>"Mine"</h2>
                <ul class="queue-list mine">{move || ref_list(mine.get(), selected)}</ul>
                <h2>"Resolved today"</h2>
                <ul class="queue-list resolved">{move || ref_list(resolved.get(), selected)}</ul>
            </aside>
            <section class="conversation-pane" aria-label="Conversation" node_ref=pane>
                {move || match selected.get() {
                    Some(id) => view! { <ConversationPane id=id on_changed=on_changed colleagues=agents tickets=ticket_list/> }.into_any(),
                    None => view! { <p class="empty">"Choose a conversation from the queue (or press j)."</p> }.into_any(),
                }}
            </section>
            <crate::keys::Help open=help/>
        </div>
    }
}

/// Conversations as buttons that open them.
fn ref_list(refs: Vec<ConversationRef>, selected: RwSignal<Option<String>>) -> impl IntoView {
    refs.into_iter()
        .map(|r| {
            let id = r.conversation_id.clone();
            let label = r.label.unwrap_or_else(|| {
                let short: String = r.conversation_id.chars().take(8).collect();
                format!("Conversation {short} · {}", r.team.unwrap_or_default())
            });
            view! {
                <li><button type="button" class="queue-item" on:click=move |_| selected.set(Some(id.clone()))>
                    {label}
                </button></li>
            }
        })
        .collect_view()
}

/// Idle time after which an agent counts as away.
const IDLE_MS: f64 = 5.0 * 60_000.0;

/// The queue's order (`shared::handoff::queue_rank`: it does not change
/// with time).
fn sort_queue(list: &mut [QueueItem]) {
    list.sort_by(|a, b| {
        queue_rank(b.base_priority, b.requested_at_ms)
            .total_cmp(&queue_rank(a.base_priority, a.requested_at_ms))
            .then(a.requested_at_ms.cmp(&b.requested_at_ms))
    });
}

#[component]
fn QueueRow(
    position: u32,
    item: QueueItem,
    selected: RwSignal<Option<String>>,
    now: RwSignal<f64>,
) -> impl IntoView {
    let id = item.conversation_id.clone();
    let current = id.clone();
    let mood = match item.sentiment.label {
        Mood::Calm => "calm",
        Mood::Annoyed => "annoyed",
        Mood::Angry => "angry",
    };
    let requested = item.requested_at_ms as f64;
    view! {
        <li>
            <button type="button" class="queue-item" aria-current=move || (selected.get().as_deref() == Some(current.as_str())).to_string()
                on:click=move |_| selected.set(Some(id.clone()))>
                <span class="wants">{item.wants.clone()}</span>
                {item.visitor_name.clone().map(|n| view! { <span class="visitor">"Visitor: "<bdi class="visitor-name">{n}</bdi>{item.verified.then_some(" (verified)")}</span> })}
                <span class="meta">
                    {format!("#{position} · {} · {} · {mood}", item.team_name, item.trigger.as_str().replace('_', " "))}
                    " · "{move || waited(now.get() - requested)}
                </span>
                <span class="reasons">{item.reasons.join("; ")}</span>
            </button>
        </li>
    }
}

/// "3 min", "45 s".
pub fn waited(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0) as u64;
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min", s / 60)
    }
}

fn ask_notification_permission() {
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Default {
        let _ = web_sys::Notification::request_permission();
    }
}

fn notify(item: &QueueItem) {
    crate::keys::chime();
    notice(&format!("New hand-off for {}", item.team_name), &item.wants);
}

fn notify_ticket(team: &str) {
    notice(&format!("A visitor left a question for {team}"), "");
}

fn notice(title: &str, body: &str) {
    if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// Loads the search program into `slot` (`/agent/boot.js`'s `mountSearch`);
/// resolves once it runs, fails if it could not be loaded.
async fn mount_search(slot: &web_sys::HtmlDivElement, site: &str) -> Result<(), ()> {
    let mount = js_sys::Reflect::get(&window(), &"mountSearch".into())
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok())
        .ok_or(())?;
    let loading = mount
        .call2(&wasm_bindgen::JsValue::NULL, slot, &site.into())
        .map_err(|_| ())?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(loading))
        .await
        .map(|_| ())
        .map_err(|_| ())
}
