/* The link in an answer mail (/mail/<site>/open?lang=..#<token>): trades
   its single-use token for a key of this browser's own to the
   conversation, keeps it where the widget looks (the same localStorage
   key), and opens the chat. The token travels in the fragment, so it is
   in no server log or Referer, and mail scanners that fetch links do not
   spend it (they do not run this). */
(function () {
  "use strict";
  var site = location.pathname.split("/")[2];
  var token = location.hash.slice(1);
  var chat = "/chat/" + site + location.search;
  history.replaceState(null, "", location.pathname + location.search);
  function expired() {
    document.getElementById("expired").hidden = false;
    document.getElementById("waiting").hidden = true;
  }
  if (!token) return expired();
  fetch("/api/v1/mail/reopen", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ site: site, token: token })
  })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (s) {
      if (!s) return expired();
      localStorage.setItem("chat.v1." + site,
        JSON.stringify({ conversation_id: s.conversation_id, secret: s.visitor_secret }));
      location.replace(chat);
    })
    .catch(expired);
})();
