/* The dashboard's 12-month trends (dashboard/_trends.html): hours over the limit by province and
   by sector, and the main cities' VN_AQI days per category, as stacked bars (Apache ECharts).
   The figures and words come from the page's json_script block; the table under each chart
   holds the same figures for print and screen readers. Numbers through numbers.js. */
(function () {
  "use strict";

  var PALETTE = ["#1f6f8b", "#e07a1f", "#5a8f29", "#9b3d8f", "#c23b3b", "#8c8c8c",
                 "#2c9fb0", "#b58b00", "#4b5fb5"];

  function config() {
    var holder = document.getElementById("dashboard-trends-config");
    return holder ? JSON.parse(holder.textContent) : null;
  }

  function narrow() { return window.matchMedia && window.matchMedia("(max-width: 600px)").matches; }

  function draw(element, trend) {
    var count = EnvhubNumbers.formatterFor("count");
    var chart = EnvhubNumbers.chart(element);
    chart.setOption({
      animation: false,
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: count },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: trend.months,
               axisLabel: { interval: narrow() ? 2 : 0, hideOverlap: true } },
      // The heading above names the figure; an axis name would crowd a phone's legend.
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: count } },
      series: trend.series.map(function (line) {
        var item = { type: "bar", stack: "all", name: line.name, data: line.values,
                     emphasis: { focus: "series" } };
        if (line.colour) { item.itemStyle = { color: line.colour, borderColor: "#666", borderWidth: 0.5 }; }
        return item;
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
  }

  function start() {
    var settings = config();
    if (!settings || typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-trend]").forEach(function (element) {
      var name = element.getAttribute("data-trend");
      if (settings[name] && settings[name].series.length) {
        draw(element, settings[name]);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
