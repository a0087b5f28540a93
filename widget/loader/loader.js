/* Chat loader. The one script a site pastes:
 *   <script src="https://YOUR-EDGE/loader.js" data-site="YOUR-SITE" async></script>
 * It draws a launcher button and opens the chat in a frame served by the edge
 * only when the visitor asks. No eval, no inline code, no cookies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__chatLoader) return;
  window.__chatLoader = true;

  var origin = new URL(script.src, location.href).origin;
  var data = script.dataset;
  var text300 = /^[\s\S]{1,300}$/;
  var checks = {
    site: /^[a-z0-9-]{1,40}$/,
    color: /^#([0-9a-f]{3}|[0-9a-f]{6})$/i,
    position: /^(left|right)$/,
    launcherLabel: /^[^<>]{1,40}$/,
    greeting: text300,
    greetingEn: text300,
    greetingDe: text300,
    greetingEs: text300,
    assistantName: /^[^<>]{1,40}$/,
    locale: /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/,
    open: /^(true|false)$/,
    privacyUrl: /^(https:\/\/|\/)[^\s<>"]{0,300}$/,
    visitorName: /^.{1,60}$/,
    sound: /^(true|false)$/
  };
  var opt = {};
  Object.keys(data).forEach(function (key) {
    if (checks[key] && checks[key].test(data[key])) opt[key] = data[key];
    else console.warn("chat: ignoring data-" + key.replace(/[A-Z]/g, "-$&").toLowerCase() + "=\"" + data[key] + "\"");
  });
  if (!opt.site) return;

  var locale = opt.locale || document.documentElement.lang || navigator.language || "en";
  function lang() { return locale.slice(0, 2).toLowerCase(); }
  /* data-greeting is in the language the chat starts in; data-greeting-de
     (-en, -es) in the others, so a visitor who switches language never
     reads a greeting in one they did not choose. */
  var startLang = lang();
  function greeting() {
    var l = lang();
    return opt["greeting" + l[0].toUpperCase() + l[1]] || (l === startLang ? opt.greeting : "");
  }
  var words = {
    en: ["Chat with us", "Close chat", "unread"],
    de: ["Chat starten", "Chat schließen", "ungelesen"],
    es: ["Chatear", "Cerrar chat", "sin leer"]
  }[locale.slice(0, 2).toLowerCase()] || ["Chat with us", "Close chat", "unread"];
  /* Drawn by start() once the edge said this page may show the chat. */
  var side, label, host, root, button;
  var frame = null;
  /* The signed identity the page gave (Chat("identify", {token})). */
  var identity = null;
  /* The unread badge's hidden frame (badge.js), made when the chat is not
     opened at once; the badge goes when the chat opens. */
  var badge = null;

  /* Host-page events (README "The host page's API"). */
  var handlers = { open: [], close: [], unread: [], message: [], handoff: [], rated: [] };
  function emit(name, detail) {
    handlers[name].forEach(function (fn) {
      try { fn(detail); } catch (e) { console.error("chat: a '" + name + "' handler threw", e); }
    });
  }

  function open() {
    if (frame && !frame.hidden) return;
    if (!frame) {
      var q = new URLSearchParams();
      q.set("lang", locale);
      q.set("page", location.origin + location.pathname);
      if (opt.color) q.set("color", opt.color);
      var g = greeting();
      if (g) q.set("greeting", g);
      if (opt.assistantName) q.set("name", opt.assistantName);
      if (opt.privacyUrl) q.set("privacy", opt.privacyUrl);
      if (opt.visitorName) q.set("visitor", opt.visitorName);
      if (identity) q.set("identity", identity);
      frame = document.createElement("iframe");
      frame.title = "Chat";
      frame.allow = "clipboard-write";
      frame.src = origin + "/chat/" + opt.site + "?" + q.toString();
      root.appendChild(frame);
    }
    frame.hidden = false;
    if (bubble) bubble.remove();
    button.setAttribute("aria-expanded", "true");
    button.textContent = words[1];
    frame.focus();
    frame.contentWindow.postMessage({ type: "chat:open" }, origin);
    unread(0);
    try { sessionStorage.setItem("chat-open", "1"); } catch (e) {}
    emit("open", {});
  }

  function close() {
    if (!frame || frame.hidden) return;
    frame.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.textContent = label;
    button.focus();
    try { sessionStorage.removeItem("chat-open"); } catch (e) {}
    emit("close", {});
  }

  function toggle() {
    if (frame && !frame.hidden) close(); else open();
  }
  /* Messages that came while the chat was closed: a count on the launcher,
     in the page's title and, if the tag asks (data-sound), a short tone. */
  var count = 0, counter = document.createElement("span"), title = null;
  function unread(n) {
    if (n === count) return;
    if (n > count && opt.sound === "true") {
      try {
        var audio = new AudioContext(), tone = audio.createOscillator(), gain = audio.createGain();
        gain.gain.value = 0.1;
        tone.connect(gain).connect(audio.destination);
        tone.start();
        tone.stop(audio.currentTime + 0.15);
      } catch (e) {}
    }
    count = n;
    if (title === null) title = document.title;
    document.title = n ? "(" + n + ") " + title : title;
    if (!n) {
      title = null;
      counter.remove();
      return button.removeAttribute("aria-label");
    }
    counter.textContent = n;
    button.appendChild(counter);
    button.setAttribute("aria-label", label + ", " + n + " " + words[2]);
    emit("unread", { count: n });
  }
  window.addEventListener("message", function (e) {
    var d = e.data, n = d && d.n;
    if (e.origin !== origin || !d) return;
    if (frame && e.source === frame.contentWindow) {
      if (d.type === "chat:close") close();
      if (d.type === "chat:event" && /^(message|handoff|rated)$/.test(d.name)) {
        emit(d.name, d.detail);
        if (frame.hidden && /^(ai|agent)$/.test((d.detail || {}).from)) unread(count + 1);
      }
    }
    if (badge && e.source === badge.contentWindow && d.type === "chat:unread" &&
        n > 0 && n < 1000 && !(frame && !frame.hidden)) unread(n);
  });

  /* The host page's API: Chat("open"), Chat("on", "open", fn), … Calls
     made before this script ran wait in Chat.q (the snippet's stub). Never
     throws; an unknown command warns once. */
  var warned = {};
  function warnOnce(what, why) {
    if (!warned[what]) console.warn("chat: " + why);
    warned[what] = 1;
  }
  var commands = {
    open: open,
    close: close,
    toggle: toggle,
    on: function (name, fn) {
      if (handlers[name] && typeof fn === "function") handlers[name].push(fn);
      else warnOnce("on " + name, "no event '" + name + "' (there are: " + Object.keys(handlers).join(", ") + ")");
    },
    off: function (name, fn) {
      if (handlers[name]) handlers[name] = handlers[name].filter(function (f) { return f !== fn; });
    },
    setLocale: function (tag) {
      if (!checks.locale.test(tag)) return warnOnce("locale " + tag, "not a language tag: " + tag);
      locale = tag;
      reload();
    },
    /* A token the site's server signed (README "Signed-in visitors"), or
       null when the visitor signs out. */
    identify: function (who) {
      var token = who && who.token;
      if (who !== null && !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
        return warnOnce("identify", "identify needs {token: a JWT from your server} or null");
      }
      identity = token || null;
      reload();
    }
  };
  /* The chat again, as it is now told (language, who the visitor is). */
  function reload() {
    if (frame) { frame.remove(); frame = null; if (button.getAttribute("aria-expanded") === "true") open(); }
  }
  function run(call) {
    var name = call[0];
    if (commands.hasOwnProperty(name)) {
      try { commands[name].apply(null, [].slice.call(call, 1)); } catch (e) { console.error("chat: " + name + " failed", e); }
    } else warnOnce(name, "unknown command '" + name + "' (there are: " + Object.keys(commands).join(", ") + ")");
  }
  /* Calls wait until the launcher is on the page. */
  var pending = (window.Chat && window.Chat.q) || [];
  window.Chat = function () { if (pending) pending.push(arguments); else run(arguments); };

  /* The launcher, in the look the edge sent (its stylesheet, with the
     tag's own attributes applied). */
  function start(c) {
    side = c.position;
    label = opt.launcherLabel || c.label || words[0];
    var css = c.css;
    host = document.createElement("div");
    host.id = "chat-widget";
    root = host.attachShadow({ mode: "open" });
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css); // a constructed sheet is not blocked by the host's CSP
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      var style = document.createElement("style");
      style.textContent = css;
      root.appendChild(style);
    }
    button = document.createElement("button");
    button.type = "button";
    button.className = "l";
    button.textContent = label;
    button.setAttribute("aria-expanded", "false");
    root.appendChild(button);
    button.addEventListener("click", toggle);
    /* Never cover what the visitor is working on (WCAG 2.2 2.4.11): a
       focused element under the launcher moves the launcher aside. */
    function overlaps(a, b) {
      return a.right > b.left && a.left < b.right && a.bottom > b.top && a.top < b.bottom;
    }
    function place() {
      button.style.left = button.style.right = button.style.bottom = "";
    }
    document.addEventListener("focusin", function (e) {
      place();
      if (e.target === host || !e.target.getBoundingClientRect) return;
      var r = e.target.getBoundingClientRect();
      if (!overlaps(r, button.getBoundingClientRect())) return;
      var other = side === "left" ? "right" : "left";
      button.style[side] = "auto";
      button.style[other] = "20px";
      if (overlaps(r, button.getBoundingClientRect())) {
        button.style[other] = "";
        button.style[side] = "";
        button.style.bottom = Math.max(innerHeight - r.top + 8, 20) + "px";
      }
    });
    document.addEventListener("focusout", place);
    function attach() {
      document.body.appendChild(host);
      var calls = pending;
      pending = null;
      calls.forEach(run);
      var reopen = false;
      try { reopen = sessionStorage.getItem("chat-open") === "1"; } catch (e) {}
      if (reopen || opt.open === "true") open();
      else if (!frame) {
        badge = document.createElement("iframe");
        badge.hidden = true;
        badge.setAttribute("aria-hidden", "true");
        badge.tabIndex = -1;
        badge.src = origin + "/chat/" + opt.site + "/badge" + (identity ? "?identity=" + encodeURIComponent(identity) : "");
        root.appendChild(badge);
      }
    }

    if (document.body) attach(); else document.addEventListener("DOMContentLoaded", attach);
  }

  /* Ask first: on a page the site does not allow, the browser would refuse
     the frame; show nothing and tell the site's developer how to fix it. */
  var ask = new URLSearchParams({ path: location.pathname, lang: locale });
  if (opt.color) ask.set("color", opt.color);
  if (opt.position) ask.set("position", opt.position);
  fetch(origin + "/api/v1/sites/" + opt.site + "/launcher?" + ask)
    .then(function (r) { return r.json(); })
    .then(function (c) {
      if (c.allowed) start(c), c.nudge && nudge(c.nudge);
      else console.error("chat: " + (c.message ? "site '" + opt.site + "': " + c.message :
        "this page's origin " + location.origin + " may not show the chat of site '" + opt.site +
        "'. An admin can allow it in Settings: " + origin + "/agent/admin/?site=" + opt.site + "#settings"));
    }, function (e) { console.error("chat: " + origin + " cannot be reached", e); });

  /* The site's proactive message for this page: after its seconds, once
     per visitor (on this site), not on phones unless the rule says so, and
     never while the chat is open. Its text opens the chat; only a click
     does. */
  var bubble = null;
  function nudge(n) {
    var key = "chat-nudge-" + n.id;
    /* A phone's screen, also on pages without a viewport tag (980 px wide). */
    var phone = Math.min(innerWidth, screen.width) <= 480;
    try { if (localStorage.getItem(key) || (phone && !n.phones)) return; } catch (e) { return; }
    setTimeout(function () {
      if (frame && !frame.hidden) return;
      try { localStorage.setItem(key, "1"); } catch (e) {}
      bubble = document.createElement("div");
      bubble.className = "n";
      bubble.setAttribute("role", "status");
      var from = document.createElement("b");
      from.textContent = n.label;
      var text = document.createElement("button");
      text.className = "t";
      text.textContent = n.text;
      text.onclick = open;
      var x = document.createElement("button");
      x.className = "x";
      x.textContent = "\u00d7";
      x.setAttribute("aria-label", n.dismiss);
      x.onclick = function () { bubble.remove(); button.focus(); };
      bubble.append(from, text, x);
      root.appendChild(bubble);
    }, n.after_s * 1000);
  }
})();
