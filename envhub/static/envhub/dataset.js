/* A catalogue dataset's time series (Apache ECharts): its last days from the dataset's own JSON
   download, one line per station (and parameter), in Viet Nam time. Settings from a
   json_script block (no inline script: CSP). */
(function () {
  "use strict";

  var VN_OFFSET_MS = 7 * 3600 * 1000;

  function x(value) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      var parts = value.split("-").map(Number);
      return Date.UTC(parts[0], parts[1] - 1, parts[2], 12);
    }
    return Date.parse(value) + VN_OFFSET_MS;
  }

  function init() {
    var holder = document.getElementById("dataset-chart-config");
    var element = document.getElementById("dataset-chart");
    if (!holder || !element || typeof echarts === "undefined") { return; }
    var config = JSON.parse(holder.textContent);
    var note = document.getElementById("dataset-chart-note");
    fetch(config.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (rows) {
        var series = {};
        rows.forEach(function (row) {
          if (row[config.value] == null) { return; }
          var name = config.series.map(function (key) { return row[key]; }).join(" · ");
          (series[name] = series[name] || []).push([x(row[config.time]), row[config.value]]);
        });
        var names = Object.keys(series).sort().slice(0, config.max_series);
        if (!names.length) {
          element.hidden = true;
          element.dataset.state = "empty";
          note.textContent = config.labels.empty;
          return;
        }
        var chart = EnvhubNumbers.chart(element);
        window.addEventListener("resize", function () { chart.resize(); });
        chart.setOption({
          animation: false, useUTC: true,
          legend: { type: "scroll", top: 0 },
          grid: { left: 60, right: 20, top: 40, bottom: 50 },
          tooltip: { trigger: "axis", valueFormatter: EnvhubNumbers.formatterFor() },
          xAxis: { type: "time" },
          yAxis: { type: "value", name: config.value,
                   axisLabel: { formatter: EnvhubNumbers.formatterFor() } },
          dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
          series: names.map(function (name) {
            return { name: name, type: "line", showSymbol: false, connectNulls: false,
                     data: series[name] };
          })
        });
        element.dataset.state = "ready";
        element.dataset.series = String(names.length);
      })
      .catch(function () {
        element.dataset.state = "error";
        note.textContent = config.labels.error;
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
