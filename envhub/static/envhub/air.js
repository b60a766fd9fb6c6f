/* Public air quality pages: the map of ambient stations coloured by their current VN_AQI
   (Leaflet), and a station's last 48 hours and 30 days as bars coloured by category (Apache
   ECharts). Settings, words and the category colours (from the data: vn_aqi.CATEGORIES) come
   from a json_script block; the values from the public API. No inline script (CSP). Times are
   drawn in Viet Nam time (UTC+7) whatever the browser's zone. */
(function () {
  "use strict";

  var VIET_NAM = [[8.2, 102.1], [23.4, 109.5]];
  var VN_OFFSET_MS = 7 * 3600 * 1000;
  var STALE = "#9aa3ad";

  function config(id) {
    var holder = document.getElementById(id);
    return holder ? JSON.parse(holder.textContent) : null;
  }

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

  function categoryFor(legend, aqi) {
    for (var i = 0; i < legend.length; i++) {
      if (aqi <= legend[i].high) { return legend[i]; }
    }
    return legend[legend.length - 1];
  }

  function pollutant(code) { return code ? String(code).replace("_", ".") : "—"; }

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function vnText(iso) {
    var d = new Date(Date.parse(iso) + VN_OFFSET_MS);
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " " + pad(d.getUTCDate()) +
      "/" + pad(d.getUTCMonth() + 1);
  }

  // --- the map ----------------------------------------------------------------------------

  function startMap(element, settings) {
    var map = L.map(element, { scrollWheelZoom: false });
    L.tileLayer(element.dataset.tileUrl, {
      attribution: element.dataset.tileAttribution, maxZoom: 18
    }).addTo(map);
    map.fitBounds(VIET_NAM);
    var note = document.getElementById("air-map-note");
    getJson(settings.latest_url).then(function (body) {
      var points = [];
      body.results.forEach(function (item) {
        var station = item.station;
        if (station.latitude == null || station.longitude == null) { return; }
        var current = item.aqi != null && !item.stale;
        var colour = current ? item.category.colour : STALE;
        var marker = L.circleMarker([station.latitude, station.longitude], {
          radius: 11, weight: 2, color: "#222", fillColor: colour, fillOpacity: 0.95,
          className: "aqi-marker aqi-" + (current ? item.category.code : "stale")
        });
        var name = current ? (settings.english ? item.category.name_en : item.category.name_vi)
          : settings.labels.stale;
        var html = "<strong><a href=\"/air/stations/" + encodeURIComponent(station.code) +
          "/\">" + escapeHtml(station.name) + "</a></strong><br>" +
          (current ? "VN_AQI <strong>" + item.aqi + "</strong> · " + escapeHtml(name) +
            "<br><small>" + escapeHtml(settings.labels.dominant) + ": " +
            escapeHtml(pollutant(item.dominant)) + " · " + vnText(item.hour_end) + "</small>"
            : escapeHtml(name));
        marker.bindPopup(html);
        if (current) {
          marker.bindTooltip(String(item.aqi), { permanent: true, direction: "center",
                                                 className: "aqi-label" });
        }
        marker.addTo(map);
        points.push([station.latitude, station.longitude]);
      });
      if (points.length) { map.fitBounds(points, { padding: [30, 30], maxZoom: 11 }); }
      element.dataset.loaded = String(points.length);
    }).catch(function () {
      element.dataset.loaded = "error";
      note.textContent = settings.labels.error;
    });
  }

  // --- a station's bars ---------------------------------------------------------------------

  function drawBars(element, rows, settings, daily) {
    var legend = settings.legend;
    var data = rows.filter(function (row) { return row.aqi != null; }).map(function (row) {
      var x = daily ? Date.UTC.apply(null, row.day.split("-").map(function (v, i) {
        return i === 1 ? Number(v) - 1 : Number(v);
      })) + 12 * 3600 * 1000 : Date.parse(row.hour_end) + VN_OFFSET_MS;
      var category = categoryFor(legend, row.aqi);
      return { value: [x, row.aqi], dominant: row.dominant, name: category.name,
               itemStyle: { color: category.colour, borderColor: "rgba(0,0,0,.35)" } };
    });
    var chart = EnvhubNumbers.chart(element);
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      animation: false, useUTC: true,
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var d = new Date(item.value[0]);
          var when = daily ? pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) + "/" +
            d.getUTCFullYear() : pad(d.getUTCHours()) + ":00 " + pad(d.getUTCDate()) + "/" +
            pad(d.getUTCMonth() + 1);
          return when + "<br>VN_AQI <strong>" +
            EnvhubNumbers.format(item.value[1], { unit: "AQI" }) + "</strong> · " +
            escapeHtml(item.data.name) + "<br>" + escapeHtml(settings.labels.dominant) + ": " +
            escapeHtml(pollutant(item.data.dominant));
        }
      },
      // The whole period asked for, so that missing hours and days show as gaps.
      xAxis: { type: "time", min: Date.now() + VN_OFFSET_MS - (daily ? 30 * 24 : 48) * 3600000,
               max: Date.now() + VN_OFFSET_MS + (daily ? 24 * 3600000 : 3600000) },
      yAxis: { type: "value", min: 0, name: settings.labels.aqi,
               axisLabel: { formatter: EnvhubNumbers.formatterFor("AQI") } },
      series: [{ type: "bar", data: data, barMaxWidth: daily ? 18 : 10 }]
    });
    return data.length;
  }

  function startCharts(settings) {
    document.querySelectorAll(".air-chart").forEach(function (element) {
      var daily = element.dataset.kind === "daily";
      var note = element.nextElementSibling;
      var url = daily ? settings.daily_url : settings.hourly_url;
      getJson(url + "&limit=500").then(function (body) {
        var drawn = drawBars(element, body.results, settings, daily);
        element.dataset.state = drawn ? "ready" : "empty";
        element.dataset.bars = String(drawn);
        if (!drawn) { note.textContent = settings.labels.no_data; }
      }).catch(function () {
        element.dataset.state = "error";
        note.textContent = settings.labels.error;
      });
    });
  }

  function init() {
    var mapElement = document.getElementById("air-map");
    var mapSettings = config("air-map-config");
    if (mapElement && mapSettings && typeof L !== "undefined") {
      startMap(mapElement, mapSettings);
    }
    var stationSettings = config("air-station-config");
    if (stationSettings && typeof echarts !== "undefined") {
      startCharts(stationSettings);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
