/* The demo shop's own script, as a site would use the chat's host-page API
   (README "The host page's API"). The first line is the snippet's stub:
   calls made before loader.js arrives wait in Chat.q. */
window.Chat = window.Chat || function () { (window.Chat.q = window.Chat.q || []).push(arguments); };

/* Chat events for the site's analytics (the Google Tag Manager convention). */
window.dataLayer = window.dataLayer || [];
["open", "close", "unread", "message", "handoff", "rated"].forEach(function (name) {
  window.Chat("on", name, function (detail) {
    window.dataLayer.push({ event: "chat_" + name, detail: detail });
  });
});

/* A "Contact us"-style button of the site that opens the chat. */
document.addEventListener("DOMContentLoaded", function () {
  var ask = document.getElementById("ask-chat");
  if (ask) ask.addEventListener("click", function () { window.Chat("open"); });
});
