/* Viet Nam as a map's base layer, drawn from the project's own outline (a ministry server often
   cannot reach a tile server): the land below the tiles, which hide it once they load, and
   Hoàng Sa and Trường Sa framed and named above them, whatever a tile server shows there.
   Shared by the air quality map (air.js) and the dashboard's map (dashboard.js). */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  // `element` is the map's box: its data-tile-url / data-tile-attribution choose the tiles, and
  // data-tiles / data-basemap say how loading went (the browser tests read them).
  function draw(map, element, basemapUrl, outlineLabel) {
    map.createPane("vn-base").style.zIndex = 150;       // below the tiles (200)
    var tiles = L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution, maxZoom: 18
    });
    tiles.on("tileload", function () { element.dataset.tiles = "loaded"; });
    tiles.on("tileerror", function () {
      if (element.dataset.tiles !== "loaded") { element.dataset.tiles = "error"; }
    });
    tiles.addTo(map);
    fetch(basemapUrl, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (collection) {
      L.geoJSON(collection, {
        pane: "vn-base", interactive: false, attribution: outlineLabel,
        filter: function (feature) { return feature.properties.kind !== "archipelago"; },
        style: function () { return { className: "vn-land", weight: 1, fillOpacity: 1 }; },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { pane: "vn-base", radius: 2, className: "vn-land" });
        }
      }).addTo(map);
      collection.features.forEach(function (feature) {
        if (feature.properties.kind !== "archipelago") { return; }
        var frame = L.geoJSON(feature, { interactive: false,
          style: function () { return { className: "vn-archipelago", weight: 1, fill: false }; }
        }).addTo(map);
        L.marker(frame.getBounds().getCenter(), {
          interactive: false, keyboard: false,
          icon: L.divIcon({ className: "archipelago-label", iconSize: null,
                            html: "<span class=\"centred\">" +
                              escapeHtml(feature.properties.name).replace(" (", "<br>(") +
                              "</span>" })
        }).addTo(map);
      });
      element.dataset.basemap = "ready";
    }).catch(function () { element.dataset.basemap = "error"; });
  }

  window.envhubBasemap = { draw: draw };
})();
