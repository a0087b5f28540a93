//! Proactive messages as a form: per message the page path (`*` for
//! anything), the seconds on the page, the language, the text, whether it
//! is from the AI assistant or the team, and whether phones show it. The
//! edge checks every value and names the message at fault.

use crate::drafts::Drafts;
use leptos::prelude::*;
use shared::proactive::{From, Rule};

/// The messages being edited (`Drafts`).
pub type RuleDrafts = Drafts<Rule>;

/// The messages as the form says them now.
pub fn read_rules(drafts: RuleDrafts, data: &web_sys::FormData) -> Result<Vec<Rule>, String> {
    let field = |key: u32, name: &str| {
        data.get(&format!("nudge-{key}-{name}"))
            .as_string()
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    drafts
        .keys()
        .into_iter()
        .map(|key| {
            let after_s = field(key, "after")
                .parse()
                .map_err(|_| "A proactive message waits a whole number of seconds.")?;
            let language = field(key, "lang");
            Ok(Rule {
                path: field(key, "path"),
                after_s,
                languages: if language.is_empty() {
                    Vec::new()
                } else {
                    vec![language]
                },
                text: field(key, "text"),
                from: if field(key, "from") == "team" {
                    From::Team
                } else {
                    From::Ai
                },
                phones: data
                    .get(&format!("nudge-{key}-phones"))
                    .as_string()
                    .is_some(),
            })
        })
        .collect()
}

#[component]
pub fn ProactiveFields(drafts: RuleDrafts) -> impl IntoView {
    let add = move |_| {
        drafts.add(Rule {
            path: "/".into(),
            after_s: 20,
            languages: Vec::new(),
            text: String::new(),
            from: From::Ai,
            phones: false,
        })
    };
    view! {
        <p class="hint">"A short line beside the launcher on the pages you name, after some seconds, once per visitor. It never opens the chat by itself; visitors see whether it is from the AI assistant or your team."</p>
        <For each=move || drafts.list() key=|(key, _)| *key let:((key, rule))>
            <RuleFields key=key rule=rule drafts=drafts/>
        </For>
        <button type="button" class="add-nudge" on:click=add>"Add a proactive message"</button>
    }
}

#[component]
fn RuleFields(key: u32, rule: Rule, drafts: RuleDrafts) -> impl IntoView {
    let id = move |name: &str| format!("nudge-{key}-{name}");
    let language = rule.languages.first().cloned().unwrap_or_default();
    let remove = move |_| drafts.remove(key);
    view! {
        <fieldset class="nudge">
            <legend>{if rule.text.is_empty() { "New proactive message".to_string() } else { rule.text.clone() }}</legend>
            <label for=id("text")>"Text"</label>
            <textarea id=id("text") name=id("text") required maxlength="200" rows="2">{rule.text.clone()}</textarea>
            <label for=id("path")>"Pages (a path; * for anything, like /bikes/e-*)"</label>
            <input id=id("path") name=id("path") required value=rule.path.clone()/>
            <label for=id("after")>"Seconds on the page first"</label>
            <input id=id("after") name=id("after") type="number" min="0" max="600" value=rule.after_s.to_string()/>
            <label for=id("lang")>"For visitors reading"</label>
            <select id=id("lang") name=id("lang")>
                {[("", "any language"), ("en", "English"), ("de", "German"), ("es", "Spanish")].map(|(code, name)| view! {
                    <option value=code selected=language == code>{name}</option>
                }).collect_view()}
            </select>
            <label for=id("from")>"From"</label>
            <select id=id("from") name=id("from")>
                <option value="ai" selected=rule.from == From::Ai>"the AI assistant"</option>
                <option value="team" selected=rule.from == From::Team>"the team"</option>
            </select>
            <label><input type="checkbox" name=id("phones") checked=rule.phones/>" Also on phones"</label>
            <button type="button" on:click=remove>"Remove this message"</button>
        </fieldset>
    }
}
