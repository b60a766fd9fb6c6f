/* Small page behaviours without inline scripts (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  // The menu button on phones: it opens and closes the menu, says so (aria-expanded), and
  // Escape closes the menu and gives the focus back to the button.
  function foldMenu() {
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".menu-toggle");
    if (!toggle) { return; }
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }
    toggle.hidden = false;
    header.classList.add("menu-ready");
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // A table or code block wider than the screen scrolls in its own box: the keyboard must reach
  // it too (tabindex), and only then, so that wide screens keep no useless tab stop.
  var SCROLLERS = "table.data, table.compact, .table-scroll, pre";
  function reachScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 &&
        getComputedStyle(box).overflowX !== "visible";
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "";
      } else if (!scrolls && box.dataset.scrollFocus !== undefined) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    foldMenu();
    reachScrollers();
    window.addEventListener("load", reachScrollers);
    document.body.addEventListener("htmx:afterSettle", reachScrollers);
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; reachScrollers(); });
    });
    document.querySelectorAll("select[data-autosubmit], input[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.querySelector(button.dataset.copy);
        if (target && navigator.clipboard) {
          navigator.clipboard.writeText(target.textContent.trim());
          button.textContent = "✓";
        }
      });
    });
  });
})();

/* A form field needed by one choice only (data-shown-when="owner=station") is hidden while
   another is chosen. Without JavaScript every field shows, each saying when it is needed. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-shown-when]").forEach(function (field) {
      var rule = field.dataset.shownWhen.split("=");
      var form = field.closest("form");
      var chooser = form && form.elements.namedItem(rule[0]);
      if (!chooser) { return; }
      var update = function () { field.hidden = chooser.value !== rule[1]; };
      chooser.addEventListener("change", update);
      update();
    });
  });
})();
