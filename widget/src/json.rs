//! JSON through the browser's own parser and serialiser: `serde_json` would
//! add its parser to the download (about 10 KB gzip) for no gain here.

use serde::{de::DeserializeOwned, Serialize};

pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

pub fn encode<T: Serialize>(value: &T) -> Option<String> {
    let js = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()?;
    js_sys::JSON::stringify(&js).ok()?.as_string()
}
