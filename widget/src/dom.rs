//! The few DOM calls the widget's hand-drawn parts (`log`, `forms`) are
//! made of. Why by hand at all: Leptos's typed views cost about 1 KB of
//! download per element; these parts are large or rarely shown, and the
//! widget has a 100 KB budget. Strings only ever become text nodes or
//! attribute values, never HTML.

use wasm_bindgen::UnwrapThrowExt;
use web_sys::{Document, Element};

/// An element with a class, appended to `parent`.
pub fn child(parent: &Element, tag: &str, class: &str) -> Element {
    let el = document().create_element(tag).unwrap_throw();
    if !class.is_empty() {
        el.set_class_name(class);
    }
    let _ = parent.append_child(&el);
    el
}

/// Text, appended to `parent` as a text node.
pub fn text(parent: &Element, text: &str) {
    let _ = parent.append_child(&document().create_text_node(text));
}

fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).unwrap_throw()
}

/// Sets attributes (values are never parsed as markup).
pub fn attrs(el: &Element, pairs: &[(&str, &str)]) {
    for (name, value) in pairs {
        let _ = el.set_attribute(name, value);
    }
}

/// The element with this id in the widget's own document (its frame).
pub fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// Replaces the text of the element with this id.
pub fn set_text(id: &str, words: &str) {
    if let Some(el) = by_id(id) {
        el.set_text_content(Some(words));
    }
}
