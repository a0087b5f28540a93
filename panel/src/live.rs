//! A WebSocket that reconnects by itself (exponential backoff with full
//! jitter) until it is dropped. The panel keeps two: the site's inbox and
//! the open conversation.

use leptos::prelude::set_timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, WebSocket};

pub struct Live {
    inner: Rc<Inner>,
}

/// The socket with the callbacks it owns, dropped together.
type Open = (WebSocket, Vec<Closure<dyn FnMut(JsValue)>>);

struct Inner {
    path: String,
    on_open: Box<dyn Fn(&WebSocket)>,
    on_text: Box<dyn Fn(String)>,
    socket: RefCell<Option<Open>>,
    attempts: Cell<u32>,
    closed: Cell<bool>,
}

impl Live {
    /// Opens `path` (same host) and keeps it open.
    pub fn open(
        path: String,
        on_open: impl Fn(&WebSocket) + 'static,
        on_text: impl Fn(String) + 'static,
    ) -> Live {
        let live = Live {
            inner: Rc::new(Inner {
                path,
                on_open: Box::new(on_open),
                on_text: Box::new(on_text),
                socket: RefCell::new(None),
                attempts: Cell::new(0),
                closed: Cell::new(false),
            }),
        };
        connect(&live.inner);
        live
    }

    pub fn send(&self, text: &str) -> bool {
        let socket = self.inner.socket.borrow();
        socket
            .as_ref()
            .filter(|(ws, _)| ws.ready_state() == WebSocket::OPEN)
            .is_some_and(|(ws, _)| ws.send_with_str(text).is_ok())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.inner.closed.set(true);
        if let Some((ws, _)) = self.inner.socket.borrow_mut().take() {
            ws.set_onopen(None);
            ws.set_onmessage(None);
            ws.set_onclose(None);
            let _ = ws.close();
        }
    }
}

fn connect(inner: &Rc<Inner>) {
    if inner.closed.get() {
        return;
    }
    let Some(url) = socket_url(&inner.path) else {
        return;
    };
    let Ok(ws) = WebSocket::new(&url) else {
        return schedule(inner);
    };
    let weak = Rc::downgrade(inner);
    let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if let Some(inner) = weak.upgrade() {
            inner.attempts.set(0);
            if let Some((ws, _)) = inner.socket.borrow().as_ref() {
                (inner.on_open)(ws);
            }
        }
    });
    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let text = event
            .dyn_into::<MessageEvent>()
            .ok()
            .and_then(|e| e.data().as_string());
        if let (Some(inner), Some(text)) = (weak.upgrade(), text) {
            (inner.on_text)(text);
        }
    });
    let weak = Rc::downgrade(inner);
    let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(inner) = weak.upgrade() {
            schedule(&inner);
        }
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    *inner.socket.borrow_mut() = Some((ws, vec![on_open, on_message, on_close]));
}

fn schedule(inner: &Rc<Inner>) {
    if inner.closed.get() {
        return;
    }
    let attempt = inner.attempts.get();
    inner.attempts.set(attempt.saturating_add(1));
    let delay = shared::backoff::RECONNECT.delay_ms(attempt, js_sys::Math::random());
    let weak = Rc::downgrade(inner);
    set_timeout(
        move || {
            if let Some(inner) = weak.upgrade() {
                connect(&inner);
            }
        },
        Duration::from_millis(delay),
    );
}

fn socket_url(path: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}{path}", location.host().ok()?))
}
