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

  // 2. Live countdowns: <span class="countdown" data-deadline="ISO 8601">.
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var nodes = document.querySelectorAll("[data-deadline]");
    var now = Date.now();
    nodes.forEach(function (node) {
      var left = Math.floor((Date.parse(node.getAttribute("data-deadline")) - now) / 1000);
      if (isNaN(left)) return;
      if (left <= 0) { node.textContent = (window.gettext ? gettext("closed") : "closed"); return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      var text = (d ? d + (window.gettext ? gettext("d") : "d") + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
      node.textContent = text;
    });
  }
  if (document.querySelector("[data-deadline]")) { tick(); setInterval(tick, 1000); }
})();
