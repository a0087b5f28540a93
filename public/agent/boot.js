import init, { start } from "/pkg/panel/panel.js";
// Search is a program of its own (`history`), loaded once the desk runs,
// so the desk's download stays small.
window.mountSearch = (slot, site) =>
  import("/pkg/history/history.js").then(async (search) => {
    await search.default();
    search.mount(slot, site);
  });
// Photos: the code that sends them (shared with the widget) loads with
// the first one (one import, so photos keep their order).
let photo;
window.panelSendPhoto = (file, url, csrf, status, alt) =>
  (photo ||= import("/photo.js").catch((e) => { photo = null; throw e; }))
    .then((m) => m.send(file, url, { "x-csrf-token": csrf }, "en", status, alt))
    .catch(() => {
      status.textContent = "The photo could not be sent. Check the connection and try again.";
      return "failed";
    });
init().then(start);
