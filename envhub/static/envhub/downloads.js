/* A dataset page's download form: how many rows the chosen period and province hold (asked of
   rows.json whenever the form changes; the page renders it for its first selection), the
   buttons disabled when they hold none, a reversed period shown beside its field, and a
   download's progress counted in rows as they arrive.

   Progress: the download is read with fetch() as a stream; CSV rows are counted by their line
   ends outside quotes, JSON and GeoJSON rows by the objects closed at the depth of an item —
   exact, not estimated — against the count the page was given. XLSX and Parquet are built
   whole on the server before their first byte, so their response says its length and the
   bytes are counted. The file is then handed to the browser from memory; a selection of more
   than `max_rows` rows goes to the browser's own (streamed) download instead. */
(function () {
  "use strict";

  var QUOTE = 34, NEWLINE = 10, BACKSLASH = 92, OPEN_BRACE = 123, CLOSE_BRACE = 125,
    OPEN_BRACKET = 91, CLOSE_BRACKET = 93;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function number(value) {
    return window.EnvhubNumbers ? EnvhubNumbers.format(value, { unit: "count" }) : String(value);
  }

  function megabytes(bytes) {
    return (window.EnvhubNumbers ? EnvhubNumbers.format(bytes / 1048576, { decimals: 1 }) : bytes) + " MB";
  }

  /* Counts the rows of a download as its bytes arrive. */
  function rowCounter(format) {
    var inString = false, escaped = false, depth = 0, rows = 0, lines = 0;
    var itemDepth = format === "geojson" ? 2 : 1;
    if (format === "csv") {
      return function (bytes) {
        for (var i = 0; i < bytes.length; i++) {
          var b = bytes[i];
          if (b === QUOTE) { inString = !inString; } else if (b === NEWLINE && !inString) { lines++; }
        }
        return Math.max(lines - 1, 0);  // the header is a line, not a row
      };
    }
    return function (bytes) {
      for (var i = 0; i < bytes.length; i++) {
        var b = bytes[i];
        if (inString) {
          if (escaped) { escaped = false; } else if (b === BACKSLASH) { escaped = true; } else if (b === QUOTE) { inString = false; }
        } else if (b === QUOTE) {
          inString = true;
        } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          depth++;
        } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          depth--;
          if (b === CLOSE_BRACE && depth === itemDepth) { rows++; }
        }
      }
      return rows;
    };
  }

  function fileName(response, fallback) {
    var found = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return found ? found[1] : fallback;
  }

  function init() {
    var form = document.getElementById("download-filters");
    var holder = document.getElementById("download-progress-config");
    if (!form || !holder || !window.fetch) { return; }
    var config = JSON.parse(holder.textContent);
    var labels = config.labels;
    var text = document.getElementById("dl-rows-text");
    var hint = document.getElementById("dl-rows-hint");
    var toError = document.getElementById("dl-to-error");
    var toField = document.getElementById("dl-to");
    var box = document.getElementById("dl-progress");
    var bar = document.getElementById("dl-progress-bar");
    var status = document.getElementById("dl-progress-text");
    var countButton = document.getElementById("dl-count-button");
    var buttons = Array.prototype.slice.call(form.querySelectorAll("button[data-format]"));
    var rows = null;  // the count of the current selection, when known
    var asked = 0, busy = false;
    if (countButton) { countButton.hidden = true; }  // the count follows the form by itself

    function query() {
      var params = new URLSearchParams();
      ["from", "to", "province"].forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) { params.set(name, field.value); }
      });
      return params.toString();
    }

    function setButtons() {
      buttons.forEach(function (button) { button.disabled = busy || rows === null || rows === 0; });
    }

    function showError(message) {
      if (toError) { toError.textContent = message || ""; toError.hidden = !message; }
      if (toField) {
        if (message) {
          toField.setAttribute("aria-invalid", "true");
          toField.setAttribute("aria-describedby", "dl-to-error");
        } else {
          toField.removeAttribute("aria-invalid");
          toField.removeAttribute("aria-describedby");
        }
      }
      form.classList.toggle("has-error", Boolean(message));
    }

    function showHint(answer) {
      hint.textContent = answer.hint ? answer.hint + " " : "";
      if (answer.query) {
        var link = document.createElement("a");
        link.href = "?" + answer.query + "#download-filters";
        link.id = "dl-rows-period";
        link.textContent = labels.choose;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          form.elements.from.value = answer.from;
          form.elements.to.value = answer.to;
          refresh();
        });
        hint.appendChild(link);
      }
    }

    function refresh() {
      var mine = ++asked;
      rows = null;
      setButtons();
      var from = form.elements.from, to = form.elements.to;
      if (from && to && from.value && to.value && to.value < from.value) {
        // Told at once (the server says the same, for those without this script).
        text.textContent = "";
        hint.textContent = "";
        showError(labels.reversed);
        return;
      }
      text.textContent = labels.counting;
      hint.textContent = "";
      fetch(form.dataset.rowsUrl + "?" + query(), { credentials: "same-origin",
                                                    headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return [response.ok, body]; });
        })
        .then(function (result) {
          if (mine !== asked) { return; }
          var body = result[1];
          if (!result[0]) {
            text.textContent = "";
            showError(body.error ? body.error.message : labels.error);
            return;
          }
          showError("");
          rows = body.rows;
          text.textContent = body.text;
          showHint(body);
          setButtons();
          form.dataset.rows = String(rows);
        })
        .catch(function () {
          if (mine === asked) { text.textContent = labels.error; }
        });
    }

    function progress(done, total, label) {
      bar.max = Math.max(total, 1);
      bar.value = Math.min(done, bar.max);
      status.textContent = fill(label, { done: number(done), total: number(total) });
    }

    function download(button) {
      var format = button.dataset.format;
      var url = button.formAction + (query() ? "?" + query() : "");
      var counted = format === "csv" || format === "json" || format === "geojson";
      busy = true;
      setButtons();
      box.hidden = false;
      box.dataset.state = "loading";
      bar.removeAttribute("value");
      status.textContent = fill(labels.waiting, { total: number(rows) });
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (response.redirected || /text\/html/.test(response.headers.get("Content-Type") || "")) {
          // Not a file (the sign-in page, an error page): the browser goes there itself.
          window.location.assign(url);
          return;
        }
        if (!response.ok || !response.body) { throw new Error(String(response.status)); }
        var length = Number(response.headers.get("Content-Length")) || 0;
        var reader = response.body.getReader();
        var count = rowCounter(format);
        var parts = [], received = 0;
        function pump() {
          return reader.read().then(function (step) {
            if (step.done) { return; }
            parts.push(step.value);
            received += step.value.length;
            if (counted) {
              progress(count(step.value), rows, labels.rows);
            } else if (length) {
              bar.max = length;
              bar.value = received;
              status.textContent = fill(labels.bytes, { done: megabytes(received),
                                                        total: megabytes(length) });
            }
            return pump();
          });
        }
        return pump().then(function () {
          var blob = new Blob(parts, { type: response.headers.get("Content-Type") || "" });
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = fileName(response, "data." + format);
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
          progress(rows, rows, labels.rows);
          status.textContent = fill(labels.done, { total: number(rows) });
          box.dataset.state = "done";
        });
      }).catch(function () {
        status.textContent = labels.error;
        box.dataset.state = "error";
      }).then(function () {
        busy = false;
        setButtons();
      });
    }

    form.addEventListener("change", refresh);
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.dataset.format) { event.preventDefault(); refresh(); return; }
      if (rows === null || rows > config.max_rows) { return; }  // the browser's own download
      event.preventDefault();
      download(button);
    });
    // The page rendered the count of its first selection; without it (an error), none yet.
    rows = form.dataset.rows !== undefined ? Number(form.dataset.rows) : null;
    setButtons();
  }

  window.EnvhubDownloads = { rowCounter: rowCounter };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
