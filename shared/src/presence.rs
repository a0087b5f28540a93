//! Who of a site's agents is connected, as the desk lists them: one line
//! per agent however many tabs they have open, and the changes the inbox
//! sends when that list moves (only the agents that changed, so a frame
//! stays small however many agents are online).

use crate::protocol::{AgentPresence, PresenceStatus};

/// One line per agent, ordered by name; an agent online in any tab is
/// online.
pub fn one_line_per_agent(mut lines: Vec<AgentPresence>) -> Vec<AgentPresence> {
    lines.sort_by(|a, b| {
        (&a.name, &a.id, a.status != PresenceStatus::Online).cmp(&(
            &b.name,
            &b.id,
            b.status != PresenceStatus::Online,
        ))
    });
    lines.dedup_by(|a, b| a.id == b.id);
    lines
}

/// What a presence change tells the desks about `touched` agents, given
/// the list now: their line if they are still connected, else their id
/// as gone.
pub fn changes(now: &[AgentPresence], touched: &[String]) -> (Vec<AgentPresence>, Vec<String>) {
    let changed = now
        .iter()
        .filter(|a| touched.contains(&a.id))
        .cloned()
        .collect();
    let gone = touched
        .iter()
        .filter(|id| !now.iter().any(|a| &a.id == *id))
        .cloned()
        .collect();
    (changed, gone)
}

/// Applies a change to a desk's list. Applying the same change twice, or a
/// change the list already shows (a snapshot taken after it), leaves the
/// list as it was.
pub fn apply(list: &mut Vec<AgentPresence>, changed: Vec<AgentPresence>, gone: &[String]) {
    list.retain(|a| !gone.contains(&a.id) && !changed.iter().any(|c| c.id == a.id));
    list.extend(changed);
    *list = one_line_per_agent(std::mem::take(list));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, name: &str, status: PresenceStatus) -> AgentPresence {
        AgentPresence {
            id: id.into(),
            name: name.into(),
            teams: vec!["workshop".into()],
            status,
        }
    }

    #[test]
    fn an_agent_with_two_tabs_is_one_line_and_online_if_either_is() {
        let lines = one_line_per_agent(vec![
            line("b", "Bea", PresenceStatus::Away),
            line("a", "Ana", PresenceStatus::Away),
            line("b", "Bea", PresenceStatus::Online),
        ]);
        assert_eq!(
            lines,
            vec![
                line("a", "Ana", PresenceStatus::Away),
                line("b", "Bea", PresenceStatus::Online)
            ]
        );
    }

    #[test]
    fn a_change_names_only_the_touched_agents_and_those_gone() {
        let now = vec![
            line("a", "Ana", PresenceStatus::Online),
            line("b", "Bea", PresenceStatus::Away),
        ];
        let (changed, gone) = changes(&now, &["b".into(), "c".into()]);
        assert_eq!(changed, vec![line("b", "Bea", PresenceStatus::Away)]);
        assert_eq!(gone, vec!["c".to_string()]);
    }

    #[test]
    fn applying_changes_reaches_the_list_the_inbox_has_and_is_idempotent() {
        let mut desk = vec![
            line("a", "Ana", PresenceStatus::Online),
            line("c", "Cy", PresenceStatus::Online),
        ];
        let now = vec![
            line("a", "Ana", PresenceStatus::Online),
            line("b", "Bea", PresenceStatus::Away),
        ];
        let (changed, gone) = changes(&now, &["b".into(), "c".into()]);
        apply(&mut desk, changed.clone(), &gone);
        assert_eq!(desk, now);
        apply(&mut desk, changed, &gone);
        assert_eq!(desk, now, "a change applied twice");
    }

    #[test]
    fn a_snapshot_taken_after_a_change_is_not_undone_by_it() {
        // A desk that connects between a change and its flush has the new
        // state in its snapshot; the flush then tells it the same again.
        let now = vec![line("a", "Ana", PresenceStatus::Away)];
        let mut desk = now.clone();
        let (changed, gone) = changes(&now, &["a".into()]);
        apply(&mut desk, changed, &gone);
        assert_eq!(desk, now);
    }
}
