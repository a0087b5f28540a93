//! Team alerts (`shared::alerts`): the site's webhooks and their delivery
//! log. A hand-off, a ticket or a rating writes one delivery per hook that
//! wants it and wakes the alarm; the alarm sends what is due, signed, and
//! a failure is tried again later (`RETRY_AFTER_S`). Nothing waits on a
//! receiver: the call that raised the alert has long been answered.

use super::{AddHook, Inbox, RemoveHook, TestHook};
use crate::error::{EdgeError, EdgeResult};
use crate::http::now_ms;
use serde::Deserialize;
use shared::alerts::{self, Alert, AlertEvent, AlertsView, Delivery, Hook, HookFormat};
use shared::protocol::ErrorCode;
use std::time::Duration;
use worker::{Fetch, Headers, Method, RequestInit, RequestRedirect};

/// Deliveries sent per alarm at most; the rest wait for the next one.
const SENDS_PER_WAKE: usize = 20;

#[derive(Deserialize)]
struct HookRow {
    id: i64,
    site: String,
    url: String,
    format: HookFormat,
    events: String,
    secret: String,
    panel_url: String,
}

impl HookRow {
    fn wants(&self, event: AlertEvent) -> bool {
        event == AlertEvent::Test || self.events.split(',').any(|e| e == event.as_str())
    }
}

#[derive(Deserialize)]
struct DueRow {
    seq: i64,
    id: String,
    body: String,
    attempts: u32,
    url: String,
    secret: String,
}

/// What happened, before it is addressed to a hook.
pub struct Happened {
    pub event: AlertEvent,
    pub conversation_id: Option<String>,
    pub team: Option<String>,
    pub reason: Option<shared::protocol::Trigger>,
    pub rating: Option<u8>,
}

impl Happened {
    pub fn handoff(entry: &shared::handoff::QueueEntry) -> Self {
        Self {
            event: AlertEvent::Handoff,
            conversation_id: Some(entry.conversation_id.clone()),
            team: Some(entry.team.clone()),
            reason: Some(entry.trigger),
            rating: None,
        }
    }

    pub fn ticket(conversation_id: String, team: String) -> Self {
        Self {
            event: AlertEvent::Ticket,
            conversation_id: Some(conversation_id),
            team: Some(team),
            reason: None,
            rating: None,
        }
    }
}

impl Inbox {
    /// A visitor rated a conversation: its team from the facts.
    pub(super) async fn raise_rating(&self, conversation_id: String, rating: u8) {
        #[derive(Deserialize)]
        struct TeamRow {
            team: Option<String>,
        }
        let team = self
            .sql()
            .exec(
                "SELECT team FROM facts WHERE conversation_id = ?",
                vec![conversation_id.clone().into()],
            )
            .and_then(|c| c.to_array::<TeamRow>())
            .ok()
            .and_then(|rows| rows.into_iter().next())
            .and_then(|r| r.team);
        self.raise(Happened {
            event: AlertEvent::Rating,
            conversation_id: Some(conversation_id),
            team,
            reason: None,
            rating: Some(rating),
        })
        .await;
    }

    fn hooks(&self) -> EdgeResult<Vec<HookRow>> {
        Ok(self
            .sql()
            .exec(
                "SELECT id, site, url, format, events, secret, panel_url FROM hooks ORDER BY id",
                None,
            )?
            .to_array()?)
    }

    /// The alerts page: hooks and the latest deliveries, newest first.
    pub(super) fn alerts(&self) -> EdgeResult<AlertsView> {
        let hooks = self
            .hooks()?
            .into_iter()
            .map(|h| Hook {
                id: h.id,
                format: h.format,
                events: [AlertEvent::Handoff, AlertEvent::Ticket, AlertEvent::Rating]
                    .into_iter()
                    .filter(|e| h.wants(*e))
                    .collect(),
                url: h.url,
                secret: h.secret,
            })
            .collect();
        let deliveries: Vec<Delivery> = self
            .sql()
            .exec(
                "SELECT id, hook_id, event, at_ms, attempts, status, result FROM deliveries
                 ORDER BY seq DESC LIMIT 50",
                None,
            )?
            .to_array()?;
        Ok(AlertsView { hooks, deliveries })
    }

