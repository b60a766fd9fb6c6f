/* Compliance charts (Apache ECharts): a parameter's judged averages against its limit line,
   the averages over the limit marked in red, windows without enough data (or missing) left as
   gaps, a lone average marked — like the EPA's effluent charts. One request per source
   (/api/v1/sources/{id}/assessments), shared by its parameters' charts. No inline script: settings and words come from a json_script block.
   Times are drawn in Viet Nam time (UTC+7) whatever the browser's zone. */
(function () {
  "use strict";

  var VN_OFFSET_MS = 7 * 3600 * 1000;
  var RED = "#c0392b";
  var BLUE = "#0b5394";
  var LIMIT = "#7a4100";

  function vnMs(iso) { return Date.parse(iso) + VN_OFFSET_MS; }

  var requests = {};
  function load(url, config) {
    var query = new URLSearchParams({ from: config.from, to: config.to });
    var key = url + "?" + query.toString();
    if (!requests[key]) {
      requests[key] = fetch(key, { credentials: "same-origin",
                                   headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        });
    }
    return requests[key];
  }

  function draw(element, rows, config) {
    var labels = config.labels;
    var unit = element.dataset.unit || "";
    var values = [], over = [], limit = [];
    var step = (rows[0].window_hours || 1) * EnvhubCharts.HOUR_MS;
    rows.forEach(function (row) {
      var x = vnMs(row.window_end);
      values.push([x, row.value, null, row.limit]);  // null: a gap, not a zero
      if (row.state === "exceeds") { over.push([x, row.value, row.multiple, row.limit]); }
      if (row.limit != null) { limit.push([x, row.limit]); }
    });
    var chart = EnvhubNumbers.chart(element);
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      animation: false, useUTC: true,  // the times were shifted to Viet Nam wall-clock time
      grid: { left: 70, right: 24, top: 56, bottom: 60 },  // the unit below the legend
      // One row that scrolls: on a phone a wrapped legend covered the unit.
      legend: { type: "scroll", top: 4, left: 8, right: 8,
                data: [labels.value, labels.limit, labels.exceeds] },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          var lines = [EnvhubCharts.timeText(items[0].value[0])];
          items.forEach(function (item) {
            if (item.value[1] == null) { return; }
            // The limit's figure as written; a value never rounded onto the limit.
            var text = item.marker + item.seriesName + ": " + EnvhubNumbers.format(
              item.value[1], item.seriesName === labels.limit ? { unit: "limit" } :
                { unit: unit, against: item.value[3] }) + " " + unit;
            if (item.value[2] != null) {
              text += " (" + EnvhubNumbers.format(item.value[2], { decimals: 2, against: 1 }) + " " +
                labels.multiple + ")";
            }
            lines.push(text);
          });
          return lines.join("<br>");
        }
      },
      xAxis: EnvhubCharts.timeAxis({}, element),
      yAxis: { type: "value", name: unit, min: 0,
               axisLabel: { formatter: EnvhubNumbers.formatterFor(unit) } },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 10 }],
      series: [
        // Windows missing from the list are gaps too; a lone average keeps its marker.
        EnvhubCharts.line({ name: labels.value, data: values, step: step,
                            lineStyle: { width: 1.5, color: BLUE }, itemStyle: { color: BLUE } }),
        { name: labels.limit, type: "line", step: "end", data: limit, showSymbol: false,
          lineStyle: { width: 2, type: "dashed", color: LIMIT }, itemStyle: { color: LIMIT } },
        { name: labels.exceeds, type: "scatter", data: over, symbolSize: 7,
          itemStyle: { color: RED } }
      ]
    });
  }

  function init() {
    var holder = document.getElementById("compliance-chart-config");
    if (!holder || typeof echarts === "undefined") { return; }
    var config = JSON.parse(holder.textContent);
    document.querySelectorAll(".compliance-chart").forEach(function (element) {
      var note = element.nextElementSibling;
      load(element.dataset.url, config).then(function (body) {
        var rows = body.results.filter(function (row) {
          return row.parameter === element.dataset.parameter;
        });
        if (!rows.length) {
          element.hidden = true;
          element.dataset.state = "empty";
          note.textContent = config.labels.empty;
          return;
        }
        draw(element, rows, config);
        element.dataset.state = "ready";
        // A window still running is in progress, not missing data.
        var unknown = rows.filter(function (row) {
          return row.state === "unknown" && !row.in_progress;
        }).length;
        var running = rows.filter(function (row) { return row.in_progress; }).length;
        var parts = [];
        if (unknown) { parts.push(unknown + " × " + config.labels.unknown); }
        if (running) { parts.push(running + " × " + config.labels.in_progress); }
        if (parts.length) { note.textContent = parts.join("; "); }
      }).catch(function () {
        element.dataset.state = "error";
        note.textContent = config.labels.error;
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
