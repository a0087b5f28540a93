// Sends a photo from the widget or the panel, loaded on the first photo so
// neither download grows. Checks here what can be checked at once (size,
// type by the file's first bytes) so the sender hears straight away, makes
// a thumbnail for the transcript, and posts both with an id that makes a
// resend harmless. The edge checks everything again and removes metadata;
// this code is a courtesy, not a guard.
const MAX_BYTES = 10 * 1024 * 1024;
const THUMB_SIDE = 480;

const WORDS = {
  en: {
    sending: "Sending photo…",
    not_a_photo: "Only JPEG, PNG or WebP photos can be sent.",
    photo_too_large: "This photo is larger than 10 MB. Please send a smaller one.",
    damaged_photo: "This photo cannot be read. Please try another one.",
    photo_limit: "This conversation cannot take more photos.",
    rate_limited: "Too many photos at once. Please wait a minute.",
    wrong_state: "Claim the conversation before sending a photo.",
    conversation_resolved: "This conversation is resolved. Write again to start a new one.",
    photos_unavailable: "Photos cannot be sent here.",
    failed: "The photo could not be sent. Please try again.",
  },
  de: {
    sending: "Foto wird gesendet …",
    not_a_photo: "Es können nur Fotos im Format JPEG, PNG oder WebP gesendet werden.",
    photo_too_large: "Dieses Foto ist größer als 10 MB. Bitte senden Sie ein kleineres.",
    damaged_photo: "Dieses Foto lässt sich nicht lesen. Bitte versuchen Sie ein anderes.",
    photo_limit: "In diesem Gespräch ist kein Platz für weitere Fotos.",
    rate_limited: "Zu viele Fotos auf einmal. Bitte warten Sie eine Minute.",
    conversation_resolved: "Dieses Gespräch ist abgeschlossen. Schreiben Sie erneut, um ein neues zu beginnen.",
    photos_unavailable: "Fotos können hier nicht gesendet werden.",
    failed: "Das Foto konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
  },
  es: {
    sending: "Enviando la foto…",
    not_a_photo: "Solo se pueden enviar fotos JPEG, PNG o WebP.",
    photo_too_large: "Esta foto ocupa más de 10 MB. Envíe una más pequeña, por favor.",
    damaged_photo: "No se puede leer esta foto. Pruebe con otra, por favor.",
    photo_limit: "Esta conversación no admite más fotos.",
    rate_limited: "Demasiadas fotos a la vez. Espere un minuto, por favor.",
    conversation_resolved: "Esta conversación está resuelta. Escriba de nuevo para empezar otra.",
    photos_unavailable: "Aquí no se pueden enviar fotos.",
    failed: "No se pudo enviar la foto. Inténtelo de nuevo.",
  },
};
// Refusals that read the same to the sender.
const SAME = { too_many_pixels: "damaged_photo" };

// JPEG, PNG or WebP by their first bytes.
function isPhoto(b) {
  const at = (i, s) => [...s].every((c, k) => b[i + k] === c.charCodeAt(0));
  return (
    (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) ||
    (b[0] === 0x89 && at(1, "PNG")) ||
    (at(0, "RIFF") && at(8, "WEBP"))
  );
}

// A JPEG at most THUMB_SIDE on its longer side, upright (the browser
// applies the photo's orientation), on white where it was transparent.
async function thumbnail(file) {
  const image = await createImageBitmap(file);
  const scale = Math.min(1, THUMB_SIDE / Math.max(image.width, image.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(image.width * scale));
  canvas.height = Math.max(1, Math.round(image.height * scale));
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(image, 0, 0, canvas.width, canvas.height);
  image.close();
  return new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.8));
}

// Photos go one after another, in the order picked: a conversation takes
// one upload at a time and refuses a second while the first is going.
let line = Promise.resolve();
let queued = 0;
// The first refusal among photos sent together stays in view after the
// others went: a later success must not hide that one photo did not.
let refused = "";

// Posts `file` to `url` (empty: the conversation could not be started)
// with `headers` and an optional description; says how it goes in
// `status`, in `lang`, and ends with it empty when the photo was stored.
// Resolves to the refusal's code, or "" when stored.
export function send(file, url, headers, lang, status, alt) {
  queued++;
  const sent = line.then(() => sendNow(file, url, headers, lang, status, alt));
  line = sent.catch(() => "").then(() => {
    if (--queued === 0) refused = "";
  });
  return sent;
}

async function sendNow(file, url, headers, lang, status, alt) {
  const words = WORDS[lang] || WORDS.en;
  const say = (code) => {
    refused = refused || code;
    const shown = code || refused;
    if (status) status.textContent = shown ? words[SAME[shown] || shown] || words.failed : "";
    return code;
  };
  if (!file || !url) return say("failed");
  if (file.size > MAX_BYTES) return say("photo_too_large");
  let thumb;
  try {
    if (!isPhoto(new Uint8Array(await file.slice(0, 12).arrayBuffer()))) return say("not_a_photo");
    if (status) status.textContent = words.sending;
    thumb = await thumbnail(file);
  } catch (e) {
    return say("damaged_photo");
  }
  const form = new FormData();
  form.append("photo", file);
  if (thumb) form.append("thumb", thumb);
  form.append("client_id", crypto.randomUUID());
  if (alt) form.append("alt", alt);
  try {
    // A stalled upload ends as `failed` rather than holding up the photos behind it.
    const res = await fetch(url, {
      method: "POST",
      headers,
      body: form,
      credentials: "same-origin",
      signal: AbortSignal.timeout(120000),
    });
    if (res.ok) return say("");
    return say((await res.json()).code || "failed");
  } catch (e) {
    return say("failed");
  }
}