    /// An admin adds a hook; its address was checked by the route.
    pub(super) fn add_hook(&self, c: AddHook) -> EdgeResult<Hook> {
        if self.hooks()?.len() >= alerts::MAX_HOOKS_PER_SITE {
            return Err(EdgeError::new(
                ErrorCode::RateLimited,
                format!(
                    "A site has {} alert hooks at most: remove one first.",
                    alerts::MAX_HOOKS_PER_SITE
                ),
            ));
        }
        let mut random = uuid::Uuid::new_v4().as_bytes().to_vec();
        random.extend_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
        let secret = alerts::new_secret(&random);
        let events: Vec<&str> = c.hook.events.iter().map(|e| e.as_str()).collect();
        let inserted = self
            .sql()
            .exec(
                "INSERT INTO hooks (site, url, format, events, secret, panel_url, created_ms, created_by)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                vec![
                    c.site.into(),
                    c.hook.url.clone().into(),
                    c.hook.format.as_str().into(),
                    events.join(",").into(),
                    secret.clone().into(),
                    c.panel_url.into(),
                    now_ms().into(),
                    c.by.into(),
                ],
            )?;
        let id = inserted.one::<IdRow>()?.id;
        Ok(Hook {
            id,
            url: c.hook.url,
            format: c.hook.format,
            events: c.hook.events,
            secret,
        })
    }

    /// Removes a hook and what it had still to send.
    pub(super) fn remove_hook(&self, c: RemoveHook) -> EdgeResult<()> {
        self.sql()
            .exec("DELETE FROM hooks WHERE id = ?", vec![c.id.into()])?;
        self.sql().exec(
            "DELETE FROM deliveries WHERE hook_id = ?",
            vec![c.id.into()],
        )?;
        Ok(())
    }

    /// "Send a test": one test delivery to that hook, sent at once.
    pub(super) async fn test_hook(&self, c: TestHook) -> EdgeResult<()> {
        let hooks = self.hooks()?;
        let hook = hooks
            .iter()
            .find(|h| h.id == c.id)
            .ok_or_else(|| EdgeError::new(ErrorCode::NotFound, "No such alert hook."))?;
        let happened = Happened {
            event: AlertEvent::Test,
            conversation_id: None,
            team: None,
            reason: None,
            rating: None,
        };
        self.write_delivery(hook, &happened)?;
        self.wake_at(now_ms()).await
    }

    /// Something hooks may want to hear of happened: one delivery per
    /// hook that wants it, sent by the alarm. A failure here is logged and
    /// never fails the call that raised it.
    pub(super) async fn raise(&self, happened: Happened) {
        let result = async {
            let mut any = false;
            for hook in self.hooks()?.iter().filter(|h| h.wants(happened.event)) {
                self.write_delivery(hook, &happened)?;
                any = true;
            }
            if any {
                self.wake_at(now_ms()).await?;
            }
            Ok::<(), EdgeError>(())
        }
        .await;
        if let Err(e) = result {
            worker::console_error!("alert: {}", e.message);
        }
    }

    fn write_delivery(&self, hook: &HookRow, h: &Happened) -> EdgeResult<()> {
        let now = now_ms();
        let alert = Alert {
            event: h.event,
            site: hook.site.clone(),
            conversation_id: h.conversation_id.clone(),
            team: h.team.clone(),
            reason: h.reason,
            rating: h.rating,
            at_ms: now,
            panel_url: hook.panel_url.clone(),
        };
        let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        self.sql().exec(
            "INSERT INTO deliveries (id, hook_id, event, conversation_id, body, at_ms, next_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                id.into(),
                hook.id.into(),
                h.event.as_str().into(),
                h.conversation_id.clone().into(),
                alerts::body(&alert, hook.format).into(),
                now.into(),
                now.into(),
            ],
        )?;
        // The log keeps the latest lines only.
        self.sql().exec(
            "DELETE FROM deliveries WHERE seq <= (SELECT MAX(seq) FROM deliveries) - ?",
            vec![(alerts::DELIVERY_LOG as i64).into()],
        )?;
        Ok(())
    }

    /// The alarm fires at `at_ms` or earlier (it also flushes the queue).
    pub(super) async fn wake_at(&self, at_ms: i64) -> EdgeResult<()> {
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none_or(|t| t > at_ms) {
            storage.set_alarm((at_ms - now_ms()).max(0)).await?;
        }
        Ok(())
    }

    /// Sends what is due (run by the alarm), then sets the alarm for the
    /// next delivery still pending.
    pub(super) async fn deliver_due(&self) -> EdgeResult<()> {
        let now = now_ms();
        let due: Vec<DueRow> = self
            .sql()
            .exec(
                "SELECT d.seq, d.id, d.body, d.attempts, h.url, h.secret
                 FROM deliveries d JOIN hooks h ON h.id = d.hook_id
                 WHERE d.status = 'pending' AND d.next_ms <= ? ORDER BY d.next_ms LIMIT ?",
                vec![now.into(), (SENDS_PER_WAKE as i64).into()],
            )?
            .to_array()?;
        for d in due {
            let result = send(&d).await;
            let attempts = d.attempts + 1;
            let (status, next) = match &result {
                Ok(_) => ("delivered", None),
                Err(_) => match alerts::retry_after_ms(attempts) {
                    Some(after) => ("pending", Some(now_ms() + after)),
                    None => ("failed", None),
                },
            };
            let said = result.unwrap_or_else(|why| why);
            self.sql().exec(
                "UPDATE deliveries SET attempts = ?, status = ?, next_ms = ?, result = ? WHERE seq = ?",
                vec![
                    i64::from(attempts).into(),
                    status.into(),
                    next.into(),
                    said.into(),
                    d.seq.into(),
                ],
            )?;
        }
        let next: Vec<NextRow> = self
            .sql()
            .exec(
                "SELECT MIN(next_ms) AS next_ms FROM deliveries WHERE status = 'pending'",
                None,
            )?
            .to_array()?;
        if let Some(at) = next.into_iter().next().and_then(|r| r.next_ms) {
            self.wake_at(at).await?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct IdRow {
    id: i64,
}

#[derive(Deserialize)]
struct NextRow {
    next_ms: Option<i64>,
}

/// One attempt: `Ok` with what the receiver said if it took it (2xx),
/// `Err` with why not.
async fn send(d: &DueRow) -> Result<String, String> {
    let timestamp_s = now_ms() / 1_000;
    let timestamp = timestamp_s.to_string();
    let headers = Headers::new();
    let signature = alerts::signature(&d.secret, &d.id, timestamp_s, &d.body);
    for (name, value) in [
        ("content-type", "application/json"),
        ("user-agent", "chat-edge-alerts/1"),
        ("webhook-id", d.id.as_str()),
        ("webhook-timestamp", timestamp.as_str()),
        ("webhook-signature", signature.as_str()),
    ] {
        headers.set(name, value).map_err(|e| e.to_string())?;
    }
    let mut init = RequestInit::new();
    // A redirect is the receiver's answer, not a second address to send
    // the signed alert to (it could lead anywhere the admin did not check).
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(d.body.clone().into()));
    let request = worker::Request::new_with_init(&d.url, &init).map_err(|e| e.to_string())?;
    let fetch = Fetch::Request(request);
    let attempt = fetch.send();
    let timeout = worker::Delay::from(Duration::from_millis(alerts::TIMEOUT_MS));
    futures_util::pin_mut!(attempt);
    match futures_util::future::select(attempt, timeout).await {
        futures_util::future::Either::Left((Ok(response), _)) => {
            let status = response.status_code();
            let said = format!("HTTP {status}");
            if (200..300).contains(&status) {
                Ok(said)
            } else {
                Err(said)
            }
        }
        futures_util::future::Either::Left((Err(e), _)) => Err(format!("not reached: {e}")),
        futures_util::future::Either::Right(_) => {
            Err(format!("no answer in {} s", alerts::TIMEOUT_MS / 1_000))
        }
    }
}
