/* Publishing a file dataset's new version: the file's size checked against the limit before a
   byte is sent (the error beside the field), its SHA-256 shown, and the upload's progress.
   Without this script the form posts as any form and the server answers the same way. */
(function () {
  "use strict";

  function form() { return document.getElementById("publish-form"); }

  function fieldError(target, message) {
    var box = target.querySelector("#field-file");
    if (!box) { return; }
    box.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    box.classList.toggle("has-error", Boolean(message));
    var input = box.querySelector("input[type=file]");
    if (!message) {
      if (input) { input.removeAttribute("aria-invalid"); }
      return;
    }
    var error = document.createElement("p");
    error.className = "field-error";
    error.id = "id_file_error";
    error.setAttribute("role", "alert");
    error.textContent = message;
    box.appendChild(error);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "id_file_error");
    }
  }

  function chosen(target) {
    var input = target.querySelector("input[type=file]");
    return input && input.files && input.files[0];
  }

  function tooLarge(target, file) {
    return file && file.size > Number(target.dataset.maxBytes);
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (byte) {
      return byte.toString(16).padStart(2, "0");
    }).join("");
  }

  function showChecksum(target, file) {
    var out = target.querySelector("#publish-checksum");
    // Hashing needs a secure context (HTTPS or this machine); elsewhere the server's shows.
    if (!out || !window.crypto || !window.crypto.subtle || !file.arrayBuffer) { return; }
    out.hidden = false;
    out.textContent = target.dataset.hashing;
    file.arrayBuffer().then(function (bytes) {
      return window.crypto.subtle.digest("SHA-256", bytes);
    }).then(function (digest) {
      if (chosen(target) === file) {
        out.textContent = target.dataset.checksum + " " + hex(digest);
        out.dataset.sha256 = hex(digest);
      }
    }).catch(function () { out.hidden = true; });
  }

  function replaceForm(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("publish-form");
    var current = form();
    if (fresh && current) {
      current.replaceWith(document.importNode(fresh, true));
      var error = form().querySelector(".field-error, .form-errors");
      if (error) { error.scrollIntoView({block: "center"}); }
      return true;
    }
    return false;
  }

  function send(target) {
    var progress = target.querySelector("#publish-progress");
    var status = target.querySelector("#publish-status");
    var button = target.querySelector("#publish-button");
    var request = new XMLHttpRequest();
    request.open("POST", target.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        var percent = Math.round(event.loaded * 100 / event.total);
        progress.value = percent;
        progress.textContent = percent + "%";
      }
    });
    request.addEventListener("load", function () {
      if (request.status === 201) {
        var answer = JSON.parse(request.responseText);
        progress.value = 100;
        window.location.assign(answer.url);
        return;
      }
      if (!replaceForm(request.responseText)) {
        status.textContent = target.dataset.failed;
        button.disabled = false;
      }
    });
    request.addEventListener("error", function () {
      status.textContent = target.dataset.failed;
      progress.hidden = true;
      button.disabled = false;
    });
    progress.hidden = false;
    progress.value = 0;
    status.textContent = target.dataset.sending;
    button.disabled = true;
    request.send(new FormData(target));
  }

  document.addEventListener("change", function (event) {
    var target = form();
    if (!target || !target.contains(event.target) || event.target.type !== "file") { return; }
    var file = chosen(target);
    fieldError(target, tooLarge(target, file) ? target.dataset.tooLarge : "");
    var out = target.querySelector("#publish-checksum");
    if (out) { out.hidden = true; out.textContent = ""; }
    if (file && !tooLarge(target, file)) { showChecksum(target, file); }
  });

  document.addEventListener("submit", function (event) {
    var target = form();
    if (!target || event.target !== target || !window.FormData) { return; }
    event.preventDefault();
    var file = chosen(target);
    if (tooLarge(target, file)) {
      fieldError(target, target.dataset.tooLarge);
      target.querySelector("input[type=file]").focus();
      return;
    }
    send(target);
  });
})();
