import init, { start } from "/pkg/panel/panel.js";
// Search is a program of its own (`history`), loaded once the desk runs,
// so the desk's download stays small.
window.mountSearch = (slot, site) =>
  import("/pkg/history/history.js").then(async (search) => {
    await search.default();
    search.mount(slot, site);
  });
init().then(start);
