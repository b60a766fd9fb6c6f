/* The widget picker: the chosen station or city and language make the preview and the two
   pieces of code a journalist copies. */
(function () {
  "use strict";
  var config = document.getElementById("widget-config");
  if (!config) { return; }
  var base = config.dataset.base, script = config.dataset.script;
  var kind = document.getElementById("widget-kind");
  var station = document.getElementById("widget-station");
  var city = document.getElementById("widget-city");
  var lang = document.getElementById("widget-lang");
  var preview = document.getElementById("widget-preview");

  function update() {
    var isCity = kind.value === "city";
    document.getElementById("station-field").hidden = isCity;
    document.getElementById("city-field").hidden = !isCity;
    var code = isCity ? city.value : station.value;
    if (!code) { return; }
    var url = base + "/widgets/aqi/" + kind.value + "/" + encodeURIComponent(code) + "/?lang=" + lang.value;
    preview.src = url;
    document.getElementById("code-iframe").value =
      '<iframe src="' + url + '" title="VN_AQI" loading="lazy" style="border:0;width:100%;max-width:440px;height:120px"></iframe>';
    document.getElementById("code-script").value =
      '<div data-envhub-aqi="' + kind.value + ":" + code + '" data-lang="' + lang.value + '"></div>\n' +
      '<script src="' + script + '" async></script>';
  }
  [kind, station, city, lang].forEach(function (el) { el.addEventListener("change", update); });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var area = document.getElementById(button.dataset.copy);
      area.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(area.value); }
    });
  });
  update();
})();
