//! Admins set up a site: the widget's look, where it may be embedded, the
//! hand-off time-out, teams and business hours. Saved settings apply to
//! conversations that start afterwards, without a redeploy. Beside the form:
//! the script tag to paste and a live preview (the real widget frame, in
//! preview mode, which never creates a conversation).

use crate::entries::EntriesEditor;
use crate::identity::IdentitySecret;
use crate::proactive::{read_rules, ProactiveFields, RuleDrafts};
use crate::teams::{read_teams, TeamDrafts, TeamsFields};
use crate::trial::TryQuestion;
use leptos::prelude::*;
use panel::api;
use shared::embed::{AllowOrigin, RefusedOrigin};
use shared::protocol::{KnowledgeSaved, KnowledgeText, KnowledgeVersion};
use shared::site::{Branding, SiteSettings, SiteSettingsView};

#[component]
pub fn SettingsPage(site: String) -> impl IntoView {
    let loaded = RwSignal::new(None::<SiteSettingsView>);
    let problem = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let path = format!("/api/v1/agent/sites/{site}/settings");
    {
        let path = path.clone();
        leptos::task::spawn_local(async move {
            match api::get::<SiteSettingsView>(&path).await {
                Ok(v) => loaded.set(Some(v)),
                Err(e) => problem.set(Some(e.message)),
            }
        });
    }
    // What the preview and the script tag show, as the admin types.
    let look = RwSignal::new(Branding::default());
    let drafts = TeamDrafts::new();
    let nudges = RuleDrafts::new();
    Effect::new(move |_| {
        if let Some(v) = loaded.get() {
            look.set(v.effective.branding.clone());
            drafts.reset(v.effective.handoff.teams.clone());
            nudges.reset(v.effective.proactive.clone());
        }
    });
    let allow_path = format!("{path}/allow");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        problem.set(None);
        let Some(form) = this_form(&ev) else {
            return;
        };
        let settings = match read_form(&form, drafts, nudges) {
            Ok(s) => s,
            Err(why) => return problem.set(Some(why)),
        };
        let body = serde_json::to_string(&settings).unwrap_or_default();
        let path = path.clone();
        leptos::task::spawn_local(async move {
            match api::post(&path, &body).await {
                Ok(text) => {
                    if let Some(v) = panel::json::decode::<SiteSettingsView>(&text) {
                        loaded.set(Some(v));
                    }
                    saved.set(Some(
                        "Saved. Conversations that start from now on use these settings.".into(),
                    ));
                }
                Err(e) => problem.set(Some(e.message)),
            }
        });
    };
    // One click allows a page that was refused the chat.
    let allow = {
        let path = allow_path;
        move |origin: String| {
            let body = serde_json::to_string(&AllowOrigin {
                origin: origin.clone(),
            })
            .unwrap_or_default();
            let path = path.clone();
            saved.set(None);
            problem.set(None);
            leptos::task::spawn_local(async move {
                match api::post(&path, &body).await {
                    Ok(text) => {
                        if let Some(v) = panel::json::decode::<SiteSettingsView>(&text) {
                            loaded.set(Some(v));
                        }
                        saved.set(Some(format!(
                            "{origin} may show the chat now (reload a page that is already open there)."
                        )));
                    }
                    Err(e) => problem.set(Some(e.message)),
                }
            });
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(form) = this_form(&ev) {
            if let Ok(s) = read_form(&form, drafts, nudges) {
                look.set(s.branding);
            }
        }
    };
    let script_tag = script_tag(&site);
    let site_for_preview = site.clone();
    let preview_src = move || look.with(|b| preview_src(&site_for_preview, b));
    let preview_frame = NodeRef::<leptos::html::Iframe>::new();
    let preview_problem = RwSignal::new(None::<String>);
    let preview_loaded = crate::trial::answer_preview(&site, preview_frame, preview_problem);

    view! {
        <section class="settings" aria-labelledby="settings-title">
            <div class="settings-main">
            <h2 id="settings-title">"Site settings"</h2>
            <p class="problem" role="alert">{move || problem.get()}</p>
            <p class="saved" role="status">{move || saved.get()}</p>
            {move || loaded.get().map(|v| {
                let e = v.effective;
                let b = e.branding;
                let default_color = v.settings.branding.color.is_none();
                let refused = refused_list(v.refused_origins, allow.clone());
                view! {
                    <form class="settings-form" on:submit=submit.clone() on:input=on_input>
                        <fieldset>
                            <legend>"Widget"</legend>
                            <label for="s-color">"Brand color"</label>
                            <input id="s-color" name="color" type="color" value=b.color.unwrap_or_else(|| "#1d4ed8".into())/>
                            <label><input type="checkbox" name="color_default" checked=default_color/>" The default colour (the brand colour above is not used)"</label>
                            <label for="s-position">"Launcher position"</label>
                            <select id="s-position" name="position">
                                <option value="right" selected=b.position.as_deref() != Some("left")>"right"</option>
                                <option value="left" selected=b.position.as_deref() == Some("left")>"left"</option>
                            </select>
                            <label for="s-label">"Launcher label"</label>
                            <input id="s-label" name="launcher_label" maxlength="40" value=b.launcher_label.unwrap_or_default()/>
                            <label for="s-name">"Assistant name"</label>
                            <input id="s-name" name="assistant_name" maxlength="40" value=b.assistant_name.unwrap_or_default()/>
                            <label for="s-greeting">"Greeting"</label>
                            <textarea id="s-greeting" name="greeting" maxlength="300" rows="2">{b.greeting.unwrap_or_default()}</textarea>
                            <label><input type="checkbox" name="events_with_text" checked=e.events_with_text/>" The page\u{2019}s message events carry the text (for the site\u{2019}s own scripts: every script on the page can then read what visitors write)"</label>
                        </fieldset>
                        <fieldset>
                            <legend>"Hand-off"</legend>
                            <label for="s-origins">"Sites allowed to show the chat (one origin per line)"</label>
                            <textarea id="s-origins" name="embed_origins" rows="3">{e.embed_origins.join("\n")}</textarea>
                            {refused}
                            <label for="s-timeout">"Seconds a visitor waits for a person before the e-mail option"</label>
                            <input id="s-timeout" name="claim_timeout_s" type="number" min="10" max="3600" value=e.handoff.claim_timeout_s.to_string()/>
                        </fieldset>
                        <fieldset>
                            <legend>"Teams and business hours"</legend>
                            <TeamsFields drafts=drafts/>
                        </fieldset>
                        <fieldset>
                            <legend>"Proactive messages"</legend>
                            <ProactiveFields drafts=nudges/>
                        </fieldset>
                        <button type="submit">"Save settings"</button>
                    </form>
                }
            })}
            <IdentitySecret site=site.clone()/>
            </div>
            <aside class="settings-side" aria-label="Script tag and preview">
            <h3>"Script tag"</h3>
            <p>"Paste it before the closing body tag of every page that shows the chat. The chat appears only on the sites listed under \u{201c}Sites allowed to show the chat\u{201d}: add each one's origin there (like https://shop.example) and save. A page that is not listed shows no launcher; it appears under that list with an \u{201c}Allow\u{201d} button. The launcher's colour, position and label, the greeting and the assistant name follow the saved settings: no need to paste the tag again after a change."</p>
            <pre class="script-tag"><code>{script_tag}</code></pre>
            <h3>"Preview"</h3>
            <p class="hint">"The look as you type it. Questions typed here are answered from the knowledge base below as it stands in the editor, saved or not; nothing is stored and nobody is asked to join. \u{201c}Try a question\u{201d} under the knowledge base shows why."</p>
            <iframe class="preview" title="Widget preview" src=preview_src node_ref=preview_frame on:load=move |_| preview_loaded()></iframe>
            <p class="problem" role="alert">{move || preview_problem.get()}</p>
            <div class="preview-launcher" style:justify-content=move || look.with(|b| if b.position.as_deref() == Some("left") { "flex-start" } else { "flex-end" })>
                // Through the CSSOM (`style:`): the panel's CSP allows no style attributes.
                <span class="launcher-sample" aria-hidden="true"
                    style:background=move || look.with(|b| launcher_colors(b).0)
                    style:color=move || look.with(|b| launcher_colors(b).1)>
                    {move || look.with(|b| b.launcher_label.clone().unwrap_or_else(|| "Chat with us".into()))}
                </span>
            </div>
            </aside>
            <KnowledgeEditor site=site/>
        </section>
    }
}

