import init, { start } from "/pkg/panel/panel.js";
init().then(start);
