//! Keyboard first: the desk's shortcuts (`shared::shortcuts` decides what
//! a key means), the help that `?` shows, the waiting count in the tab's
//! title, and the optional chime. Actions go through the same buttons a
//! click uses.

use leptos::prelude::*;
use shared::shortcuts::{shortcut, step, KeyPress, Shortcut, HELP};
use wasm_bindgen::JsCast;

/// Listens for shortcuts while the inbox is shown. `order`: the
/// conversations as listed (waiting, then mine).
pub fn listen(
    order: impl Fn() -> Vec<String> + 'static,
    selected: RwSignal<Option<String>>,
    help: RwSignal<bool>,
) {
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        let focused = document().active_element();
        let in_field = focused
            .as_ref()
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        let press = KeyPress {
            key: &key,
            ctrl: ev.ctrl_key(),
            alt: ev.alt_key(),
            meta: ev.meta_key(),
            in_field,
        };
        let Some(action) = shortcut(&press) else {
            return;
        };
        ev.prevent_default();
        match action {
            Shortcut::Next | Shortcut::Previous => {
                let order = order();
                let current = selected.get_untracked();
                let forward = action == Shortcut::Next;
                if let Some(id) = step(&order, current.as_deref(), forward) {
                    selected.set(Some(id.clone()));
                }
            }
            Shortcut::Claim => click(".actions .claim"),
            Shortcut::Resolve => click(".actions .resolve"),
            Shortcut::Reply => focus("#reply"),
            // Search loads when first opened (the `history` program).
            Shortcut::Search if element("#search-words").is_some() => focus("#search-words"),
            Shortcut::Search => click(".open-search"),
            Shortcut::Help => help.set(true),
            Shortcut::Leave if help.get_untracked() => help.set(false),
            Shortcut::Leave => {
                if let Some(e) = focused.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = e.blur();
                }
            }
        }
    });
    on_cleanup(move || keys.remove());
}

fn element(selector: &str) -> Option<web_sys::HtmlElement> {
    document()
        .query_selector(selector)
        .ok()??
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// Clicks a button if it is there and enabled (a disabled one ignores it).
fn click(selector: &str) {
    if let Some(button) = element(selector) {
        button.click();
    }
}

fn focus(selector: &str) {
    if let Some(el) = element(selector) {
        let _ = el.focus();
    }
}

/// `(3) Agent panel` while three visitors wait, so a background tab says so.
pub fn title_counts(waiting: impl Fn() -> usize + 'static) {
    Effect::new(move |_| {
        let n = waiting();
        let title = if n > 0 {
            format!("({n}) Agent panel")
        } else {
            "Agent panel".to_string()
        };
        document().set_title(&title);
    });
    on_cleanup(|| document().set_title("Agent panel"));
}

/// The shortcuts, listed; Escape or the button closes it.
#[component]
pub fn Help(open: RwSignal<bool>) -> impl IntoView {
    let close = NodeRef::<leptos::html::Button>::new();
    // Focus into the dialog when it opens.
    Effect::new(move |_| {
        if open.get() {
            if let Some(b) = close.get() {
                let _ = b.focus();
            }
        }
    });
    move || {
        open.get().then(|| {
            view! {
                <div class="shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
                    <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                    <dl>
                        {HELP.iter().map(|(key, what)| view! { <dt><kbd>{*key}</kbd></dt><dd>{*what}</dd> }).collect_view()}
                    </dl>
                    <button type="button" node_ref=close on:click=move |_| open.set(false)>"Close"</button>
                </div>
            }
        })
    }
}

const SOUND_KEY: &str = "panel.sound";

thread_local! {
    /// One audio context for the page (browsers allow few), made when the
    /// agent turns the sound on: a click, which browsers require.
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Whether the agent turned the chime on (kept in this browser).
pub fn sound_on() -> bool {
    storage()
        .and_then(|s| s.get_item(SOUND_KEY).ok().flatten())
        .as_deref()
        == Some("on")
}

/// Turns the chime on or off, from the agent's click.
pub fn set_sound(on: bool) {
    if let Some(s) = storage() {
        let _ = if on {
            s.set_item(SOUND_KEY, "on")
        } else {
            s.remove_item(SOUND_KEY)
        };
    }
    if on {
        chime();
    }
}

/// A short tone for a new hand-off, or a visitor's message the agent is
/// not looking at; nothing unless the sound is on.
pub fn chime() {
    if !sound_on() {
        return;
    }
    AUDIO.with_borrow_mut(|audio| {
        if audio.is_none() {
            *audio = web_sys::AudioContext::new().ok();
        }
        let Some(ctx) = audio.as_ref() else { return };
        let _ = ctx.resume();
        let (Ok(tone), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
            return;
        };
        tone.frequency().set_value(880.0);
        gain.gain().set_value(0.08);
        let _ = tone.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&ctx.destination());
        let _ = tone.start();
        let _ = tone.stop_with_when(ctx.current_time() + 0.15);
    });
}
