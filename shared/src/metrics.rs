//! Support metrics, computed from what each conversation recorded: per day
//! (UTC) and per team, conversations, AI-only share (deflection), escalation
//! rate by trigger, a person's first response after a hand-off, time to
//! resolution, satisfaction, and the demand nobody met live: visitors who
//! asked for a person outside hours or with nobody online, the questions
//! they left, and how soon those were answered.

use crate::protocol::{ContactReason, Trigger};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one conversation contributes, derived from its stored events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationFacts {
    pub conversation_id: String,
    pub created_ms: i64,
    /// The team it was handed to.
    pub team: Option<String>,
    pub trigger: Option<Trigger>,
    pub handoff_ms: Option<i64>,
    /// A person's first message after the hand-off.
    pub first_reply_ms: Option<i64>,
    pub resolved_ms: Option<i64>,
    pub rating: Option<u8>,
    /// A person was asked for and none could come live (the first reason).
    pub unmet: Option<ContactReason>,
    /// The visitor left a question for the team.
    pub ticket_ms: Option<i64>,
    /// The team's first answer to it.
    pub ticket_answered_ms: Option<i64>,
}

/// Figures for one group of conversations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub conversations: u32,
    /// Never handed to a person.
    pub ai_only: u32,
    pub deflection_rate: f32,
    pub escalations: u32,
    pub escalation_rate: f32,
    /// Escalations by trigger (`person_button`, `frustration`, …).
    pub by_trigger: BTreeMap<String, u32>,
    /// From hand-off to a person's first message.
    pub first_response_median_ms: Option<u64>,
    pub first_response_p90_ms: Option<u64>,
    /// From hand-off to resolution.
    pub resolution_median_ms: Option<u64>,
    pub resolved: u32,
    pub ratings: u32,
    pub csat_average: Option<f32>,
    /// Ratings per resolved conversation.
    pub csat_response_rate: Option<f32>,
    /// Asked for a person outside the team's hours.
    pub asked_outside_hours: u32,
    /// Asked for a person within hours with nobody online, or waited
    /// past the claim time-out.
    pub asked_nobody_there: u32,
    /// Questions left for the team, and how many were answered.
    pub tickets: u32,
    pub tickets_answered: u32,
    /// From the question left to the team's first answer.
    pub ticket_answer_median_ms: Option<u64>,
}

/// One day's figures, overall and per team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayMetrics {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub all: Figures,
    /// Keyed by team id; conversations never handed over are in `all` only.
    pub teams: BTreeMap<String, Figures>,
}

/// Groups conversations by the day they started, newest day first.
pub fn compute(facts: &[ConversationFacts]) -> Vec<DayMetrics> {
    let mut days: BTreeMap<String, Vec<&ConversationFacts>> = BTreeMap::new();
    for f in facts {
        days.entry(utc_day(f.created_ms)).or_default().push(f);
    }
    days.into_iter()
        .rev()
        .map(|(day, group)| {
            let mut by_team: BTreeMap<String, Vec<&ConversationFacts>> = BTreeMap::new();
            for f in &group {
                if let Some(team) = &f.team {
                    by_team.entry(team.clone()).or_default().push(f);
                }
            }
            DayMetrics {
                day,
                all: figures(&group),
                teams: by_team.into_iter().map(|(t, g)| (t, figures(&g))).collect(),
            }
        })
        .collect()
}

fn figures(group: &[&ConversationFacts]) -> Figures {
    let n = group.len() as u32;
    let escalated: Vec<&&ConversationFacts> =
        group.iter().filter(|f| f.handoff_ms.is_some()).collect();
    let mut by_trigger = BTreeMap::new();
    for f in &escalated {
        if let Some(t) = f.trigger {
            *by_trigger.entry(t.as_str().to_string()).or_insert(0) += 1;
        }
    }
    let first: Vec<u64> = escalated
        .iter()
        .filter_map(|f| Some(span(f.handoff_ms?, f.first_reply_ms?)))
        .collect();
    let resolution: Vec<u64> = escalated
        .iter()
        .filter_map(|f| Some(span(f.handoff_ms?, f.resolved_ms?)))
        .collect();
    let resolved = group.iter().filter(|f| f.resolved_ms.is_some()).count() as u32;
    let ratings: Vec<u8> = group.iter().filter_map(|f| f.rating).collect();
    let rate = |k: u32| if n == 0 { 0.0 } else { k as f32 / n as f32 };
    let count =
        |keep: &dyn Fn(&ConversationFacts) -> bool| group.iter().filter(|f| keep(f)).count() as u32;
    let ticket_answers: Vec<u64> = group
        .iter()
        .filter_map(|f| Some(span(f.ticket_ms?, f.ticket_answered_ms?)))
        .collect();
    Figures {
        conversations: n,
        ai_only: n - escalated.len() as u32,
        deflection_rate: rate(n - escalated.len() as u32),
        escalations: escalated.len() as u32,
        escalation_rate: rate(escalated.len() as u32),
        by_trigger,
        first_response_median_ms: percentile(&first, 50),
        first_response_p90_ms: percentile(&first, 90),
        resolution_median_ms: percentile(&resolution, 50),
        resolved,
        ratings: ratings.len() as u32,
        csat_average: (!ratings.is_empty())
            .then(|| ratings.iter().map(|&r| f32::from(r)).sum::<f32>() / ratings.len() as f32),
        csat_response_rate: (resolved > 0).then(|| ratings.len() as f32 / resolved as f32),
        asked_outside_hours: count(&|f| f.unmet == Some(ContactReason::OutsideHours)),
        asked_nobody_there: count(&|f| {
            matches!(
                f.unmet,
                Some(ContactReason::NobodyOnline | ContactReason::NoClaimInTime)
            )
        }),
        tickets: count(&|f| f.ticket_ms.is_some()),
        tickets_answered: ticket_answers.len() as u32,
        ticket_answer_median_ms: percentile(&ticket_answers, 50),
    }
}

