/* Public air quality pages: the map of ambient stations coloured by their current VN_AQI
   (Leaflet), and a station's last 48 hours and 30 days as bars coloured by category (Apache
   ECharts). Settings, words and the category colours (from the data: vn_aqi.CATEGORIES) come
   from a json_script block; the values from the public API. No inline script (CSP). Times are
   drawn in Viet Nam time (UTC+7) whatever the browser's zone. */
(function () {
  "use strict";

  // The national view: the mainland and the Hoàng Sa and Trường Sa archipelagos.
  var VIET_NAM = [[6.5, 102.1], [23.4, 116.2]];
  var NATIONAL_SPREAD = 3;
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

  // --- the map ----------------------------------------------------------------------------

  // Viet Nam's own outline below the tiles (basemap.js), the provinces' names above it.
  function addBasemap(map, element, settings) {
    window.envhubBasemap.draw(map, element, settings.basemap_url, settings.labels.outline);
    map.createPane("vn-province").style.zIndex = 160;   // the tiles have their own names
    var labels = settings.provinces.slice().sort(function (a, b) { return b.points - a.points; })
      .map(function (province) {
        return L.marker([province.latitude, province.longitude], {
          pane: "vn-province", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "province-label", iconSize: null,
                            html: "<span>" + escapeHtml(province.label) + "</span>" })
        }).addTo(map);
      });
    map.on("zoomend", function () { declutter(map, labels); });
    map.whenReady(function () { declutter(map, labels); });
  }

  // Province names that would overlap a name already shown are hidden at this zoom, the
  // provinces with the most stations and facilities first (Hà Nội's delta neighbours are
  // named as one zooms in).
  function declutter(map, labels) {
    var shown = [];
    labels.forEach(function (marker) {
      var element = marker.getElement();
      if (!element) { return; }
      element.style.display = "";
      var text = element.firstChild, at = map.latLngToLayerPoint(marker.getLatLng());
      var half = text.offsetWidth / 2 + 4, box = L.bounds(
        [at.x - half, at.y + 10], [at.x + half, at.y + 12 + text.offsetHeight]);
      if (shown.some(function (other) { return other.intersects(box); })) {
        element.style.display = "none";
      } else {
        shown.push(box);
      }
    });
  }

  // Stations closer than this on the screen are drawn as one marker (Hà Nội's overlap at
  // national zoom). A greedy pass over a few hundred stations on each zoom: no library needed.
  var CLUSTER_PIXELS = 28;
  // Popups pan clear of the zoom buttons (top left) rather than open under them; startMap
  // narrows them on a phone so that they still fit beside the buttons.
  var POPUP = { autoPanPaddingTopLeft: [60, 100], autoPanPadding: [12, 12], maxWidth: 260 };

  // Leaflet's circle markers are SVG paths, which the keyboard does not reach: each one is made
  // a button, reached by Tab, named for a screen reader, and acted on by Enter or Space as by a
  // click. (Leaflet draws a fresh path each time a marker is added back after clustering.)
  function keyboardable(marker, label, activate) {
    marker.on("add", function () {
      var element = marker.getElement();
      if (!element) { return; }
      element.setAttribute("tabindex", "0");
      element.setAttribute("role", "button");
      element.setAttribute("aria-label", label);
      element.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") { return; }
        event.preventDefault();
        activate(event);
      });
    });
    return marker;
  }

  function clusterOf(map, group, settings) {
    var worst = null, bounds = L.latLngBounds([]);
    group.forEach(function (entry) {
      bounds.extend(entry.latlng);
      if (entry.current && (!worst || entry.item.aqi > worst.item.aqi)) { worst = entry; }
    });
    var label = settings.labels.cluster.replace("{count}", String(group.length));
    var marker = L.circleMarker(bounds.getCenter(), {
      radius: 17, weight: 3, color: "#fff", fillOpacity: 0.95,
      fillColor: worst ? worst.item.category.colour : STALE,
      className: "aqi-cluster aqi-" + (worst ? worst.item.category.code : "stale")
    });
    marker.bindTooltip(String(group.length), { permanent: true, direction: "center",
                                               className: "aqi-label aqi-cluster-label" });
    var list = "<strong>" + escapeHtml(label) + "</strong><hr>" +
      group.map(function (entry) { return entry.html; }).join("<hr>");
    function open(event) {
      // Zoom in while that separates them; markers still together open one list instead.
      // The popup is bound only then: bound at once, it would open (and fade out over the
      // next marker's) on every click that zooms.
      if (map.getBoundsZoom(bounds, false, L.point(60, 60)) > map.getZoom()) {
        if (event && event.type === "keydown") {
          // The cluster goes away as its stations part: the keyboard moves on to the first.
          map.once("zoomend", function () {
            var first = group[0].marker.getElement();
            if (first && map.hasLayer(group[0].marker)) { first.focus(); }
          });
        }
        map.fitBounds(bounds, { padding: [60, 60] });
      } else {
        if (!marker.getPopup()) { marker.bindPopup(list, POPUP); }
        marker.openPopup();
      }
    }
    marker.on("click", function () { open(); });
    return keyboardable(marker, label, open);
  }

  function clusterer(map, entries, settings) {
    var layer = L.layerGroup().addTo(map), shown = [];
    function draw() {
      var groups = [];
      entries.forEach(function (entry) {
        var point = map.latLngToLayerPoint(entry.latlng);
        var near = groups.find(function (group) {
          return group.at.distanceTo(point) < CLUSTER_PIXELS;
        });
        if (near) {
          near.members.push(entry);
        } else {
          groups.push({ at: point, members: [entry] });
        }
      });
      var next = groups.map(function (group) {
        return group.members.length === 1 ? group.members[0].marker
          : clusterOf(map, group.members, settings);
      });
      // A marker that stays on the map keeps its open popup.
      shown.forEach(function (marker) {
        if (next.indexOf(marker) < 0) { layer.removeLayer(marker); }
      });
      next.forEach(function (marker) { layer.addLayer(marker); });
      shown = next;
      map.getContainer().dataset.clusters = String(groups.filter(function (group) {
        return group.members.length > 1;
      }).length);
    }
    map.on("zoomend", draw);
    return draw;
  }

  function startMap(element, settings) {
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    // The zoom buttons' words come in the page's language from the map element.
    L.control.zoom({ zoomInTitle: element.dataset.zoomInTitle,
                     zoomOutTitle: element.dataset.zoomOutTitle }).addTo(map);
    POPUP.maxWidth = Math.max(150, Math.min(260, element.clientWidth - 120));
    addBasemap(map, element, settings);
    map.fitBounds(VIET_NAM);
    var note = document.getElementById("air-map-note");
    getJson(settings.latest_url).then(function (body) {
      var points = [], entries = [];
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
            escapeHtml(pollutant(item.dominant)) + " · " + escapeHtml(item.hour_label) +
            "</small>"
            : escapeHtml(name));
        marker.bindPopup(html, POPUP);
        keyboardable(marker, station.name + (current ? " · VN_AQI " + item.aqi + " · " + name
                                                     : " · " + name),
                     function () { marker.openPopup(); });
        if (current) {
          marker.bindTooltip(String(item.aqi), { permanent: true, direction: "center",
                                                 className: "aqi-label" });
        }
        entries.push({ marker: marker, item: item, html: html, current: current,
                       latlng: L.latLng(station.latitude, station.longitude) });
        points.push([station.latitude, station.longitude]);
      });
      var draw = clusterer(map, entries, settings);
      // Stations of one region: their place; stations across the country (more than
      // NATIONAL_SPREAD degrees apart): the national view, archipelagos included.
      var spread = points.length ? L.latLngBounds(points) : null;
      if (spread && spread.getNorth() - spread.getSouth() <= NATIONAL_SPREAD) {
        map.fitBounds(points, { padding: [30, 30], maxZoom: 11 });
      }
      draw();
      startLocate(map, settings, entries);
      element.dataset.loaded = String(points.length);
    }).catch(function () {
      element.dataset.loaded = "error";
      note.textContent = settings.labels.error;
    });
  }

  // --- where am I: "find my province" and "nearest station" -----------------------------

  function distanceKm(a, b) {
    var rad = Math.PI / 180, dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * 6371 * Math.asin(Math.sqrt(h));
  }

  function nearest(here, items, position) {
    var best = null, bestKm = Infinity;
    items.forEach(function (item) {
      var km = distanceKm(here, position(item));
      if (km < bestKm) { best = item; bestKm = km; }
    });
    return best && { item: best, km: bestKm };
  }

  function startLocate(map, settings, entries) {
    var box = document.getElementById("air-locate");
    if (!box) { return; }
    var message = document.getElementById("air-locate-message");
    var labels = settings.labels, youMarker = null;
    box.hidden = false;

    function say(state, html) {
      box.dataset.state = state;
      message.innerHTML = html;
    }

    function locate(then) {
      if (!window.isSecureContext) { say("insecure", escapeHtml(labels.insecure)); return; }
      if (!navigator.geolocation) { say("unsupported", escapeHtml(labels.unsupported)); return; }
      say("locating", escapeHtml(labels.locating));
      navigator.geolocation.getCurrentPosition(function (position) {
        var here = [position.coords.latitude, position.coords.longitude];
        if (youMarker) { youMarker.remove(); }
        youMarker = L.circleMarker(here, { radius: 6, weight: 3, color: "#fff",
          fillColor: "#1565c0", fillOpacity: 1, className: "you-are-here" })
          .bindTooltip(labels.you_are_here).addTo(map);
        then(here);
      }, function (error) {
        var refused = error.code === 1;
        say(refused ? "refused" : "unavailable",
            escapeHtml(refused ? labels.refused : labels.unavailable));
      }, { timeout: 15000, maximumAge: 600000 });
    }

    document.getElementById("air-find-province").addEventListener("click", function () {
      locate(function (here) {
        var found = nearest(here, settings.provinces, function (province) {
          return [province.latitude, province.longitude];
        });
        if (!found) { say("none", escapeHtml(labels.no_province)); return; }
        var province = found.item;
        map.setView([province.latitude, province.longitude], 9, { animate: false });
        say("province", escapeHtml(labels.your_province) + " <a href=\"" +
            settings.province_url.replace("00", encodeURIComponent(province.code)) + "\">" +
            escapeHtml(province.name) + "</a>");
      });
    });

    document.getElementById("air-nearest").addEventListener("click", function () {
      locate(function (here) {
        var found = nearest(here, entries, function (entry) {
          return [entry.latlng.lat, entry.latlng.lng];
        });
        if (!found) { say("none", escapeHtml(labels.no_station)); return; }
        var entry = found.item;
        map.setView(entry.latlng, Math.max(map.getZoom(), 13), { animate: false });
        if (map.hasLayer(entry.marker)) { entry.marker.openPopup(); }
        say("station", escapeHtml(labels.nearest_is) + " <a href=\"/air/stations/" +
            encodeURIComponent(entry.item.station.code) + "/\">" +
            escapeHtml(entry.item.station.name) + "</a> · " +
            escapeHtml(labels.km_away.replace("{km}", String(Math.round(found.km)))));
      });
    });
  }

  // --- a station's bars ---------------------------------------------------------------------

  // Now in Viet Nam wall-clock time, `hours` before (-1) or after (1), on a whole hour or day.
  function axisEnd(hours, daily, sign) {
    var unit = daily ? 24 * 3600000 : 3600000;
    var at = Date.now() + VN_OFFSET_MS + sign * hours * 3600000;
    return (sign < 0 ? Math.floor(at / unit) : Math.ceil(at / unit)) * unit;
  }

  function drawBars(element, rows, settings, daily) {
    var legend = settings.legend;
    var data = rows.filter(function (row) { return row.aqi != null; }).map(function (row) {
      // A bar sits over the period it covers: a day at its noon, the hour ending 17:00 at
      // 16:30.
      var x = daily ? Date.UTC.apply(null, row.day.split("-").map(function (v, i) {
        return i === 1 ? Number(v) - 1 : Number(v);
      })) + 12 * 3600 * 1000 : Date.parse(row.hour_end) + VN_OFFSET_MS - 1800 * 1000;
      var category = categoryFor(legend, row.aqi);
      // A day that has not ended ("đang tính"): a faded bar with a dashed edge, so that it is
      // not read as the day's index.
      return { value: [x, row.aqi], dominant: row.dominant, name: category.name,
               hour: row.hour_label, in_progress: row.in_progress === true,
               itemStyle: row.in_progress === true
                 ? { color: category.colour, opacity: 0.45, borderColor: "#222",
                     borderType: "dashed", borderWidth: 1 }
                 : { color: category.colour, borderColor: "rgba(0,0,0,.35)" } };
    });
    var chart = EnvhubNumbers.chart(element);
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      animation: false, useUTC: true,
      grid: { left: 50, right: 20, top: 32, bottom: 40 },  // room for the axis name
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          var d = new Date(item.value[0]);
          // An hour is shown as the hour it covers ("16:00–17:00 26/11/2026", from the API).
          var when = daily ? pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) + "/" +
            d.getUTCFullYear() : escapeHtml(item.data.hour);
          if (item.data.in_progress) {
            when += " · " + escapeHtml(settings.labels.in_progress);
          }
          return when + "<br>VN_AQI <strong>" +
            EnvhubNumbers.format(item.value[1], { unit: "AQI" }) + "</strong> · " +
            escapeHtml(item.data.name) + "<br>" + escapeHtml(settings.labels.dominant) + ": " +
            escapeHtml(pollutant(item.data.dominant));
        }
      },
      // The whole period asked for, so that missing hours and days show as gaps. ECharts
      // widens it by half a bar: its ends get no label (they read "01:45:58").
      xAxis: EnvhubCharts.timeAxis({
        min: axisEnd(daily ? 30 * 24 : 48, daily, -1), max: axisEnd(daily ? 24 : 1, daily, 1),
        axisLabel: { showMinLabel: false, showMaxLabel: false } }, element),
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
        var running = body.results.filter(function (row) {
          return row.in_progress === true && row.aqi != null;
        });
        if (running.length) {
          element.dataset.inProgress = running.map(function (row) { return row.day; }).join(" ");
          note.textContent = settings.labels.day_in_progress.replace(
            "{day}", running.map(function (row) {
              return row.day.split("-").reverse().join("/");
            }).join(", "));
        }
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

  // A deferred script runs before DOMContentLoaded (readyState "interactive"): start then, as
  // the page's other scripts do.
  if (document.readyState === "complete") {
    init();
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
