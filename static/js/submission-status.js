// Live status of one submission: polls the API while it is queued or running, then swaps in the
// server-rendered result (scores with their definitions) without reloading the page. No outside scripts.
// Texts come from Django's JavaScript catalog (/jsi18n/, loaded with defer before this script by
// base.html): every text below is a literal gettext("…") call so that makemessages finds it.
(function () {
  "use strict";
  var section = document.getElementById("submission-result");
  if (!section || !window.fetch) return;
  var url = section.getAttribute("data-status-url");
  var delay = 1500;
  // Without the catalog (it failed to load) the English source texts are shown.
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (fmt, obj, named) {
    return named
      ? fmt.replace(/%\(\w+\)s/g, function (m) { return String(obj[m.slice(2, -2)]); })
      : fmt.replace(/%s/g, function () { return String(obj.shift()); });
  };
  var LABELS = {
    queued: gettext("Queued"),
    running: gettext("Running"),
    scored: gettext("Scored"),
    failed: gettext("Failed"),
    cancelled: gettext("Cancelled")
  };

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

  function statusText(data) {
    if (data.status === "queued") {
      return data.queue_position
        ? interpolate(gettext("Waiting to be scored: position %(n)s in the queue."), { n: data.queue_position }, true)
        : gettext("Waiting to be scored.");
    }
    if (data.status === "running") return gettext("Being scored now.");
    if (data.status === "failed") return gettext("Not scored.");
    if (data.status === "scored") return gettext("Scored.");
    if (data.status === "cancelled") return gettext("Cancelled by the organizers: not ranked.");
    return null;
  }

  function show(data) {
    var badge = section.querySelector(".badge");
    var text = document.getElementById("status-text");
    if (badge) {
      badge.className = "badge status-" + data.status;
      badge.textContent = LABELS[data.status] || data.status;
    }
    var line = statusText(data);
    if (text && line !== null) { text.textContent = line; }
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
