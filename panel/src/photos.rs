//! Sending a photo to the visitor: the file, a description for visitors
//! who cannot see it (the image's alt text), and the send. `photo.js`
//! (loaded with the first photo, shared with the widget) checks the file,
//! makes its thumbnail and posts it; the photo comes back as an event.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// In `boot.js`: loads `photo.js` and sends the photo.
    #[wasm_bindgen(js_namespace = window, js_name = panelSendPhoto)]
    fn send_photo(
        file: &web_sys::File,
        url: &str,
        csrf: &str,
        status: &web_sys::Element,
        alt: &str,
    ) -> js_sys::Promise;
}

#[component]
pub fn PhotoForm(id: String, allowed: Signal<bool>) -> impl IntoView {
    let file: NodeRef<leptos::html::Input> = NodeRef::new();
    let alt = RwSignal::new(String::new());
    let status: NodeRef<leptos::html::Span> = NodeRef::new();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(input), Some(status)) = (file.get_untracked(), status.get_untracked()) else {
            return;
        };
        let Some(photo) = input.files().and_then(|f| f.get(0)) else {
            status.set_text_content(Some("Choose a photo first."));
            return;
        };
        let url = format!("/api/v1/agent/conversations/{id}/photos");
        let sent = send_photo(
            &photo,
            &url,
            &crate::api::csrf(),
            &status,
            &alt.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let code = wasm_bindgen_futures::JsFuture::from(sent).await;
            if code
                .ok()
                .and_then(|c| c.as_string())
                .is_some_and(|c| c.is_empty())
            {
                input.set_value("");
                alt.set(String::new());
            }
        });
    };
    view! {
        <form class="photo-form" aria-label="Send a photo" on:submit=send>
            <label for="photo-file">"Photo (JPEG, PNG or WebP, up to 10 MB)"</label>
            <input id="photo-file" type="file" accept="image/jpeg,image/png,image/webp" node_ref=file/>
            <label for="photo-alt">"Description for visitors who cannot see it"</label>
            <input id="photo-alt" placeholder="e.g. the worn brake pad, front wheel"
                prop:value=move || alt.get() on:input=move |ev| alt.set(event_target_value(&ev))/>
            <button type="submit" disabled=move || !allowed.get()>"Send photo"</button>
            <span class="photo-status" role="status" node_ref=status></span>
        </form>
    }
}
