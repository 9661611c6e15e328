// The challenge form: show only the fields of the chosen dataset source (generated or uploaded).
// Without this script every field is shown and the server checks the ones the chosen source needs.
(function () {
  "use strict";
  var form = document.getElementById("challenge-form");
  if (!form) return;
  var groups = form.querySelectorAll("fieldset.source-fields[data-source]");
  var radios = form.querySelectorAll('input[name="dataset_source"]');
  function show() {
    var chosen = form.querySelector('input[name="dataset_source"]:checked');
    var source = chosen ? chosen.value : "";
    groups.forEach(function (group) {
      // Hidden groups are disabled too, so their inputs are neither focusable nor sent.
      var on = group.getAttribute("data-source") === source;
      group.hidden = !on;
      group.disabled = !on;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", show); });
  show();
})();
