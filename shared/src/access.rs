//! Who may reach what. Agents belong to sites and teams (an empty list
//! means all of them); admins reach everything. A conversation belongs to
//! its site and, once handed over, to the team it waits for or was claimed
//! by: any agent of that team may read it, only the one who claimed it
//! writes in it. What an agent may not reach answers like what does not
//! exist.

use crate::protocol::AgentProfile;

/// The agent works for this site.
pub fn serves_site(agent: &AgentProfile, site: &str) -> bool {
    agent.admin || agent.sites.is_empty() || agent.sites.iter().any(|s| s == site)
}

/// The agent works in this team.
pub fn in_team(agent: &AgentProfile, team: &str) -> bool {
    agent.admin || agent.teams.is_empty() || agent.teams.iter().any(|t| t == team)
}

/// The agent may read a conversation of `site` handed to `team` (`None`:
/// never handed to a person, so only admins see it).
pub fn may_read(agent: &AgentProfile, site: &str, team: Option<&str>) -> bool {
    serves_site(agent, site)
        && match team {
            Some(team) => in_team(agent, team),
            None => agent.admin,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(teams: &[&str], sites: &[&str], admin: bool) -> AgentProfile {
        AgentProfile {
            id: "a".into(),
            name: "A".into(),
            email: "a@example.test".into(),
            teams: teams.iter().map(|t| t.to_string()).collect(),
            sites: sites.iter().map(|s| s.to_string()).collect(),
            admin,
        }
    }

    #[test]
    fn an_agent_reads_only_conversations_of_their_teams_and_sites() {
        let ben = agent(&["billing"], &["demo"], false);
        assert!(may_read(&ben, "demo", Some("billing")));
        assert!(!may_read(&ben, "demo", Some("workshop")));
        assert!(!may_read(&ben, "other", Some("billing")));
        assert!(
            !may_read(&ben, "demo", None),
            "never handed over: admins only"
        );
    }

    #[test]
    fn empty_lists_mean_every_team_and_site_and_admins_reach_everything() {
        let anyone = agent(&[], &[], false);
        assert!(may_read(&anyone, "any", Some("workshop")));
        assert!(!may_read(&anyone, "any", None));
        let admin = agent(&["billing"], &["demo"], true);
        assert!(may_read(&admin, "other", Some("workshop")));
        assert!(may_read(&admin, "other", None));
    }
}
