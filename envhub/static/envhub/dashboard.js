/* The dashboard's map (Leaflet): Viet Nam drawn from envhub's own outline (tiles above it when
   they load), each province a ring sized and shaded by the chosen figure — a click opens the
   dashboard of that province — and the stations of the view coloured by their connectivity
   state. Settings and words from a json_script block (no inline script: CSP). */
(function () {
  "use strict";

  var VIET_NAM = [[6.5, 102.1], [23.4, 116.2]];

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  function formatted(value, figure) {
    if (value == null) { return null; }
    var language = document.documentElement.lang || "vi";
    var text = Number(value).toLocaleString(language.indexOf("en") === 0 ? "en-GB" : "vi-VN",
                                             { maximumFractionDigits: 1 });
    return figure === "completeness" ? text + " %" : text;
  }

  function addBasemap(map, element, settings) {
    window.envhubBasemap.draw(map, element, settings.basemap_url, settings.labels.outline);
  }

  function addProvinces(map, settings) {
    var figure = settings.figure;
    var values = settings.provinces.map(function (p) { return p[figure]; })
      .filter(function (v) { return v != null; });
    var highest = Math.max.apply(null, values.concat([0]));
    settings.provinces.forEach(function (province) {
      var value = province[figure];
      // Completeness: the lower, the worse; the ring speaks of what is missing.
      var weight = value == null ? 0 : (figure === "completeness" ? (100 - value) / 100
                                        : (highest ? value / highest : 0));
      var ring = L.circleMarker([province.latitude, province.longitude], {
        radius: 10 + 16 * weight, weight: 2, fillOpacity: value == null ? 0.05 : 0.15 + 0.5 * weight,
        className: "province-ring province-" + province.code
      }).addTo(map);
      var shown = formatted(value, figure);
      ring.bindTooltip(escapeHtml(province.name) + ": " +
                       escapeHtml(shown == null ? settings.labels.no_data : shown));
      ring.on("click", function () { window.location.href = province.url; });
      var element = ring.getElement && ring.getElement();
      if (element) {
        element.setAttribute("role", "link");
        element.setAttribute("tabindex", "0");
        element.setAttribute("aria-label", settings.labels.open + ": " + province.name);
        element.dataset.province = province.code;
        element.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { window.location.href = province.url; }
        });
      }
    });
  }

  function addStations(map, element, settings) {
    var states = {};
    settings.states.forEach(function (state) { states[state.code] = state.label; });
    return getJson(settings.stations_url).then(function (body) {
      var points = [];
      body.stations.forEach(function (station) {
        var state = station.state || "never";
        L.circleMarker([station.latitude, station.longitude], {
          radius: 5, weight: 1, color: "#222", fillOpacity: 0.95,
          className: "station-marker station-state-" + state
        }).bindPopup("<strong><a href=\"/stations/" + encodeURIComponent(station.code) + "/\">" +
                     escapeHtml(station.code) + "</a></strong><br>" + escapeHtml(station.name) +
                     "<br><small>" + escapeHtml(states[state] || state) + "</small>")
          .addTo(map);
        points.push([station.latitude, station.longitude]);
      });
      element.dataset.loaded = String(points.length);
      return points;
    });
  }

  function start(element) {
    var settings = JSON.parse(document.getElementById(element.dataset.config).textContent);
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: element.dataset.zoomInTitle,
                     zoomOutTitle: element.dataset.zoomOutTitle }).addTo(map);
    addBasemap(map, element, settings);
    map.fitBounds(VIET_NAM);
    addProvinces(map, settings);
    addStations(map, element, settings).then(function (points) {
      if (settings.provinces.length === 1 && points.length) {
        map.fitBounds(points, { padding: [30, 30], maxZoom: 11 });
      }
    }).catch(function () {
      element.dataset.loaded = "error";
      var note = document.createElement("p");
      note.className = "map-error";
      note.textContent = element.dataset.errorText;
      element.parentNode.insertBefore(note, element.nextSibling);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("dashboard-map");
    if (element && typeof L !== "undefined") { start(element); }
  });
})();
