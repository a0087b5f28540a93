/* The launcher's unread badge, from a hidden frame on the edge's origin:
   only that origin can read the visitor's conversation key (the widget
   keeps it in its own localStorage), so this page reads it, asks the
   edge how many of the team's messages wait unseen, and tells the host
   page's loader the number — nothing else leaves. No conversation: no
   request at all. */
(function () {
  "use strict";
  var site = location.pathname.split("/")[2];
  /* A signed-in visitor's conversation is kept under a key of theirs. */
  var visitor = document.querySelector("meta[name=chat-visitor]");
  var session = null;
  try {
    session = JSON.parse(localStorage.getItem("chat.v1." + site + (visitor ? "." + visitor.content : "")));
  } catch (e) {}
  if (!session || !session.conversation_id || !session.secret) return;
  fetch("/api/v1/conversations/" + encodeURIComponent(session.conversation_id) + "/unread", {
    headers: { authorization: "Bearer " + session.secret }
  })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (a) {
      /* The host page may be any origin the site allows to embed the
         frame (frame-ancestors); the message carries only a count. */
      if (a && a.unread > 0) parent.postMessage({ type: "chat:unread", n: a.unread }, "*");
    })
    .catch(function () {});
})();
