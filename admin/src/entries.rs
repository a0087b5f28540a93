//! The knowledge base as entries: a list of its questions, and a form per
//! entry (question, other phrasings, answer, source link, tags, team,
//! always-hand-over) with its languages side by side. Saving writes a new
//! version over the one the page loaded (the edge refuses if someone saved
//! in between, so nothing is lost) and checks it loads.

use leptos::prelude::*;
use panel::api;
use shared::faq::{EntriesView, EntryForm, TextForm};
use shared::protocol::KnowledgeSaved;

/// A change to the list of entries, applied to the loaded list and saved.
type Change = Box<dyn FnOnce(&mut Vec<EntryForm>)>;

#[component]
pub fn EntriesEditor(site: String, on_saved: Callback<()>) -> impl IntoView {
    let loaded = RwSignal::new(None::<EntriesView>);
    let editing = RwSignal::new(None::<usize>);
    let status = RwSignal::new(None::<String>);
    let path = format!("/api/v1/agent/sites/{site}/faq/entries");
    let load = {
        let path = path.clone();
        move || {
            let path = path.clone();
            leptos::task::spawn_local(async move {
                match api::get::<EntriesView>(&path).await {
                    Ok(v) => loaded.set(Some(v)),
                    Err(e) => status.set(Some(e.message)),
                }
            });
        }
    };
    load();
    // Saves the list with `change` applied, as a new version.
    let save = {
        let load = load.clone();
        move |change: Change| {
            let Some(mut view) = loaded.get_untracked() else {
                return;
            };
            change(&mut view.entries);
            let body = serde_json::to_string(&view).unwrap_or_default();
            let path = path.clone();
            let load = load.clone();
            status.set(None);
            leptos::task::spawn_local(async move {
                match api::post(&path, &body).await {
                    Ok(text) => {
                        let version =
                            panel::json::decode::<KnowledgeSaved>(&text).map_or(0, |s| s.version);
                        status.set(Some(format!(
                            "Saved as version {version}. New conversations answer from it."
                        )));
                        editing.set(None);
                        load();
                        on_saved.run(());
                    }
                    Err(e) => status.set(Some(e.message)),
                }
            });
        }
    };
    view! {
        <div class="kb-entries">
            <h3>"Entries"</h3>
            <p class="kb-status" role="status">{move || status.get()}</p>
            {move || loaded.get().map(|v| {
                let languages = v.languages.clone();
                let list = v.entries.iter().enumerate().map(|(i, e)| {
                    let langs = std::iter::once(v.languages.first().cloned().unwrap_or_default())
                        .chain(e.translations.keys().cloned())
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <li>
                            <button type="button" class="edit-entry" on:click=move |_| editing.set(Some(i))>{e.question.clone()}</button>
                            <span class="entry-meta">{format!(" {} · {langs}", e.id)}</span>
                        </li>
                    }
                }).collect_view();
                let count = v.entries.len();
                let entry = editing.get().map(|i| (i, v.entries.get(i).cloned().unwrap_or_else(|| blank(count))));
                let save = save.clone();
                view! {
                    <ul class="entry-list">{list}</ul>
                    <button type="button" class="add-entry" on:click=move |_| editing.set(Some(count))>"Add an entry"</button>
                    {entry.map(|(i, e)| view! { <EntryFields index=i entry=e languages=languages.clone() save=save.clone() editing=editing/> })}
                }
            })}
        </div>
    }
}

fn blank(n: usize) -> EntryForm {
    EntryForm {
        id: format!("entry-{}", n + 1),
        language: None,
        question: String::new(),
        phrasings: Vec::new(),
        answer: String::new(),
        source: None,
        tags: Vec::new(),
        team: None,
        handoff: false,
        translations: Default::default(),
    }
}

