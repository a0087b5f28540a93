//! Agent passwords: PBKDF2-HMAC-SHA-256 through the runtime's Web Crypto,
//! 100,000 iterations (the most Workers' Web Crypto allows), a 16-byte
//! random salt per password, 32-byte key. Stored as
//! `pbkdf2-sha256$<iterations>$<salt hex>$<key hex>` so the parameters can
//! rise later without breaking stored hashes.

use crate::credentials::{self, hex};
use crate::error::{EdgeError, EdgeResult};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use shared::protocol::ErrorCode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub const ITERATIONS: u32 = 100_000;

pub async fn hash(password: &str) -> EdgeResult<String> {
    let salt = random_bytes(16)?;
    let key = pbkdf2(password, &salt, ITERATIONS).await?;
    Ok(format!(
        "pbkdf2-sha256${ITERATIONS}${}${}",
        hex(&salt),
        hex(&key)
    ))
}

pub async fn verify(password: &str, stored: &str) -> EdgeResult<bool> {
    let parts: Vec<&str> = stored.split('$').collect();
    let [scheme, iterations, salt, key] = parts.as_slice() else {
        return Ok(false);
    };
    let (Ok(iterations), Some(salt)) = (iterations.parse::<u32>(), unhex(salt)) else {
        return Ok(false);
    };
    if *scheme != "pbkdf2-sha256" {
        return Ok(false);
    }
    let derived = pbkdf2(password, &salt, iterations).await?;
    Ok(credentials::same_hash(&hex(&derived), key))
}

fn js_error(what: &str) -> impl Fn(JsValue) -> EdgeError + '_ {
    move |e| EdgeError::new(ErrorCode::Internal, format!("{what}: {e:?}"))
}

async fn pbkdf2(password: &str, salt: &[u8], iterations: u32) -> EdgeResult<Vec<u8>> {
    let subtle = subtle()?;
    let call = |name: &str, args: Array| -> EdgeResult<JsFuture> {
        let f: Function = Reflect::get(&subtle, &name.into())
            .map_err(js_error(name))?
            .unchecked_into();
        let promise: Promise = f
            .apply(&subtle, &args)
            .map_err(js_error(name))?
            .unchecked_into();
        Ok(JsFuture::from(promise))
    };
    let raw = Uint8Array::from(password.as_bytes());
    let usages = Array::of1(&"deriveBits".into());
    let key = call(
        "importKey",
        Array::of5(
            &"raw".into(),
            &raw,
            &"PBKDF2".into(),
            &false.into(),
            &usages,
        ),
    )?
    .await
    .map_err(js_error("importKey"))?;
    let params = Object::new();
    let set =
        |k: &str, v: &JsValue| Reflect::set(&params, &k.into(), v).map_err(js_error("params"));
    set("name", &"PBKDF2".into())?;
    set("hash", &"SHA-256".into())?;
    set("salt", &Uint8Array::from(salt))?;
    set("iterations", &JsValue::from(iterations))?;
    let bits = call("deriveBits", Array::of3(&params, &key, &JsValue::from(256)))?
        .await
        .map_err(js_error("deriveBits"))?;
    Ok(Uint8Array::new(&bits).to_vec())
}

fn subtle() -> EdgeResult<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(js_error("crypto"))?;
    Reflect::get(&crypto, &"subtle".into()).map_err(js_error("subtle"))
}

fn random_bytes(n: u32) -> EdgeResult<Vec<u8>> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).map_err(js_error("crypto"))?;
    let f: Function = Reflect::get(&crypto, &"getRandomValues".into())
        .map_err(js_error("getRandomValues"))?
        .unchecked_into();
    let buf = Uint8Array::new_with_length(n);
    f.call1(&crypto, &buf)
        .map_err(js_error("getRandomValues"))?;
    Ok(buf.to_vec())
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
