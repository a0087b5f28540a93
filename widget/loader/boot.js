// Starts the widget once its module and wasm are loaded (no inline code, so
// the frame's CSP can forbid it).
import init, { start } from "/pkg/widget/widget.js";
// The identity the host page gave was refused: the site's developer reads
// why here; the chat goes on without it.
var refused = document.querySelector("meta[name=chat-identity-refused]");
if (refused) console.error("chat: identify: " + refused.content);
// Photos: the code that sends them loads with the first one (one import,
// so photos picked while it loads keep their order); if it cannot be
// loaded, the visitor reads `failed` and may try again.
var photo;
window.chatSendPhoto = (file, url, secret, lang, status, failed) =>
  (photo = photo || import("/photo.js").catch((e) => { photo = null; throw e; }))
    .then((m) => m.send(file, url, { authorization: "Bearer " + secret }, lang, status))
    .catch(() => status && (status.textContent = failed));
init().then(start);
