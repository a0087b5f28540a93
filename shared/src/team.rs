//! Teams, their business hours, and which team a hand-off goes to.
//!
//! Hours are given per weekday in the team's own time zone. Turning "now"
//! into a local weekday and minute needs a time-zone database, which the
//! edge's JavaScript runtime has (`Intl`); this module takes the local time
//! and stays pure.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A team that takes hand-offs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Plain id (`support`), used in routes and metrics.
    pub id: String,
    /// Shown to the visitor: "You're waiting for Support".
    pub name: String,
    /// IANA time zone of the hours, e.g. `Europe/Berlin`.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// Opening hours per weekday (`mon` … `sun`) as `"08:00-18:00"`, several
    /// ranges separated by commas. A missing day is closed; no `hours` at
    /// all means always open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<BTreeMap<String, String>>,
}

fn utc() -> String {
    "UTC".into()
}

/// A moment in a team's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    /// 0 is Monday.
    pub weekday: u8,
    /// Minutes since local midnight.
    pub minute: u16,
}

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Team {
    /// Checks the hours and the time zone's shape; the edge calls this when
    /// it reads the configuration.
    pub fn validate(&self) -> Result<(), String> {
        if !crate::protocol::is_valid_site_id(&self.id) {
            return Err(format!(
                "team id `{}` is not plain (a-z, 0-9, '-')",
                self.id
            ));
        }
        let zone_ok = !self.time_zone.is_empty()
            && self.time_zone.len() <= 40
            && self
                .time_zone
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        if !zone_ok {
            return Err(format!(
                "team {}: `{}` is not a time zone like Europe/Berlin",
                self.id, self.time_zone
            ));
        }
        for (day, ranges) in self.hours.iter().flatten() {
            if !WEEKDAYS.contains(&day.as_str()) {
                return Err(format!(
                    "team {}: `{day}` is not a weekday (mon … sun)",
                    self.id
                ));
            }
            parse_ranges(ranges).ok_or_else(|| {
                format!(
                    "team {}: {day} = `{ranges}` is not like 08:00-18:00",
                    self.id
                )
            })?;
        }
        Ok(())
    }

    /// Open at this local time?
    pub fn is_open(&self, at: LocalTime) -> bool {
        let Some(hours) = &self.hours else {
            return true;
        };
        let day = WEEKDAYS[usize::from(at.weekday % 7)];
        hours
            .get(day)
            .and_then(|r| parse_ranges(r))
            .is_some_and(|ranges| {
                ranges
                    .iter()
                    .any(|&(from, to)| (from..to).contains(&at.minute))
            })
    }
}

impl Team {
    /// Minutes from `now` until the team next opens (0 when open now);
    /// `None` when it never opens (no day has hours).
    pub fn minutes_until_open(&self, now: LocalTime) -> Option<u32> {
        if self.is_open(now) {
            return Some(0);
        }
        let hours = self.hours.as_ref()?;
        (0..8u32)
            .flat_map(|ahead| {
                let day = WEEKDAYS[usize::from((u32::from(now.weekday) + ahead) as u8 % 7)];
                hours
                    .get(day)
                    .and_then(|r| parse_ranges(r))
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |(from, _)| ahead * 1440 + u32::from(from))
            })
            .filter(|&at| at > u32::from(now.minute))
            .map(|at| at - u32::from(now.minute))
            .min()
    }
}

/// `"08:00-12:00, 13:00-18:00"` as minute ranges.
fn parse_ranges(text: &str) -> Option<Vec<(u16, u16)>> {
    text.split(',')
        .map(|range| {
            let (from, to) = range.trim().split_once('-')?;
            let (from, to) = (parse_clock(from)?, parse_clock(to)?);
            (from < to).then_some((from, to))
        })
        .collect()
}

fn parse_clock(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// What is known about a hand-off when choosing its team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteHints<'a> {
    /// The FAQ entry the hand-off came from, if any: its id, tags and team.
    pub entry_id: Option<&'a str>,
    pub entry_tags: &'a [String],
    pub entry_team: Option<&'a str>,
    /// The sensitive topic the policy found.
    pub topic: Option<&'a str>,
}

/// The team for a hand-off: the entry's own team, then the site's routes
/// for the entry id, the topic and the entry's tags, then the default team.
/// `routes` maps those names to team ids.
pub fn route<'t>(
    teams: &'t [Team],
    default_team: Option<&str>,
    routes: &BTreeMap<String, String>,
    hints: &RouteHints,
) -> Option<&'t Team> {
    let by_id = |id: &str| teams.iter().find(|t| t.id == id);
    let routed = |key: &str| routes.get(key).and_then(|id| by_id(id));
    hints
        .entry_team
        .and_then(by_id)
        .or_else(|| hints.entry_id.and_then(routed))
        .or_else(|| hints.topic.and_then(routed))
        .or_else(|| hints.entry_tags.iter().find_map(|t| routed(t)))
        .or_else(|| default_team.and_then(by_id))
        .or_else(|| teams.first())
}