#[component]
fn EntryFields(
    index: usize,
    entry: EntryForm,
    languages: Vec<String>,
    save: impl Fn(Change) + Clone + 'static,
    editing: RwSignal<Option<usize>>,
) -> impl IntoView {
    let own_language = entry
        .language
        .clone()
        .or_else(|| languages.first().cloned())
        .unwrap_or_default();
    let columns = languages
        .iter()
        .map(|code| {
            let text = if *code == own_language {
                Some(TextForm {
                    question: entry.question.clone(),
                    phrasings: entry.phrasings.clone(),
                    answer: entry.answer.clone(),
                    source: entry.source.clone(),
                })
            } else {
                entry.translations.get(code).cloned()
            };
            let t = text.unwrap_or(TextForm {
                question: String::new(),
                phrasings: Vec::new(),
                answer: String::new(),
                source: None,
            });
            let id = |field: &str| format!("entry-{code}-{field}");
            view! {
                <fieldset class="entry-language">
                    <legend>{language_name(code)}</legend>
                    <label for=id("question")>"Question"</label>
                    <input id=id("question") name=id("question") value=t.question/>
                    <label for=id("phrasings")>"Other ways to ask it (one per line)"</label>
                    <textarea id=id("phrasings") name=id("phrasings") rows="4">{t.phrasings.join("\n")}</textarea>
                    <label for=id("answer")>"Answer"</label>
                    <textarea id=id("answer") name=id("answer") rows="5">{t.answer}</textarea>
                    <label for=id("source")>"Source (a link or a path on the site)"</label>
                    <input id=id("source") name=id("source") value=t.source.unwrap_or_default()/>
                </fieldset>
            }
        })
        .collect_view();
    let existing = !entry.question.is_empty();
    let submit = {
        let save = save.clone();
        let languages = languages.clone();
        let own_language = own_language.clone();
        let language = entry.language.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(data) = form_data(&ev) else {
                return;
            };
            let field = |name: &str| {
                data.get(name)
                    .as_string()
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            let text_of = |code: &str| TextForm {
                question: field(&format!("entry-{code}-question")),
                phrasings: field(&format!("entry-{code}-phrasings"))
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
                answer: field(&format!("entry-{code}-answer")),
                source: Some(field(&format!("entry-{code}-source"))).filter(|s| !s.is_empty()),
            };
            let own = text_of(&own_language);
            let edited = EntryForm {
                id: field("entry-id"),
                language: language.clone(),
                question: own.question,
                phrasings: own.phrasings,
                answer: own.answer,
                source: own.source,
                tags: field("entry-tags")
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect(),
                team: Some(field("entry-team")).filter(|t| !t.is_empty()),
                handoff: data.get("entry-handoff").as_string().is_some(),
                translations: languages
                    .iter()
                    .filter(|code| **code != own_language)
                    .map(|code| (code.clone(), text_of(code)))
                    .filter(|(_, t)| !t.question.is_empty() || !t.answer.is_empty())
                    .collect(),
            };
            save(Box::new(move |entries| {
                if index < entries.len() {
                    entries[index] = edited;
                } else {
                    entries.push(edited);
                }
            }));
        }
    };
    let remove = move |_| {
        save(Box::new(move |entries| {
            if index < entries.len() {
                entries.remove(index);
            }
        }))
    };
    view! {
        <form class="entry-form" on:submit=submit>
            <h4>{if existing { format!("Edit: {}", entry.question) } else { "New entry".to_string() }}</h4>
            <label for="entry-id">"Id (stable: links and metrics use it)"</label>
            <input id="entry-id" name="entry-id" required pattern="[a-z0-9\\-]+" value=entry.id.clone() readonly=existing/>
            <div class="entry-languages">{columns}</div>
            <label for="entry-tags">"Tags (commas between)"</label>
            <input id="entry-tags" name="entry-tags" value=entry.tags.join(", ")/>
            <label for="entry-team">"Team for hand-offs on this topic (its id; empty: the usual route)"</label>
            <input id="entry-team" name="entry-team" value=entry.team.clone().unwrap_or_default()/>
            <label><input type="checkbox" name="entry-handoff" checked=entry.handoff/>" Always hand over to a person (complaints, legal, money)"</label>
            <div class="entry-actions">
                <button type="submit">"Save entry"</button>
                <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                {existing.then(|| view! { <button type="button" class="erase" on:click=remove.clone()>"Delete entry"</button> })}
            </div>
        </form>
    }
}

fn language_name(code: &str) -> &'static str {
    match code {
        "de" => "German",
        "es" => "Spanish",
        _ => "English",
    }
}

fn form_data(ev: &leptos::ev::SubmitEvent) -> Option<web_sys::FormData> {
    let form: web_sys::HtmlFormElement =
        wasm_bindgen::JsCast::dyn_into(ev.current_target()?).ok()?;
    web_sys::FormData::new_with_form(&form).ok()
}
