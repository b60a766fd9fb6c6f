/* A catalogue dataset's time series (Apache ECharts): its last days from the dataset's own JSON
   download, one line per station (and parameter), in Viet Nam time. A grid per unit, its
   y-axis named with the unit, so that no two units ever share an axis (RH in % and temperature
   in °C have their own); within a unit, a grid per order of magnitude (CO beside PM2.5, both
   µg/m3); the legend hides and shows lines. Missing hours or days are gaps; a lone value keeps its marker (charts.js).
   Settings from a json_script block (no inline script: CSP). */
(function () {
  "use strict";

  var VN_OFFSET_MS = 7 * 3600 * 1000;
  var LEGEND_HEIGHT = 56;  // room for a scrolling legend of one or two rows
  var GRID_HEIGHT = 170;
  var GRID_GAP = 56;  // the grid's time labels and the next grid's unit
  var SLIDER_HEIGHT = 44;

  function x(value) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      var parts = value.split("-").map(Number);
      return Date.UTC(parts[0], parts[1] - 1, parts[2], 12);
    }
    return Date.parse(value) + VN_OFFSET_MS;
  }

  /* {unit: {name: [[t, value], …]}}, a line per name, grouped by the unit of its values; and
     each line's kind (its name without the station: the parameter). */
  function group(rows, config) {
    var units = {}, kinds = {};
    var kindKeys = config.series.filter(function (key) { return key !== "station"; });
    rows.forEach(function (row) {
      var unit = config.unit.column ? (row[config.unit.column] || "") : config.unit.value;
      var name = config.series.map(function (key) { return row[key]; }).join(" · ");
      var lines = units[unit] = units[unit] || {};
      kinds[name] = kindKeys.map(function (key) { return row[key]; }).join(" · ");
      (lines[name] = lines[name] || []).push([x(row[config.time]), row[config.value]]);
    });
    return { units: units, kinds: kinds };
  }

  function hasValue(points) {
    return points.some(function (point) { return point[1] !== null && point[1] !== undefined; });
  }

  function peak(points) {
    return points.reduce(function (most, point) {
      return point[1] === null || point[1] === undefined ? most :
        Math.max(most, Math.abs(point[1]));
    }, 0);
  }

  /* A unit's lines in sets of like size, each on an axis of its own: CO in µg/m3, a hundred
     times PM2.5, would flatten it to a line along zero. Lines of one kind (a parameter) stay
     together; kinds in order of their peak join a set while within SPREAD× of its smallest.
     The axes are all named with the unit. */
  var SPREAD = 10;
  function bySize(lines, names, kinds) {
    var peaks = {};
    names.forEach(function (name) {
      var kind = kinds[name];
      peaks[kind] = Math.max(peaks[kind] || 0, peak(lines[name]));
    });
    var sets = [];
    Object.keys(peaks).sort(function (a, b) {
      return peaks[a] - peaks[b] || (a < b ? -1 : 1);
    }).forEach(function (kind) {
      var set = sets[sets.length - 1];
      if (set && peaks[kind] <= Math.max(set.floor, 1e-9) * SPREAD) {
        set.kinds[kind] = true;
      } else {
        set = { floor: peaks[kind], kinds: {} };
        set.kinds[kind] = true;
        sets.push(set);
      }
    });
    return sets.map(function (set) {
      return { kinds: Object.keys(set.kinds).filter(Boolean),
               names: names.filter(function (name) { return set.kinds[kinds[name]]; }) };
    });
  }

  function tooltip(items, daily, unitOf) {
    if (!items.length) { return ""; }
    var lines = [EnvhubCharts.timeText(items[0].value[0], !daily)];
    items.forEach(function (item) {
      if (item.value[1] === null || item.value[1] === undefined) { return; }
      var unit = unitOf[item.seriesName];
      var div = document.createElement("div");
      div.textContent = item.seriesName + ": " + EnvhubNumbers.format(item.value[1], {
        unit: unit }) + " " + (unit === "AQI" ? "" : unit);
      lines.push(item.marker + div.innerHTML);
    });
    return lines.join("<br>");
  }

  function draw(element, rows, config) {
    var daily = config.step_hours === 24;
    var step = config.step_hours * EnvhubCharts.HOUR_MS;
    var grouped = group(rows, config);
    var units = grouped.units;
    var grids = [], xAxes = [], yAxes = [], series = [], unitOf = {};
    var drawn = 0;
    Object.keys(units).sort().forEach(function (unit) {
      var names = Object.keys(units[unit]).filter(function (name) {
        return hasValue(units[unit][name]);
      }).sort();
      names = names.slice(0, Math.max(0, config.max_series - drawn));
      var sets = bySize(units[unit], names, grouped.kinds);
      sets.forEach(function (set) {
        // A unit on two axes or more: each also says what it holds, when that is short.
        var name = config.unit.name || unit;
        if (sets.length > 1 && set.kinds.length && set.kinds.length <= 3) {
          name += " · " + set.kinds.join(", ");
        }
        addGrid(unit, name, set.names);
      });
    });
    function addGrid(unit, axisName, names) {
      var index = grids.length;
      grids.push({ left: 64, right: 20, height: GRID_HEIGHT,
                   top: LEGEND_HEIGHT + index * (GRID_HEIGHT + GRID_GAP) });
      // Daily means sit at noon: days on the axis, not hours.
      xAxes.push(EnvhubCharts.timeAxis({ gridIndex: index,
                                         minInterval: daily ? step : undefined }, element));
      yAxes.push({ type: "value", gridIndex: index, scale: true,
                   name: axisName, nameTextStyle: { align: "left" },
                   axisLabel: { formatter: EnvhubNumbers.formatterFor(unit) } });
      names.forEach(function (name) {
        unitOf[name] = unit;
        series.push(EnvhubCharts.line({
          name: name, data: units[unit][name], step: step, xAxisIndex: index,
          yAxisIndex: index, lineStyle: { width: 1.5 }
        }));
      });
      drawn += names.length;
    }
    if (!series.length) { return 0; }
    var all = grids.map(function (_, i) { return i; });
    element.style.height = (LEGEND_HEIGHT + grids.length * (GRID_HEIGHT + GRID_GAP) +
                            SLIDER_HEIGHT - GRID_GAP + 30) + "px";
    var chart = EnvhubNumbers.chart(element);
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption({
      animation: false, useUTC: true,
      legend: { type: "scroll", top: 0, left: 8, right: 8 },
      grid: grids, xAxis: xAxes, yAxis: yAxes,
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      tooltip: { trigger: "axis", confine: true,
                 formatter: function (items) { return tooltip(items, daily, unitOf); } },
      dataZoom: [{ type: "inside", xAxisIndex: all, filterMode: "none" },
                 { type: "slider", xAxisIndex: all, filterMode: "none", height: 16, bottom: 8,
                   labelFormatter: function (value) {
                     return EnvhubCharts.timeText(value, !daily);
                   } }],
      series: series
    });
    element.dataset.grids = String(grids.length);
    return series.length;
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
        var drawn = draw(element, rows, config);
        if (!drawn) {
          element.hidden = true;
          element.dataset.state = "empty";
          note.textContent = config.labels.empty;
          return;
        }
        element.dataset.state = "ready";
        element.dataset.series = String(drawn);
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
