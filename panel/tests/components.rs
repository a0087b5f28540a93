//! Panel components mounted in real headless Chromium (wasm-bindgen-test).

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_panel_shell_mounts_with_its_heading() {
    panel::start();
    let document = web_sys::window().unwrap().document().unwrap();
    let heading = document
        .query_selector("main.panel h1")
        .unwrap()
        .expect("heading");
    assert_eq!(heading.text_content().unwrap(), "Agent panel");
}
