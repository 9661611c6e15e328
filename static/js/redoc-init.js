"use strict";
// Redoc on /api/v1/redoc/, started from a file rather than an inline script (Content-Security-Policy).
(function () {
  var container = document.getElementById("redoc-container");
  if (container && window.Redoc) {
    window.Redoc.init(container.dataset.schemaUrl, {}, container);
  }
})();
