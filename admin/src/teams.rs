//! Teams and their business hours as a form: per team its id, name, time
//! zone (the browser's list) and, unless it is always open, the hours of
//! each weekday (`08:00-18:00`, several ranges separated by commas, empty
//! for closed). The edge checks every value and names the one at fault.

use crate::drafts::Drafts;
use leptos::prelude::*;
use shared::team::Team;
use std::collections::BTreeMap;

pub const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

/// The teams being edited (`Drafts`).
pub type TeamDrafts = Drafts<Team>;

/// The teams as the form says them now.
pub fn read_teams(drafts: TeamDrafts, data: &web_sys::FormData) -> Vec<Team> {
    let field = |key: u32, name: &str| {
        data.get(&format!("team-{key}-{name}"))
            .as_string()
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    drafts
        .keys()
        .into_iter()
        .map(|key| {
            let always = data
                .get(&format!("team-{key}-always"))
                .as_string()
                .is_some();
            let hours = (!always).then(|| {
                WEEKDAYS
                    .iter()
                    .map(|(day, _)| (day.to_string(), field(key, day)))
                    .filter(|(_, h)| !h.is_empty())
                    .collect::<BTreeMap<_, _>>()
            });
            Team {
                id: field(key, "id"),
                name: field(key, "name"),
                time_zone: Some(field(key, "tz"))
                    .filter(|z| !z.is_empty())
                    .unwrap_or_else(|| "UTC".into()),
                hours,
            }
        })
        .collect()
}

/// Every IANA time zone the browser knows, for the picker.
fn time_zones() -> Vec<String> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let supported = intl
        .as_ref()
        .and_then(|i| js_sys::Reflect::get(i, &"supportedValuesOf".into()).ok())
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
    match (intl, supported) {
        (Some(intl), Some(f)) => f
            .call1(&intl, &"timeZone".into())
            .ok()
            .map(|list| {
                js_sys::Array::from(&list)
                    .iter()
                    .filter_map(|z| z.as_string())
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

#[component]
pub fn TeamsFields(drafts: TeamDrafts) -> impl IntoView {
    let add = move |_| {
        drafts.add(Team {
            id: String::new(),
            name: String::new(),
            time_zone: "UTC".into(),
            hours: Some(
                WEEKDAYS[..5]
                    .iter()
                    .map(|(d, _)| (d.to_string(), "09:00-17:00".to_string()))
                    .collect(),
            ),
        })
    };
    view! {
        <datalist id="time-zones">
            {time_zones().into_iter().map(|z| view! { <option value=z/> }).collect_view()}
        </datalist>
        <For each=move || drafts.list() key=|(key, _)| *key let:((key, team))>
            <TeamFields key=key team=team drafts=drafts/>
        </For>
        <button type="button" class="add-team" on:click=add>"Add a team"</button>
    }
}

#[component]
fn TeamFields(key: u32, team: Team, drafts: TeamDrafts) -> impl IntoView {
    let id = move |name: &str| format!("team-{key}-{name}");
    let always = RwSignal::new(team.hours.is_none());
    let hours = team.hours.clone().unwrap_or_default();
    let title = if team.name.is_empty() {
        "New team".to_string()
    } else {
        team.name.clone()
    };
    let remove = move |_| drafts.remove(key);
    view! {
        <fieldset class="team">
            <legend>{title}</legend>
            <label for=id("id")>"Id (letters, digits, dashes; used in routes)"</label>
            <input id=id("id") name=id("id") required pattern="[a-z0-9_\\-]+" value=team.id/>
            <label for=id("name")>"Name shown to visitors"</label>
            <input id=id("name") name=id("name") required maxlength="60" value=team.name/>
            <label for=id("tz")>"Time zone"</label>
            <input id=id("tz") name=id("tz") list="time-zones" value=team.time_zone/>
            <label><input type="checkbox" name=id("always") checked=team.hours.is_none()
                on:change=move |ev| always.set(event_target_checked(&ev))/>" Always open"</label>
            <div class="hours" hidden=move || always.get()>
                {WEEKDAYS.iter().map(|(day, label)| view! {
                    <label for=id(day)>{*label}</label>
                    <input id=id(day) name=id(day) placeholder="closed" pattern="[0-9:, \\-]*"
                        value=hours.get(*day).cloned().unwrap_or_default()/>
                }).collect_view()}
                <p class="hint">"Hours like 08:00-18:00; several ranges with commas (08:00-12:00, 13:00-17:00); empty: closed."</p>
            </div>
            <button type="button" on:click=remove>"Remove this team"</button>
        </fieldset>
    }
}
