// A survey upload's check, followed while the worker runs it: asks the upload's progress.json
// every two seconds, moves the bar and the row count, and reloads the page (which then shows
// the report) when the check has finished. Without scripts the page's refresh link does it.
(function () {
  "use strict";
  var box = document.getElementById("check-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("check-bar");
  var rows = document.getElementById("check-rows");
  var lang = document.documentElement.lang || "vi";
  var count = function (n) {
    return new Intl.NumberFormat(lang === "en" ? "en-GB" : "vi-VN", {maximumFractionDigits: 0}).format(n);
  };
  var failures = 0;

  function show(state) {
    if (state.percent !== null && state.percent !== undefined) { bar.value = state.percent; }
    var text = state.rows_expected ? box.getAttribute("data-rows-text") : box.getAttribute("data-rows-only-text");
    rows.textContent = text.replace("%(checked)s", count(state.rows_checked))
      .replace("%(expected)s", count(state.rows_expected || 0));
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) { window.setTimeout(poll, 4000); }
      });
  }
  window.setTimeout(poll, 1000);
}());
