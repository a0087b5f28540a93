//! Message times in the visitor's language and time zone, through the
//! browser's `Intl` (no locale data in the widget): relative while recent
//! ("now", "5 min ago", "vor 2 Std."), the date and time beyond a day, and
//! always the exact time on hover and on focus (a tap on a phone).
//! Drawn with the log's plain DOM calls (see `log` for why).

use crate::dom::{attrs, child, text};
use crate::i18n::{self, Strings};
use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::Element;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&o, &(*key).into(), &(*value).into());
    }
    o
}

/// The date and time, e.g. "1 Dec 2026, 14:05" (shown on hover or focus).
pub fn exact(at_ms: i64, lang: &str) -> String {
    Date::new(&JsValue::from_f64(at_ms as f64))
        .to_locale_string(
            lang,
            &options(&[("dateStyle", "medium"), ("timeStyle", "short")]),
        )
        .into()
}

/// What the time element shows now.
pub fn relative(at_ms: i64, now_ms: i64, lang: &str) -> String {
    let ago = (now_ms - at_ms).max(0);
    let (value, unit) = match ago {
        a if a < MINUTE_MS => (0, "second"),
        a if a < HOUR_MS => (a / MINUTE_MS, "minute"),
        a if a < DAY_MS => (a / HOUR_MS, "hour"),
        _ => return exact(at_ms, lang),
    };
    let format = Intl::RelativeTimeFormat::new(
        &Array::of1(&lang.into()),
        &options(&[("numeric", "auto"), ("style", "short")]),
    );
    format.format(-(value as f64), unit).into()
}

/// When a closed team is back, in the visitor's language and time zone:
/// "back today at 08:00", "back on Monday at 08:00".
pub fn back_at(at_ms: i64, t: &Strings) -> String {
    let at = Date::new(&JsValue::from_f64(at_ms as f64));
    let time: String = at
        .to_locale_time_string_with_options(
            t.lang,
            &options(&[("hour", "2-digit"), ("minute", "2-digit")]),
        )
        .into();
    if at.to_date_string() == Date::new_0().to_date_string() {
        return i18n::fill(t.back_today, "time", &time);
    }
    let day: String = at
        .to_locale_date_string(t.lang, &options(&[("weekday", "long")]))
        .into();
    i18n::fill(&i18n::fill(t.back_on, "day", &day), "time", &time)
}

thread_local! {
    /// Every time drawn, to age them; ones no longer in the page are
    /// dropped on the next `refresh`.
    static STAMPS: std::cell::RefCell<Vec<(Element, i64)>> = Default::default();
}

/// `<time>` for a stored message: relative text, the exact time as its
/// title and, on focus, beside it (CSS).
pub fn stamp(parent: &Element, at_ms: i64, lang: &str) {
    let el = child(parent, "time", "msg-time");
    let iso: String = Date::new(&JsValue::from_f64(at_ms as f64))
        .to_iso_string()
        .into();
    attrs(
        &el,
        &[
            ("datetime", &iso),
            ("title", &exact(at_ms, lang)),
            ("tabindex", "0"),
        ],
    );
    text(&el, &relative(at_ms, Date::now() as i64, lang));
    STAMPS.with_borrow_mut(|s| s.push((el, at_ms)));
}

/// Ages every message time ("now" becomes "1 min ago").
pub fn refresh(now_ms: i64, lang: &str) {
    STAMPS.with_borrow_mut(|stamps| {
        stamps.retain(|(el, at)| {
            el.set_text_content(Some(&relative(*at, now_ms, lang)));
            el.is_connected()
        })
    });
}
