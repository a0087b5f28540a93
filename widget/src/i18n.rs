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
    pub state_resolved: &'static str,
    /// `{team}`: "Waiting for {team}."
    pub waiting_for_team: &'static str,
    /// Waiting because the policy decided, not the visitor.
    pub state_waiting_policy: &'static str,
    /// `{team}`
    pub waiting_for_team_policy: &'static str,
    /// `{n}`
    pub queue_position: &'static str,
    /// `{min}`
    pub expected_wait: &'static str,
    pub wait_unknown: &'static str,
    pub wait_longer: &'static str,
    /// `{name}` is drawn isolated as the person's name.
    pub person_joined: &'static str,
    pub person_left: &'static str,
    pub person_here: &'static str,
    pub contact_outside_hours: &'static str,
    /// `{day}`, `{time}` in the visitor's language and time zone.
    pub back_on: &'static str,
    /// `{time}`
    pub back_today: &'static str,
    pub contact_nobody_online: &'static str,
    pub contact_no_claim: &'static str,
    pub contact_toggle: &'static str,
    pub email_label: &'static str,
    pub question_label: &'static str,
    pub leave_contact: &'static str,
    pub invalid_email: &'static str,
    /// True whether or not the site also sends the answer by e-mail: it
    /// always waits here, and no e-mail is promised that may not come.
    pub contact_left: &'static str,
    /// Beside a team's answer that waited for the visitor.
    pub new_message: &'static str,
    pub rate_prompt: &'static str,
    /// `{n}`
    pub rate_score: &'static str,
    pub rate_comment: &'static str,
    pub rate_send: &'static str,
    pub rated: &'static str,
    pub typing: &'static str,
    pub connecting: &'static str,
    pub offline: &'static str,
    pub your_message: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub sent: &'static str,
    /// Under the visitor's latest message the person has read.
    pub seen: &'static str,
    pub not_sent: &'static str,
    pub not_confirmed: &'static str,
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
    state_resolved: "This conversation is resolved. Write again to start a new one; this one stays here to read.",
    waiting_for_team: "You asked for a person. Waiting for {team}.",
    state_waiting_policy: "This sounds like something for a person. Waiting for one to join.",
    waiting_for_team_policy: "This sounds like something for a person from {team}. Waiting for them to join.",
    queue_position: "You are number {n} in line.",
    expected_wait: "Expected wait: about {min} min.",
    wait_unknown: "Expected wait: not known yet.",
    wait_longer: "This is taking longer than usual. You keep your place in line.",
    person_joined: "{name}, a person, has joined. You won't need to repeat yourself.",
    person_left: "{name} has left. The AI assistant answers again.",
    person_here: "A person is here",
    contact_outside_hours: "Our team is outside its business hours right now. Leave your question and your e-mail address: the team's answer will wait for you here, in this chat.",
    back_on: "The team is back on {day} at {time}.",
    back_today: "The team is back today at {time}.",
    contact_nobody_online: "Nobody from the team is online right now. You can keep waiting here, or leave your e-mail address and your question.",
    contact_no_claim: "This is taking longer than usual, sorry. You keep your place in line; you can also leave your e-mail address and your question.",
    contact_toggle: "Leave your e-mail address instead",
    email_label: "Your e-mail address",
    question_label: "Your question",
    leave_contact: "Send to the team",
    invalid_email: "That e-mail address doesn't look right. Please check it (for example name@example.com).",
    contact_left: "Thanks! The team's answer will wait for you here, in this chat.",
    new_message: "New",
    rate_prompt: "How did we do?",
    rate_score: "{n} of 5",
    rate_comment: "Comment (optional)",
    rate_send: "Send rating",
    rated: "Thank you for your rating.",
    typing: "typing…",
    connecting: "Connecting…",
    offline: "Connection lost. Reconnecting… Your messages will be sent when it is back.",
    your_message: "Your message",
    placeholder: "Type your question…",
    send: "Send",
    sending: "Sending…",
    sent: "Sent",
    seen: "Seen",
    not_sent: "Not sent: ",
    not_confirmed: "Not sent yet. It goes out when the connection is back.",
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
    state_resolved: "Diese Unterhaltung ist erledigt. Schreiben Sie erneut, um eine neue zu beginnen; diese bleibt hier lesbar.",
    waiting_for_team: "Sie haben nach einem Menschen gefragt. Sie warten auf: {team}.",
    state_waiting_policy: "Das klingt nach einem Fall für einen Menschen. Bitte warten Sie, bis jemand dazukommt.",
    waiting_for_team_policy: "Das klingt nach einem Fall für einen Menschen aus dem Team {team}. Bitte warten Sie, bis jemand dazukommt.",
    queue_position: "Sie sind Nummer {n} in der Warteschlange.",
    expected_wait: "Voraussichtliche Wartezeit: etwa {min} Min.",
    wait_unknown: "Voraussichtliche Wartezeit: noch nicht bekannt.",
    wait_longer: "Das dauert länger als üblich. Sie behalten Ihren Platz in der Warteschlange.",
    person_joined: "{name}, ein Mensch, ist dazugekommen. Sie müssen nichts wiederholen.",
    person_left: "{name} hat die Unterhaltung verlassen. Der KI-Assistent antwortet wieder.",
    person_here: "Ein Mensch ist da",
    contact_outside_hours: "Unser Team ist gerade außerhalb der Geschäftszeiten. Hinterlassen Sie Ihre Frage und Ihre E-Mail-Adresse: Die Antwort des Teams wartet hier im Chat auf Sie.",
    back_on: "Das Team ist am {day} um {time} wieder da.",
    back_today: "Das Team ist heute um {time} wieder da.",
    contact_nobody_online: "Gerade ist niemand aus dem Team online. Sie können hier weiter warten oder Ihre E-Mail-Adresse und Ihre Frage hinterlassen.",
    contact_no_claim: "Es dauert leider länger als sonst. Ihr Platz in der Warteschlange bleibt; Sie können auch Ihre E-Mail-Adresse und Ihre Frage hinterlassen.",
    contact_toggle: "Stattdessen E-Mail-Adresse hinterlassen",
    email_label: "Ihre E-Mail-Adresse",
    question_label: "Ihre Frage",
    leave_contact: "An das Team senden",
    invalid_email: "Diese E-Mail-Adresse scheint nicht zu stimmen. Bitte prüfen Sie sie (zum Beispiel name@example.com).",
    contact_left: "Danke! Die Antwort des Teams wartet hier im Chat auf Sie.",
    new_message: "Neu",
    rate_prompt: "Wie waren wir?",
    rate_score: "{n} von 5",
    rate_comment: "Kommentar (freiwillig)",
    rate_send: "Bewertung senden",
    rated: "Danke für Ihre Bewertung.",
    typing: "schreibt…",
    connecting: "Verbinden…",
    offline: "Verbindung unterbrochen. Neuer Versuch… Ihre Nachrichten werden gesendet, sobald sie wieder steht.",
    your_message: "Ihre Nachricht",
    placeholder: "Ihre Frage…",
    send: "Senden",
    sending: "Wird gesendet…",
    sent: "Gesendet",
    seen: "Gesehen",
    not_sent: "Nicht gesendet: ",
    not_confirmed: "Noch nicht gesendet. Die Nachricht geht raus, sobald die Verbindung wieder steht.",
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
    state_resolved: "Esta conversación está resuelta. Escriba de nuevo para empezar otra; esta sigue aquí para leerla.",
    waiting_for_team: "Ha pedido hablar con una persona. Esperando a: {team}.",
    state_waiting_policy: "Esto parece un asunto para una persona. Esperando a que se una alguien.",
    waiting_for_team_policy: "Esto parece un asunto para una persona del equipo {team}. Esperando a que se una alguien.",
    queue_position: "Es el número {n} en la cola.",
    expected_wait: "Espera estimada: unos {min} min.",
    wait_unknown: "Espera estimada: aún no se sabe.",
    wait_longer: "Está tardando más de lo habitual. Mantiene su lugar en la cola.",
    person_joined: "{name}, una persona, se ha unido. No tendrá que repetir nada.",
    person_left: "{name} se ha ido. El asistente de IA vuelve a responder.",
    person_here: "Una persona está aquí",
    contact_outside_hours: "Nuestro equipo está fuera de su horario ahora mismo. Deje su pregunta y su correo electrónico: la respuesta del equipo le esperará aquí, en este chat.",
    back_on: "El equipo vuelve el {day} a las {time}.",
    back_today: "El equipo vuelve hoy a las {time}.",
    contact_nobody_online: "Ahora mismo no hay nadie del equipo conectado. Puede seguir esperando aquí o dejar su correo electrónico y su pregunta.",
    contact_no_claim: "Lo sentimos, tarda más de lo habitual. Conserva su lugar en la cola; también puede dejar su correo electrónico y su pregunta.",
    contact_toggle: "Dejar mi correo electrónico",
    email_label: "Su correo electrónico",
    question_label: "Su pregunta",
    leave_contact: "Enviar al equipo",
    invalid_email: "Ese correo electrónico no parece correcto. Revíselo (por ejemplo nombre@example.com).",
    contact_left: "¡Gracias! La respuesta del equipo le esperará aquí, en este chat.",
    new_message: "Nuevo",
    rate_prompt: "¿Qué tal le hemos atendido?",
    rate_score: "{n} de 5",
    rate_comment: "Comentario (opcional)",
    rate_send: "Enviar valoración",
    rated: "Gracias por su valoración.",
    typing: "escribiendo…",
    connecting: "Conectando…",
    offline: "Conexión perdida. Reconectando… Sus mensajes se enviarán cuando vuelva.",
    your_message: "Su mensaje",
    placeholder: "Escriba su pregunta…",
    send: "Enviar",
    sending: "Enviando…",
    sent: "Enviado",
    seen: "Visto",
    not_sent: "No enviado: ",
    not_confirmed: "Aún no enviado. Saldrá cuando vuelva la conexión.",
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
    let primary = locale
        .unwrap_or("en")
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    match primary.as_str() {
        "de" => &DE,
        "es" => &ES,
        _ => &EN,
    }
}

/// Fills `{bytes}` and `{max}`.
pub fn bytes(template: &str, bytes: usize, max: usize) -> String {
    fill(
        &fill(template, "bytes", &bytes.to_string()),
        "max",
        &max.to_string(),
    )
}

/// The parts of `template` before and after its `{key}`. Written out
/// rather than `split_once("{key}")` or `replace`: a string pattern brings
/// core's two-way searcher into the download (about 0.3 KB gzip).
pub fn split_at<'a>(template: &'a str, key: &str) -> Option<(&'a str, &'a str)> {
    let mut from = 0;
    while let Some(i) = template[from..].find('{') {
        let at = from + i;
        if let Some(after) = template[at + 1..]
            .strip_prefix(key)
            .and_then(|a| a.strip_prefix('}'))
        {
            return Some((&template[..at], after));
        }
        from = at + 1;
    }
    None
}

/// `template` with its `{key}` replaced by `value`.
pub fn fill(template: &str, key: &str, value: &str) -> String {
    match split_at(template, key) {
        Some((before, after)) => [before, value, after].concat(),
        None => template.to_string(),
    }
}
