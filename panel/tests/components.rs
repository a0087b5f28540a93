//! Panel components mounted in real headless Chromium (wasm-bindgen-test).
//! Without a session (no edge here), the panel shows its login form.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn without_a_session_the_panel_asks_to_log_in() {
    panel::start();
    let document = web_sys::window().unwrap().document().unwrap();
    for _ in 0..100 {
        if document
            .query_selector("form.login-form")
            .unwrap()
            .is_some()
        {
            break;
        }
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }
    let form = document
        .query_selector("form.login-form")
        .unwrap()
        .expect("the login form");
    assert!(form
        .query_selector("input[type=password]")
        .unwrap()
        .is_some());
}
