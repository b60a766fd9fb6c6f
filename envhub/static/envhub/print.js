/* The time a page is printed, in its print header: set when printing starts (the server wrote
   the time the page was made, for a browser without scripts). Viet Nam time, like every time
   the site shows. */
(function () {
  "use strict";

  function now() {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", hour12: false,
      day: "2-digit", month: "2-digit", year: "numeric"
    }).formatToParts(new Date()).forEach(function (part) { parts[part.type] = part.value; });
    return parts.hour + ":" + parts.minute + " " + parts.day + "/" + parts.month + "/" + parts.year;
  }

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-printed-at]").forEach(function (element) {
      element.textContent = now();
      element.dataset.printedAt = "print";
    });
  });
})();