#[cfg(test)]
mod opening {
    use super::*;

    fn workshop() -> Team {
        let mut hours = BTreeMap::new();
        hours.insert("mon".to_string(), "08:00-18:00".to_string());
        hours.insert("sat".to_string(), "09:00-12:00".to_string());
        Team {
            id: "workshop".into(),
            name: "the workshop".into(),
            time_zone: "Europe/Berlin".into(),
            hours: Some(hours),
        }
    }

    #[test]
    fn the_next_opening_is_found_across_days_and_weeks() {
        let t = workshop();
        let at = |weekday, h: u16, m: u16| LocalTime {
            weekday,
            minute: h * 60 + m,
        };
        assert_eq!(t.minutes_until_open(at(0, 9, 0)), Some(0), "open now");
        assert_eq!(t.minutes_until_open(at(0, 7, 30)), Some(30));
        // Monday evening: Saturday 09:00.
        assert_eq!(
            t.minutes_until_open(at(0, 19, 0)),
            Some(5 * 1440 - 19 * 60 + 9 * 60)
        );
        // Saturday noon: Monday 08:00.
        assert_eq!(
            t.minutes_until_open(at(5, 12, 0)),
            Some(2 * 1440 - 12 * 60 + 8 * 60)
        );
        let closed = Team {
            hours: Some(BTreeMap::new()),
            ..workshop()
        };
        assert_eq!(closed.minutes_until_open(at(0, 9, 0)), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: &str, hours: &[(&str, &str)]) -> Team {
        Team {
            id: id.into(),
            name: id.to_uppercase(),
            time_zone: "Europe/Berlin".into(),
            hours: Some(
                hours
                    .iter()
                    .map(|(d, h)| (d.to_string(), h.to_string()))
                    .collect(),
            ),
        }
    }

    #[test]
    fn a_team_is_open_within_its_hours_only() {
        let t = team(
            "support",
            &[("mon", "08:00-12:00, 13:00-18:00"), ("sat", "09:00-16:00")],
        );
        t.validate().unwrap();
        let at = |weekday, h: u16, m: u16| LocalTime {
            weekday,
            minute: h * 60 + m,
        };
        assert!(t.is_open(at(0, 8, 0)));
        assert!(!t.is_open(at(0, 12, 30)), "lunch break");
        assert!(!t.is_open(at(0, 18, 0)), "the closing minute is closed");
        assert!(t.is_open(at(5, 15, 59)));
        assert!(!t.is_open(at(6, 10, 0)), "a missing day is closed");
    }

    #[test]
    fn a_team_without_hours_is_always_open() {
        let t = Team {
            id: "x".into(),
            name: "X".into(),
            time_zone: "UTC".into(),
            hours: None,
        };
        assert!(t.is_open(LocalTime {
            weekday: 6,
            minute: 3 * 60
        }));
    }

    #[test]
    fn bad_hours_and_zones_are_refused_with_the_team_named() {
        assert!(team("a", &[("monday", "08:00-18:00")])
            .validate()
            .unwrap_err()
            .contains("not a weekday"));
        assert!(team("a", &[("mon", "18:00-08:00")])
            .validate()
            .unwrap_err()
            .contains("08:00-18:00"));
        assert!(team("a", &[("mon", "8-6")]).validate().is_err());
        let mut t = team("a", &[]);
        t.time_zone = "Europe/Berlin; drop".into();
        assert!(t.validate().unwrap_err().contains("time zone"));
    }

    #[test]
    fn routing_prefers_the_entry_then_routes_then_the_default() {
        let teams = vec![
            team("support", &[]),
            team("billing", &[]),
            team("sales", &[]),
        ];
        let routes: BTreeMap<String, String> = [
            ("payment dispute", "billing"),
            ("prices", "sales"),
            ("warranty", "support"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let tags = vec!["prices".to_string()];
        let pick = |hints: RouteHints| {
            route(&teams, Some("support"), &routes, &hints).map(|t| t.id.as_str())
        };
        assert_eq!(
            pick(RouteHints {
                entry_team: Some("billing"),
                ..Default::default()
            }),
            Some("billing")
        );
        assert_eq!(
            pick(RouteHints {
                topic: Some("payment dispute"),
                ..Default::default()
            }),
            Some("billing")
        );
        assert_eq!(
            pick(RouteHints {
                entry_id: Some("x"),
                entry_tags: &tags,
                ..Default::default()
            }),
            Some("sales")
        );
        assert_eq!(pick(RouteHints::default()), Some("support"));
        assert_eq!(
            route(&teams, None, &routes, &RouteHints::default()).map(|t| t.id.as_str()),
            Some("support")
        );
    }
}
