//! The metrics page: per day (UTC) the figures the edge computes, as
//! numbers and a small inline SVG chart (no chart library).

use crate::api;
use leptos::prelude::*;
use shared::metrics::{DayMetrics, Figures};

#[component]
pub fn MetricsPage(site: String) -> impl IntoView {
    let days = RwSignal::new(None::<Vec<DayMetrics>>);
    let problem = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        match api::get::<Vec<DayMetrics>>(&format!("/api/v1/agent/sites/{site}/metrics")).await {
            Ok(d) => days.set(Some(d)),
            Err(e) => problem.set(Some(e.message)),
        }
    });
    view! {
        <section class="metrics" aria-label="Metrics">
            <h2>"Metrics"</h2>
            <p class="problem" role="alert">{move || problem.get()}</p>
            {move || days.get().map(|d| view! {
                <p class="legend"><span class="key key-all"></span>" conversations "<span class="key key-escalated"></span>" handed to a person"</p>
                <Chart days=d.clone()/>
                <Table days=d/>
            })}
        </section>
    }
}

/// Conversations and escalations per day, oldest left.
#[component]
fn Chart(days: Vec<DayMetrics>) -> impl IntoView {
    let shown: Vec<&DayMetrics> = days.iter().take(14).rev().collect();
    let max = shown
        .iter()
        .map(|d| d.all.conversations)
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = shown
        .iter()
        .enumerate()
        .map(|(i, d)| {
            // Whole pixels: no float formatting in the download.
            let x = 10 + i as u32 * 40;
            let h = d.all.conversations * 100 / max;
            let e = d.all.escalations * 100 / max;
            view! {
                <g>
                    <title>{format!("{}: {} conversations, {} handed over", d.day, d.all.conversations, d.all.escalations)}</title>
                    <rect class="bar-all" x=x y=110 - h width=16 height=h/>
                    <rect class="bar-escalated" x=x + 18 y=110 - e width=16 height=e/>
                    <text x=x y=125 font-size="9">{d.day[5..].to_string()}</text>
                </g>
            }
        })
        .collect_view();
    let width = 20 + shown.len() as u32 * 40;
    view! {
        <svg class="chart" role="img" aria-label="Conversations and hand-offs per day" viewBox=format!("0 0 {width} 130") width=width height=130>
            {bars}
        </svg>
    }
}

#[component]
fn Table(days: Vec<DayMetrics>) -> impl IntoView {
    let rows = days
        .into_iter()
        .flat_map(|d| {
            let mut rows = vec![(d.day.clone(), "all".to_string(), d.all)];
            rows.extend(d.teams.into_iter().map(|(t, f)| (d.day.clone(), t, f)));
            rows
        })
        .map(|(day, team, f)| row(day, team, f))
        .collect_view();
    view! {
        <table class="metrics-table">
            <thead><tr>
                <th scope="col">"Day"</th><th scope="col">"Team"</th><th scope="col">"Conversations"</th>
                <th scope="col">"AI only"</th><th scope="col">"Handed over"</th><th scope="col">"By trigger"</th>
                <th scope="col">"First response (median / p90)"</th><th scope="col">"Resolution (median)"</th>
                <th scope="col">"CSAT"</th><th scope="col">"Rated"</th>
                <th scope="col">"Nobody there live"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn row(day: String, team: String, f: Figures) -> impl IntoView {
    let pct = crate::conversation::percent;
    let dur = |ms: Option<u64>| {
        ms.map_or("–".to_string(), |ms| {
            if ms < 60_000 {
                format!("{} s", ms / 1000)
            } else {
                format!("{} min", ms / 60_000)
            }
        })
    };
    let triggers = f
        .by_trigger
        .iter()
        .map(|(t, n)| format!("{} {n}", t.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr>
            <td>{day}</td><td>{team}</td><td>{f.conversations}</td>
            <td>{format!("{} ({})", f.ai_only, pct(f.deflection_rate))}</td>
            <td>{format!("{} ({})", f.escalations, pct(f.escalation_rate))}</td>
            <td>{triggers}</td>
            <td>{format!("{} / {}", dur(f.first_response_median_ms), dur(f.first_response_p90_ms))}</td>
            <td>{dur(f.resolution_median_ms)}</td>
            <td>{f.csat_average.map_or("–".to_string(), |c| format!("{} / 5", crate::conversation::tenths(c)))}</td>
            <td>{f.csat_response_rate.map_or("–".to_string(), pct)}</td>
            <td>{format!(
                "asked: {} out of hours, {} nobody online · left: {}, answered {} ({})",
                f.asked_outside_hours, f.asked_nobody_there, f.tickets, f.tickets_answered, dur(f.ticket_answer_median_ms)
            )}</td>
        </tr>
    }
}
