//! Every string the widget shows, per language. The AI label and badges
//! are here too: they are product chrome, chosen by locale, never by a
//! setting or a message.

/// One language's strings. `{name}`, `{bytes}` and `{max}` are filled in.
pub struct Strings {
    pub lang: &'static str,
    pub ai_label: &'static str,
    pub default_assistant_name: &'static str,
    pub disclosure: &'static str,
    pub close: &'static str,
    pub log_label: &'static str,
    pub badge_you: &'static str,
    pub badge_ai: &'static str,
    pub badge_person: &'static str,
    pub badge_system: &'static str,
    pub source: &'static str,
    pub did_you_mean: &'static str,
    pub talk_to_person: &'static str,
    pub waiting_for_person: &'static str,
    pub state_bot: &'static str,
    pub state_waiting: &'static str,
    pub connecting: &'static str,
    pub offline: &'static str,
    pub your_message: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub sent: &'static str,
    pub not_sent: &'static str,
    pub retry: &'static str,
    pub too_long: &'static str,
    pub bytes_counter: &'static str,
    pub privacy_notice: &'static str,
    pub privacy_link: &'static str,
    pub delete_conversation: &'static str,
    pub delete_confirm: &'static str,
    pub deleted: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    ai_label: "AI assistant",
    default_assistant_name: "Assistant",
    disclosure: "You are chatting with {name}, an AI assistant. It answers from this site's help pages and can make mistakes. A person is one click away.",
    close: "Close chat",
    log_label: "Conversation",
    badge_you: "You",
    badge_ai: "AI",
    badge_person: "person",
    badge_system: "System",
    source: "Source: ",
    did_you_mean: "Did you mean",
    talk_to_person: "Talk to a person",
    waiting_for_person: "Waiting for a person",
    state_bot: "You are chatting with the AI assistant again.",
    state_waiting: "You asked for a person. Waiting for a person to join.",
    connecting: "Connecting…",
    offline: "Connection lost. Reconnecting… Your messages will be sent when it is back.",
    your_message: "Your message",
    placeholder: "Type your question…",
    send: "Send",
    sending: "Sending…",
    sent: "Sent",
    not_sent: "Not sent: ",
    retry: "Retry",
    too_long: "Your message is too long ({bytes} of at most {max} bytes). Please shorten it.",
    bytes_counter: "{bytes} / {max} bytes",
    privacy_notice: "We store this conversation so we can answer you and a person can pick it up.",
    privacy_link: "Privacy policy",
    delete_conversation: "Delete this conversation",
    delete_confirm: "Delete this conversation for good? This cannot be undone.",
    deleted: "Conversation deleted. Write again to start a new one.",
};

pub const DE: Strings = Strings {
    lang: "de",
    ai_label: "KI-Assistent",
    default_assistant_name: "Assistent",
    disclosure: "Sie chatten mit {name}, einem KI-Assistenten. Er antwortet anhand der Hilfeseiten dieser Website und kann sich irren. Ein Mensch ist nur einen Klick entfernt.",
    close: "Chat schließen",
    log_label: "Unterhaltung",
    badge_you: "Sie",
    badge_ai: "KI",
    badge_person: "Mensch",
    badge_system: "System",
    source: "Quelle: ",
    did_you_mean: "Meinten Sie",
    talk_to_person: "Mit einem Menschen sprechen",
    waiting_for_person: "Warten auf einen Menschen",
    state_bot: "Sie chatten wieder mit dem KI-Assistenten.",
    state_waiting: "Sie haben nach einem Menschen gefragt. Bitte warten Sie, bis jemand dazukommt.",
    connecting: "Verbinden…",
    offline: "Verbindung unterbrochen. Neuer Versuch… Ihre Nachrichten werden gesendet, sobald sie wieder steht.",
    your_message: "Ihre Nachricht",
    placeholder: "Ihre Frage…",
    send: "Senden",
    sending: "Wird gesendet…",
    sent: "Gesendet",
    not_sent: "Nicht gesendet: ",
    retry: "Erneut senden",
    too_long: "Ihre Nachricht ist zu lang ({bytes} von höchstens {max} Bytes). Bitte kürzen Sie sie.",
    bytes_counter: "{bytes} / {max} Bytes",
    privacy_notice: "Wir speichern diese Unterhaltung, um Ihnen zu antworten und damit ein Mensch sie übernehmen kann.",
    privacy_link: "Datenschutz",
    delete_conversation: "Diese Unterhaltung löschen",
    delete_confirm: "Diese Unterhaltung endgültig löschen? Das lässt sich nicht rückgängig machen.",
    deleted: "Unterhaltung gelöscht. Schreiben Sie erneut, um eine neue zu beginnen.",
};

pub const ES: Strings = Strings {
    lang: "es",
    ai_label: "Asistente de IA",
    default_assistant_name: "Asistente",
    disclosure: "Está chateando con {name}, un asistente de IA. Responde a partir de las páginas de ayuda de este sitio y puede equivocarse. Una persona está a un clic.",
    close: "Cerrar chat",
    log_label: "Conversación",
    badge_you: "Usted",
    badge_ai: "IA",
    badge_person: "persona",
    badge_system: "Sistema",
    source: "Fuente: ",
    did_you_mean: "Quiso decir",
    talk_to_person: "Hablar con una persona",
    waiting_for_person: "Esperando a una persona",
    state_bot: "Vuelve a chatear con el asistente de IA.",
    state_waiting: "Ha pedido hablar con una persona. Esperando a que se una alguien.",
    connecting: "Conectando…",
    offline: "Conexión perdida. Reconectando… Sus mensajes se enviarán cuando vuelva.",
    your_message: "Su mensaje",
    placeholder: "Escriba su pregunta…",
    send: "Enviar",
    sending: "Enviando…",
    sent: "Enviado",
    not_sent: "No enviado: ",
    retry: "Reintentar",
    too_long: "Su mensaje es demasiado largo ({bytes} de un máximo de {max} bytes). Acórtelo, por favor.",
    bytes_counter: "{bytes} / {max} bytes",
    privacy_notice: "Guardamos esta conversación para responderle y para que una persona pueda retomarla.",
    privacy_link: "Privacidad",
    delete_conversation: "Eliminar esta conversación",
    delete_confirm: "¿Eliminar esta conversación para siempre? No se puede deshacer.",
    deleted: "Conversación eliminada. Escriba de nuevo para empezar otra.",
};

/// The strings for a BCP 47 tag (`de-AT` → German); English otherwise.
pub fn strings(locale: Option<&str>) -> &'static Strings {
    let primary = locale.unwrap_or("en").split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
    match primary.as_str() {
        "de" => &DE,
        "es" => &ES,
        _ => &EN,
    }
}

/// The strings of the current view (English when none was provided).
pub fn tr() -> &'static Strings {
    leptos::prelude::use_context::<&'static Strings>().unwrap_or(&EN)
}

/// Fills `{bytes}` and `{max}`.
pub fn bytes(template: &str, bytes: usize, max: usize) -> String {
    template.replace("{bytes}", &bytes.to_string()).replace("{max}", &max.to_string())
}
