/* Maps of stations and facilities (Leaflet). Reads its settings from data- attributes so that
   no inline script is needed (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  var VIET_NAM = [[8.2, 102.1], [23.4, 109.5]];
  // Viet Nam's archipelagos are labelled on every map, whatever the tile server shows.
  var ARCHIPELAGOS = [
    { name: "Quần đảo Hoàng Sa (Việt Nam)", at: [16.5, 112.0] },
    { name: "Quần đảo Trường Sa (Việt Nam)", at: [9.5, 114.0] }
  ];

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function popup(properties) {
    var html = "<strong><a href=\"/stations/" + encodeURIComponent(properties.code) + "/\">" +
      escapeHtml(properties.code) + "</a></strong><br>" + escapeHtml(properties.name) +
      "<br><small>" + escapeHtml(properties.kind_label) + " · " +
      escapeHtml(properties.province && properties.province.name) + "</small>";
    if (properties.facility) {
      html += "<br><small>" + escapeHtml(properties.facility.name) + "</small>";
    }
    return html;
  }

  // Stations that share a point (a stack and an outfall placed at their facility) are spread on
  // a small circle so that each marker can be clicked; about 40 m, invisible at country scale.
  var SPREAD_DEGREES = 0.0004;

  function spreadColocated(collection) {
    var groups = {};
    collection.features.forEach(function (feature) {
      var key = feature.geometry.coordinates.join(",");
      (groups[key] = groups[key] || []).push(feature);
    });
    Object.keys(groups).forEach(function (key) {
      var group = groups[key];
      if (group.length < 2) { return; }
      group.forEach(function (feature, index) {
        var angle = (2 * Math.PI * index) / group.length;
        var lon = feature.geometry.coordinates[0], lat = feature.geometry.coordinates[1];
        feature.geometry = {
          type: "Point",
          coordinates: [lon + SPREAD_DEGREES * Math.cos(angle) / Math.cos(lat * Math.PI / 180),
                        lat + SPREAD_DEGREES * Math.sin(angle)]
        };
      });
    });
    return collection;
  }

  function addArchipelagos(map) {
    ARCHIPELAGOS.forEach(function (item) {
      L.marker(item.at, {
        icon: L.divIcon({ className: "archipelago-label", html: escapeHtml(item.name), iconSize: null }),
        interactive: false,
        keyboard: false
      }).addTo(map);
    });
  }

  function start(element) {
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    // The zoom buttons' words come in the page's language from the map element.
    L.control.zoom({ zoomInTitle: element.dataset.zoomInTitle,
                     zoomOutTitle: element.dataset.zoomOutTitle }).addTo(map);
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution,
      maxZoom: 18
    }).addTo(map);
    addArchipelagos(map);

    var center = element.dataset.center;
    if (center) {
      var point = center.split(",").map(Number);
      map.setView(point, 12);
      if (element.dataset.markerLabel) {
        L.circleMarker(point, { radius: 8, className: "station-marker" })
          .bindTooltip(element.dataset.markerLabel).addTo(map);
      }
    } else {
      map.fitBounds(VIET_NAM);
    }

    var url = element.dataset.geojsonUrl;
    if (!url) {
      element.dataset.loaded = "0";
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(spreadColocated(collection), {
          pointToLayer: function (feature, latlng) {
            var kind = feature.properties.kind;
            return L.circleMarker(latlng, {
              radius: 7,
              weight: 1,
              color: "#222",
              fillOpacity: feature.properties.active ? 0.9 : 0.35,
              // The colour of each kind is in site.css, shared with the legend.
              className: "station-marker kind-" + kind
            });
          },
          onEachFeature: function (feature, marker) {
            marker.bindPopup(popup(feature.properties));
          }
        }).addTo(map);
        var count = collection.features.length;
        if (count > 0 && !center) {
          map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 12 });
        }
        element.dataset.loaded = String(count);
      })
      .catch(function () {
        element.dataset.loaded = "error";
        var note = document.createElement("p");
        note.className = "map-error";
        note.textContent = element.dataset.errorText || "Không tải được dữ liệu bản đồ.";
        element.parentNode.insertBefore(note, element.nextSibling);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("#map, .map[data-tile-url]").forEach(function (element) {
      if (!element.dataset.started) {
        element.dataset.started = "1";
        start(element);
      }
    });
  });
})();
