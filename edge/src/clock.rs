//! Local time in a team's time zone, from the runtime's `Intl` (workerd
//! ships the full time-zone database, so the worker does not).

use js_sys::{Array, Function, Object, Reflect};
use shared::team::{LocalTime, WEEKDAYS};
use wasm_bindgen::{JsCast, JsValue};

/// The weekday and minute in `time_zone` at `now_ms`; `None` for a zone the
/// runtime does not know (the caller logs it and treats the team as open,
/// so a typo never hides people from visitors).
pub fn local_time(time_zone: &str, now_ms: i64) -> Option<LocalTime> {
    let options = Object::new();
    for (key, value) in [
        ("timeZone", time_zone),
        ("weekday", "short"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
    ] {
        Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // `construct` catches the RangeError of an unknown zone.
    let format = Reflect::construct(&ctor, &Array::of2(&"en-US".into(), &options)).ok()?;
    let to_parts: Function = Reflect::get(&format, &"formatToParts".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let date = js_sys::Date::new(&JsValue::from_f64(now_ms as f64));
    let parts: Array = to_parts.call1(&format, &date).ok()?.dyn_into().ok()?;
    let (mut weekday, mut hour, mut minute) = (None, None, None);
    for part in parts.iter() {
        let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
        let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
        match kind.as_str() {
            "weekday" => {
                weekday = WEEKDAYS
                    .iter()
                    .position(|d| value.to_ascii_lowercase().starts_with(d))
            }
            "hour" => hour = value.parse::<u16>().ok(),
            "minute" => minute = value.parse::<u16>().ok(),
            _ => {}
        }
    }
    Some(LocalTime {
        weekday: weekday? as u8,
        minute: (hour? % 24) * 60 + minute?,
    })
}
