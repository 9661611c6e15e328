// Live status of one submission: polls the API while it is queued or running, then swaps in the
// server-rendered result (scores with their definitions) without reloading the page. No outside scripts.
(function () {
  "use strict";
  var section = document.getElementById("submission-result");
  if (!section || !window.fetch) return;
  var url = section.getAttribute("data-status-url");
  var delay = 1500;
  var t = function (s) { return window.gettext ? window.gettext(s) : s; };

  function done(status) { return status === "scored" || status === "failed" || status === "cancelled"; }

  function swapResult() {
    // The page itself renders scores, definitions and pictures: fetch it and replace this section.
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("submission-result");
        if (fresh) { section.replaceWith(fresh); }
      })
      .catch(function () { /* the status line below already says what happened */ });
  }

  function show(data) {
    var badge = section.querySelector(".badge");
    var text = document.getElementById("status-text");
    if (badge) {
      badge.className = "badge status-" + data.status;
      badge.textContent = t(data.status.charAt(0).toUpperCase() + data.status.slice(1));
    }
    if (!text) return;
    if (data.status === "queued") {
      text.textContent = data.queue_position
        ? interpolate(t("Waiting to be scored: position %s in the queue."), [data.queue_position])
        : t("Waiting to be scored.");
    } else if (data.status === "running") {
      text.textContent = t("Being scored now.");
    } else if (data.status === "failed") {
      text.textContent = t("Not scored.");
    } else if (data.status === "scored") {
      text.textContent = t("Scored.");
    }
  }

  function interpolate(fmt, args) {
    return window.interpolate ? window.interpolate(fmt, args) : fmt.replace("%s", args[0]);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        show(data);
        if (done(data.status)) { swapResult(); return; }
        delay = Math.min(delay * 1.3, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 30000); setTimeout(poll, delay); });
  }

  if (!done(section.getAttribute("data-status"))) { setTimeout(poll, delay); }
})();
