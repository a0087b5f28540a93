import init, { start } from "/pkg/admin/admin.js";
init().then(start);