/// The knowledge base the AI answers from, as text (format in the README):
/// saving makes a new version if it loads; the edge says what is wrong if
/// not. New conversations answer from the newest version.
#[component]
fn KnowledgeEditor(site: String) -> impl IntoView {
    let text = RwSignal::new(None::<KnowledgeText>);
    let history = RwSignal::new(Vec::<KnowledgeVersion>::new());
    let status = RwSignal::new(None::<String>);
    let base = format!("/api/v1/agent/sites/{site}/faq");
    let load = {
        let base = base.clone();
        move || {
            let base = base.clone();
            leptos::task::spawn_local(async move {
                match api::get::<KnowledgeText>(&base).await {
                    Ok(t) => text.set(Some(t)),
                    Err(e) => status.set(Some(e.message)),
                }
                if let Ok(h) = api::get::<Vec<KnowledgeVersion>>(&format!("{base}/versions")).await
                {
                    history.set(h);
                }
            });
        }
    };
    load();
    let reload_text = Callback::new({
        let load = load.clone();
        move |_| load()
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(form) = this_form(&ev) else {
            return;
        };
        let toml = web_sys::FormData::new_with_form(&form)
            .ok()
            .and_then(|d| d.get("toml").as_string())
            .unwrap_or_default();
        #[derive(serde::Serialize)]
        struct Text {
            toml: String,
        }
        let body = serde_json::to_string(&Text { toml }).unwrap_or_default();
        let path = format!("{base}/text");
        let load = load.clone();
        status.set(None);
        leptos::task::spawn_local(async move {
            match api::post(&path, &body).await {
                Ok(answer) => {
                    let version =
                        panel::json::decode::<KnowledgeSaved>(&answer).map_or(0, |s| s.version);
                    status.set(Some(format!(
                        "Saved as version {version}. New conversations answer from it."
                    )));
                    load();
                }
                Err(e) => status.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="knowledge" aria-labelledby="kb-title">
            <h2 id="kb-title">"Knowledge base"</h2>
            <EntriesEditor site=site.clone() on_saved=reload_text/>
            <h3>"The whole text"</h3>
            <p class="kb-status" role="status">{move || status.get()}</p>
            {move || text.get().map(|t| view! {
                <form class="kb-form" on:submit=save.clone()>
                    <label for="kb-text">{format!("The text of version {} (TOML: [settings] and one [[entry]] per question)", t.version)}</label>
                    <textarea id="kb-text" name="toml" rows="18" class="code" spellcheck="false">{t.toml}</textarea>
                    <button type="submit">"Save as a new version"</button>
                </form>
            })}
            <TryQuestion site=site/>
            <h3>"History"</h3>
            <ol class="kb-history">
                {move || history.get().into_iter().map(|v| view! {
                    // The bundled version's author already reads "(bundled with the worker)".
                    <li>{format!("Version {}: {} ({})", v.version, v.change, v.author.trim_matches(['(', ')']))}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The form whose handler runs (handlers sit on the form itself).
fn this_form(ev: &web_sys::Event) -> Option<web_sys::HtmlFormElement> {
    wasm_bindgen::JsCast::dyn_into(ev.current_target()?).ok()
}

/// The settings the form says; a message for the admin when it cannot be
/// read (the edge checks the rest and names the field).
fn read_form(
    form: &web_sys::HtmlFormElement,
    teams: TeamDrafts,
    nudges: RuleDrafts,
) -> Result<SiteSettings, String> {
    let data = web_sys::FormData::new_with_form(form).map_err(|_| "The form cannot be read.")?;
    let field = |name: &str| data.get(name).as_string().unwrap_or_default();
    let text = |name: &str| Some(field(name).trim().to_string()).filter(|s| !s.is_empty());
    let claim_timeout_s = field("claim_timeout_s")
        .trim()
        .parse()
        .map_err(|_| "The waiting time is a whole number of seconds.".to_string())?;
    let default_color = data.get("color_default").as_string().is_some();
    Ok(SiteSettings {
        branding: Branding {
            color: text("color").filter(|_| !default_color),
            position: text("position"),
            greeting: text("greeting"),
            assistant_name: text("assistant_name"),
            launcher_label: text("launcher_label"),
        },
        embed_origins: Some(
            field("embed_origins")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        ),
        claim_timeout_s: Some(claim_timeout_s),
        teams: Some(read_teams(teams, &data)),
        proactive: Some(read_rules(nudges, &data)?),
        events_with_text: Some(data.get("events_with_text").as_string().is_some()),
    })
}

/// The tag a marketer pastes: only the site. The loader asks the edge for
/// the saved look (`/api/v1/sites/{site}/launcher`), so a change here needs
/// no new tag.
fn script_tag(site: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("<script src=\"{origin}/loader.js\" data-site=\"{site}\" async></script>")
}

/// Pages refused the chat, each with its one-click "Allow".
fn refused_list(
    refused: Vec<RefusedOrigin>,
    allow: impl Fn(String) + Clone + 'static,
) -> Option<impl IntoView> {
    (!refused.is_empty()).then(|| {
        let items = refused
            .into_iter()
            .map(|r| {
                let when = js_sys::Date::new(&(r.last_ms as f64).into())
                    .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED);
                let times = match r.count {
                    1 => "once".to_string(),
                    n => format!("{n} times"),
                };
                let seen = format!(" asked {times}, last {}", String::from(when));
                let allow = allow.clone();
                let origin = r.origin.clone();
                view! {
                    <li>
                        <code>{r.origin.clone()}</code>{seen}" "
                        <button type="button" aria-label=format!("Allow {}", r.origin) on:click=move |_| allow(origin.clone())>"Allow"</button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="refused">
                <p id="refused-title">"Pages that tried to show the chat but are not allowed:"</p>
                <ul aria-labelledby="refused-title">{items}</ul>
            </div>
        }
    })
}

/// The launcher's colours as the loader will draw them (the edge derives
/// the text colour the same way, `shared::embed`).
fn launcher_colors(b: &Branding) -> (String, String) {
    let brand = b
        .color
        .as_deref()
        .and_then(shared::color::parse_hex)
        .unwrap_or(shared::embed::DEFAULT_COLOR);
    let text = shared::color::text_on(brand);
    (shared::color::to_hex(brand), shared::color::to_hex(text))
}

fn preview_src(site: &str, b: &Branding) -> String {
    let query = web_sys::UrlSearchParams::new().ok();
    if let Some(q) = &query {
        q.append("preview", "1");
        q.append("lang", "en");
        for (key, value) in [
            ("color", &b.color),
            ("greeting", &b.greeting),
            ("name", &b.assistant_name),
        ] {
            if let Some(v) = value {
                q.append(key, v);
            }
        }
    }
    let query = query
        .map(|q| String::from(q.to_string()))
        .unwrap_or_default();
    format!("/chat/{site}?{query}")
}
