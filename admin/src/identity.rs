//! Settings → Signed-in visitors: the site's identity secret, which the
//! site's server signs visitors' identities with (README "Signed-in
//! visitors"), and a button that makes a new one (the old one keeps
//! working for a day, so servers can switch without visitors noticing).

use leptos::prelude::*;
use panel::api;
use shared::identity::IdentitySecretView;

#[component]
pub fn IdentitySecret(site: String) -> impl IntoView {
    let view_data = RwSignal::new(None::<IdentitySecretView>);
    let status = RwSignal::new(None::<String>);
    let path = format!("/api/v1/agent/sites/{site}/identity");
    {
        let path = path.clone();
        leptos::task::spawn_local(async move {
            match api::get::<IdentitySecretView>(&path).await {
                Ok(v) => view_data.set(Some(v)),
                Err(e) => status.set(Some(e.message)),
            }
        });
    }
    let rotate = move |_| {
        let path = path.clone();
        leptos::task::spawn_local(async move {
            match api::post(&path, "{}").await {
                Ok(text) => {
                    view_data.set(panel::json::decode::<IdentitySecretView>(&text));
                    status.set(Some(
                        "A new secret: sign identities with it from now on.".into(),
                    ));
                }
                Err(e) => status.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="identity" aria-labelledby="identity-title">
            <h3 id="identity-title">"Signed-in visitors"</h3>
            <p>"Your server signs who a signed-in customer is (a JSON Web Token, HS256, with this secret) and the page passes it on with "<code>"Chat('identify', {token})"</code>". Their conversations then follow them to any browser, and agents see them as verified. Keep the secret on your server only."</p>
            <p class="kb-status" role="status">{move || status.get()}</p>
            {move || view_data.get().map(|v| {
                let has = v.secret.is_some();
                let previous = v.previous_until_ms.map(|ms| {
                    let until = js_sys::Date::new(&(ms as f64).into())
                        .to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED);
                    format!("The secret before it keeps working until {}.", String::from(until))
                });
                view! {
                    <p>
                        {if has { "Secret: " } else { "No secret yet: signed identities are refused." }}
                        {v.secret.map(|s| view! { <code class="identity-secret">{s}</code> })}
                    </p>
                    {previous.map(|p| view! { <p>{p}</p> })}
                    <button type="button" class="rotate-identity" on:click=rotate.clone()>
                        {if has { "Make a new secret" } else { "Make a secret" }}
                    </button>
                }
            })}
        </section>
    }
}
