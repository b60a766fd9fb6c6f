/* The library's uploads (a new document, a new version): the chosen files listed with their
   sizes, a file over the limit refused beside the field before a byte is sent, and the upload
   sent with XMLHttpRequest so that its progress shows. The server's answer decides: a new
   document's page, or the form again with its errors beside their fields. Without this script
   the forms post as any form and the server answers the same way. */
(function () {
  "use strict";

  function forms() { return document.querySelectorAll("form[data-upload]"); }

  function fileInput(form) { return form.querySelector("input[type=file]"); }

  function sizeText(bytes) {
    var units = [["GB", 1073741824], ["MB", 1048576], ["KB", 1024]];
    for (var i = 0; i < units.length; i += 1) {
      if (bytes >= units[i][1]) {
        return (bytes / units[i][1]).toLocaleString(document.documentElement.lang || "vi",
          {maximumFractionDigits: 1}) + " " + units[i][0];
      }
    }
    return bytes.toLocaleString(document.documentElement.lang || "vi") + " B";
  }

  function fieldError(form, message) {
    var input = fileInput(form);
    var box = input && input.closest(".field");
    if (!box) { return; }
    box.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    box.classList.toggle("has-error", Boolean(message));
    if (!message) {
      input.removeAttribute("aria-invalid");
      return;
    }
    var error = document.createElement("p");
    error.className = "field-error";
    error.id = input.id + "_error";
    error.setAttribute("role", "alert");
    error.textContent = message;
    box.appendChild(error);
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", error.id);
  }

  function tooLarge(form) {
    var input = fileInput(form);
    var limit = Number(form.dataset.maxBytes);
    return Array.prototype.some.call((input && input.files) || [], function (file) {
      return limit && file.size > limit;
    });
  }

  function listChosen(form) {
    var out = form.querySelector(".upload-chosen");
    var input = fileInput(form);
    if (!out || !input) { return; }
    out.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " — " + sizeText(file.size);
      out.appendChild(item);
    });
  }

  function replaceForm(form, html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(form.id);
    if (!fresh) { return false; }
    var imported = document.importNode(fresh, true);
    form.replaceWith(imported);
    var error = imported.querySelector(".field-error, .form-errors");
    if (error) { error.scrollIntoView({block: "center"}); }
    return true;
  }

  function envelopeMessage(text) {
    try {
      return JSON.parse(text).error.message;
    } catch (ignored) {
      return "";
    }
  }

  function send(form) {
    var box = form.querySelector(".upload-progress");
    var bar = box.querySelector("progress");
    var status = box.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        var percent = Math.round(event.loaded * 100 / event.total);
        bar.value = percent;
        bar.textContent = percent + "%";
        status.textContent = form.dataset.sending + " " + percent + "%";
      }
    });
    request.addEventListener("load", function () {
      if (request.status === 201) {
        bar.value = 100;
        window.location.assign(JSON.parse(request.responseText).url);
        return;
      }
      var type = request.getResponseHeader("Content-Type") || "";
      if (type.indexOf("text/html") === 0 && replaceForm(form, request.responseText)) { return; }
      box.hidden = true;
      button.disabled = false;
      fieldError(form, envelopeMessage(request.responseText) || form.dataset.failed);
    });
    request.addEventListener("error", function () {
      box.hidden = true;
      button.disabled = false;
      fieldError(form, form.dataset.failed);
    });
    box.hidden = false;
    bar.value = 0;
    status.textContent = form.dataset.sending;
    button.disabled = true;
    request.send(new FormData(form));
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-upload") || event.target.type !== "file") { return; }
    listChosen(form);
    fieldError(form, tooLarge(form) ? form.dataset.tooLarge : "");
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload") || !window.FormData) { return; }
    event.preventDefault();
    if (tooLarge(form)) {
      fieldError(form, form.dataset.tooLarge);
      fileInput(form).focus();
      return;
    }
    send(form);
  });

  forms().forEach(listChosen);
})();
