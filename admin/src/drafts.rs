//! A list being edited in a form (the teams, the proactive messages): each
//! item under a key of its own, so that adding or removing one keeps what
//! was typed in the others, and its fields are named by that key.

use leptos::prelude::*;

pub struct Drafts<T: Send + Sync + 'static> {
    list: RwSignal<Vec<(u32, T)>>,
    next: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Drafts<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Drafts<T> {}

impl<T: Clone + Send + Sync + 'static> Drafts<T> {
    /// None yet: `reset` fills them once the settings are loaded.
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            next: RwSignal::new(0),
        }
    }

    /// The saved items again (after loading or saving), under new keys so
    /// that every row is drawn from them.
    pub fn reset(&self, items: Vec<T>) {
        let first = self.next.get_untracked();
        let n = items.len() as u32;
        self.list.set((first..first + n).zip(items).collect());
        self.next.set(first + n);
    }

    pub fn add(&self, item: T) {
        let key = self.next.get_untracked();
        self.next.set(key + 1);
        self.list.update(|l| l.push((key, item)));
    }

    pub fn remove(&self, key: u32) {
        self.list.update(|l| l.retain(|(k, _)| *k != key));
    }

    /// The items with their keys, tracked (for `<For>`).
    pub fn list(&self) -> Vec<(u32, T)> {
        self.list.get()
    }

    /// The keys of the rows on the form now.
    pub fn keys(&self) -> Vec<u32> {
        self.list
            .with_untracked(|l| l.iter().map(|(k, _)| *k).collect())
    }
}
