// hackplatform: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // 1. Tell the server the browser's time zone so times can be shown in the viewer's zone.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* old browser: server zone is shown */ }

  // 2. Live countdowns: <span class="countdown" data-deadline="ISO 8601">. Texts come from Django's
  // JavaScript catalog (/jsi18n/, loaded before this script); without it the English texts are shown.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (_m, key) { return String(obj[key]); });
  };
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var nodes = document.querySelectorAll("[data-deadline]");
    var now = Date.now();
    nodes.forEach(function (node) {
      var left = Math.floor((Date.parse(node.getAttribute("data-deadline")) - now) / 1000);
      if (isNaN(left)) return;
      if (left <= 0) { node.textContent = gettext("closed"); return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      var hms = pad(h) + ":" + pad(m) + ":" + pad(s);
      // Translators: a countdown such as "2d 03:04:05"; "d" abbreviates "days" (the server renders the same text).
      node.textContent = d ? interpolate(gettext("%(d)sd %(hms)s"), { d: d, hms: hms }, true) : hms;
    });
  }
  if (document.querySelector("[data-deadline]")) { tick(); setInterval(tick, 1000); }

  // 3. A table wider than the screen scrolls sideways inside its .table-wrap: let keyboard users reach
  // the scrolling area with Tab (axe-core: scrollable-region-focusable).
  document.querySelectorAll(".table-wrap").forEach(function (wrap) {
    if (!wrap.hasAttribute("tabindex")) { wrap.setAttribute("tabindex", "0"); }
  });
})();
