//! The two forms a conversation sometimes offers, drawn by hand (see
//! `dom`): the e-mail fallback and the rating. Their fields are read on
//! submit, so there is no state to keep in step while the visitor types.

use crate::dom::{attrs, child, text};
use crate::i18n::{self, Strings};
use shared::protocol::ContactReason;
use web_sys::Element;

/// What a submitted form asks for.
pub enum Submitted {
    Contact { email: String, question: String },
    Rating { score: u8, comment: String },
}

/// Which forms are shown: drawn again only when this changes, so nothing
/// the visitor typed is lost to a redraw.
#[derive(Clone, Copy, PartialEq, Default)]
pub struct Offered {
    pub contact: Option<ContactReason>,
    pub rating: bool,
}

/// Brings `parent` to `offered`, if it changed since `drawn`.
pub fn sync(parent: &Element, drawn: &mut Option<Offered>, offered: Offered, t: &Strings) {
    if *drawn == Some(offered) {
        return;
    }
    *drawn = Some(offered);
    parent.set_text_content(None);
    if let Some(reason) = offered.contact {
        contact(parent, reason, t);
    }
    if offered.rating {
        rating(parent, t);
    }
}

fn label(parent: &Element, target: &str, words: &str) {
    let l = child(parent, "label", "");
    attrs(&l, &[("for", target)]);
    text(&l, words);
}

fn textarea(parent: &Element, id: &str, name: &str) {
    attrs(
        &child(parent, "textarea", ""),
        &[("id", id), ("name", name), ("rows", "2")],
    );
}

fn submit_button(parent: &Element, words: &str) {
    let b = child(parent, "button", "send-button");
    attrs(&b, &[("type", "submit")]);
    text(&b, words);
}

/// The e-mail fallback: address and question. Folded away while the
/// visitor can still wait for a person; open when it is the only way. The
/// address is checked at the edge (`shared::text::valid_email`); its
/// `invalid_email` code is shown in the visitor's language.
fn contact(parent: &Element, reason: ContactReason, t: &Strings) {
    let details = child(parent, "details", "contact");
    if reason == ContactReason::OutsideHours {
        attrs(&details, &[("open", "")]);
    }
    text(&child(&details, "summary", ""), t.contact_toggle);
    let form = child(&details, "form", "contact-form");
    label(&form, "contact-email", t.email_label);
    attrs(
        &child(&form, "input", ""),
        &[
            ("id", "contact-email"),
            ("name", "email"),
            ("type", "email"),
            ("autocomplete", "email"),
            ("required", ""),
        ],
    );
    label(&form, "contact-question", t.question_label);
    textarea(&form, "contact-question", "question");
    submit_button(&form, t.leave_contact);
}

/// After a resolution: 1 to 5 (a radio group the browser requires) and an
/// optional comment, once.
fn rating(parent: &Element, t: &Strings) {
    let form = child(parent, "form", "rating-form");
    let fieldset = child(&form, "fieldset", "");
    text(&child(&fieldset, "legend", ""), t.rate_prompt);
    let scores = child(&fieldset, "div", "scores");
    for n in ["1", "2", "3", "4", "5"] {
        let id = format!("score-{n}");
        attrs(
            &child(&scores, "input", ""),
            &[
                ("type", "radio"),
                ("name", "score"),
                ("id", &id),
                ("required", ""),
                ("value", n),
            ],
        );
        let l = child(&scores, "label", "score");
        attrs(
            &l,
            &[
                ("for", &id),
                ("aria-label", &i18n::fill(t.rate_score, "n", n)),
            ],
        );
        text(&l, n);
    }
    label(&form, "rating-comment", t.rate_comment);
    textarea(&form, "rating-comment", "comment");
    submit_button(&form, t.rate_send);
}

/// Reads a submitted form of ours; `None` for anything else.
pub fn read(form: &web_sys::HtmlFormElement) -> Option<Submitted> {
    let data = web_sys::FormData::new_with_form(form).ok()?;
    let field = |name: &str| data.get(name).as_string().unwrap_or_default();
    match form.class_name().as_str() {
        "contact-form" => Some(Submitted::Contact {
            email: field("email"),
            question: field("question"),
        }),
        "rating-form" => Some(Submitted::Rating {
            score: field("score").parse().ok()?,
            comment: field("comment"),
        }),
        _ => None,
    }
}
