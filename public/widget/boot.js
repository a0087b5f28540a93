// Starts the widget once its module and wasm are loaded (no inline code, so
// the frame's CSP can forbid it).
import init, { start } from "/pkg/widget/widget.js";
init().then(start);
