//! The agent panel. For now it is the shell that the edge serves at
//! `/agent`; sign-in, the live queue and the conversation view build on it.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[component]
fn Panel() -> impl IntoView {
    view! {
        <main class="panel">
            <h1>"Agent panel"</h1>
            <p>"Agent accounts, the hand-off queue and live replies are not built yet."</p>
        </main>
    }
}

/// Called by `/agent/boot.js` once the module is loaded.
#[wasm_bindgen]
pub fn start() {
    leptos::mount::mount_to_body(Panel);
}
