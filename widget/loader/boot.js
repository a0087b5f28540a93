// Starts the widget once its module and wasm are loaded (no inline code, so
// the frame's CSP can forbid it).
import init, { start } from "/pkg/widget/widget.js";
// The identity the host page gave was refused: the site's developer reads
// why here; the chat goes on without it.
var refused = document.querySelector("meta[name=chat-identity-refused]");
if (refused) console.error("chat: identify: " + refused.content);
// Photos: the code that sends them loads with the first one; if it
// cannot be loaded, the visitor reads `failed` and may try again.
window.chatSendPhoto = (file, url, secret, lang, status, failed) =>
  import("/photo.js")
    .then((m) => m.send(file, url, { authorization: "Bearer " + secret }, lang, status))
    .catch(() => status && (status.textContent = failed));
init().then(start);