fn span(from: i64, to: i64) -> u64 {
    (to - from).max(0) as u64
}

/// Nearest-rank percentile.
fn percentile(values: &[u64], p: u32) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// `YYYY-MM-DD` of a Unix time in milliseconds (UTC), by the civil-from-days
/// algorithm (Howard Hinnant's), so no date library is needed.
pub fn utc_day(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    const T0: i64 = 1_795_305_600_000; // 2026-11-22 00:00 UTC

    fn ai_only(id: &str, at: i64) -> ConversationFacts {
        ConversationFacts {
            conversation_id: id.into(),
            created_ms: at,
            team: None,
            trigger: None,
            handoff_ms: None,
            first_reply_ms: None,
            resolved_ms: None,
            rating: None,
            unmet: None,
            ticket_ms: None,
            ticket_answered_ms: None,
        }
    }

    fn handed(
        id: &str,
        team: &str,
        trigger: Trigger,
        first_after: i64,
        resolved_after: i64,
        rating: Option<u8>,
    ) -> ConversationFacts {
        ConversationFacts {
            team: Some(team.into()),
            trigger: Some(trigger),
            handoff_ms: Some(T0 + 1_000),
            first_reply_ms: Some(T0 + 1_000 + first_after),
            resolved_ms: Some(T0 + 1_000 + resolved_after),
            rating,
            ..ai_only(id, T0)
        }
    }

    #[test]
    fn demand_nobody_met_live_and_the_answers_to_left_questions_are_counted() {
        let left = |id: &str, reason, answered_after: Option<i64>| ConversationFacts {
            team: Some("support".into()),
            unmet: Some(reason),
            ticket_ms: Some(T0 + 1_000),
            ticket_answered_ms: answered_after.map(|a| T0 + 1_000 + a),
            ..ai_only(id, T0)
        };
        let facts = vec![
            left("a", ContactReason::OutsideHours, Some(3_600_000)),
            left("b", ContactReason::OutsideHours, None),
            left("c", ContactReason::NobodyOnline, Some(600_000)),
            ConversationFacts {
                unmet: Some(ContactReason::OutsideHours),
                ..ai_only("d", T0)
            },
            ai_only("e", T0),
        ];
        let all = &compute(&facts)[0].all;
        assert_eq!(all.asked_outside_hours, 3);
        assert_eq!(all.asked_nobody_there, 1);
        assert_eq!(all.tickets, 3);
        assert_eq!(all.tickets_answered, 2);
        assert_eq!(all.ticket_answer_median_ms, Some(600_000));
        // Nobody handed over live: these are not escalations.
        assert_eq!(all.escalations, 0);
    }

    #[test]
    fn days_are_utc_calendar_days() {
        assert_eq!(utc_day(0), "1970-01-01");
        assert_eq!(utc_day(T0), "2026-11-22");
        assert_eq!(utc_day(T0 - 1), "2026-11-21");
        assert_eq!(utc_day(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn a_day_counts_deflection_escalations_response_and_satisfaction() {
        let facts = vec![
            ai_only("a", T0),
            ai_only("b", T0 + 5),
            handed(
                "c",
                "support",
                Trigger::PersonButton,
                30_000,
                300_000,
                Some(5),
            ),
            handed("d", "support", Trigger::Frustration, 90_000, 600_000, None),
            handed(
                "e",
                "billing",
                Trigger::PersonButton,
                60_000,
                120_000,
                Some(3),
            ),
            ai_only("yesterday", T0 - DAY),
        ];
        let days = compute(&facts);
        assert_eq!(
            days.iter().map(|d| d.day.as_str()).collect::<Vec<_>>(),
            vec!["2026-11-22", "2026-11-21"]
        );
        let all = &days[0].all;
        assert_eq!(all.conversations, 5);
        assert_eq!(all.ai_only, 2);
        assert!((all.deflection_rate - 0.4).abs() < 1e-6);
        assert!((all.escalation_rate - 0.6).abs() < 1e-6);
        assert_eq!(all.by_trigger["person_button"], 2);
        assert_eq!(all.by_trigger["frustration"], 1);
        assert_eq!(all.first_response_median_ms, Some(60_000));
        assert_eq!(all.first_response_p90_ms, Some(90_000));
        assert_eq!(all.resolution_median_ms, Some(300_000));
        assert_eq!(all.csat_average, Some(4.0));
        assert!((all.csat_response_rate.unwrap() - 2.0 / 3.0).abs() < 1e-6);
        let support = &days[0].teams["support"];
        assert_eq!(support.conversations, 2);
        assert_eq!(support.csat_average, Some(5.0));
        assert_eq!(days[1].all.deflection_rate, 1.0);
        assert!(days[1].teams.is_empty());
    }

    #[test]
    fn no_data_gives_no_made_up_figures() {
        assert!(compute(&[]).is_empty());
        let day = &compute(&[ai_only("a", T0)])[0].all;
        assert_eq!(day.first_response_median_ms, None);
        assert_eq!(day.csat_average, None);
        assert_eq!(day.csat_response_rate, None);
    }
}
