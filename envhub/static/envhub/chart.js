/* The station chart (Apache ECharts): one parameter of one station, raw values coloured by
   device status, or hourly/daily means with their minimum–maximum band and coverage.

   No inline script (the Content-Security-Policy forbids them): the settings and the translated
   words come from a <script type="application/json"> (Django's json_script, never executed) and
   the form's controls; the values come from the JSON API (/api/v1/observations), page after
   page. Times are drawn in Viet Nam time (UTC+7) whatever the browser's zone: every instant is
   shifted by seven hours and the chart is told to read it as UTC. */
(function () {
  "use strict";

  var VN_OFFSET_MS = 7 * 3600 * 1000;
  var HOUR_MS = 3600 * 1000;
  var DAY_MS = 24 * HOUR_MS;
  var PAGE_SIZE = 500;
  // At most this many pages are read (20,000 values: 30 days of 2-minute data).
  var MAX_PAGES = 40;
  var RANGES = { "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS };
  // The same colours as the badges in site.css.
  var COLOURS = {
    measuring: "#0b5394",
    calibrating: "#b35c00",
    error: "#c0392b",
    calibratingArea: "rgba(230, 145, 20, 0.14)",
    errorArea: "rgba(192, 57, 43, 0.12)",
    band: "rgba(11, 83, 148, 0.16)",
    bandLegend: "rgba(11, 83, 148, 0.3)",
    coverage: "#9aa8b8",
    coverageLegend: "#9aa8b8"
  };

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // An ISO time with its offset, as a number the chart reads as Viet Nam wall-clock time.
  function vnMs(iso) { return Date.parse(iso) + VN_OFFSET_MS; }

  function dayMs(isoDay) {
    var parts = isoDay.split("-").map(Number);
    return Date.UTC(parts[0], parts[1] - 1, parts[2], 12);  // the middle of the local day
  }

  function formatVn(ms, withSeconds) {
    var d = new Date(ms);
    var text = pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) + "/" + d.getUTCFullYear() +
      " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
    return withSeconds ? text + ":" + pad(d.getUTCSeconds()) : text;
  }

  function formatDay(ms) {
    var d = new Date(ms);
    return pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) + "/" + d.getUTCFullYear();
  }

  function interpolate(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] == null ? "" : String(values[key]);
    });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function Chart(element, config) {
    this.element = element;
    this.config = config;
    this.labels = config.labels;
    this.form = document.getElementById("chart-controls");
    this.note = document.getElementById("chart-note");
    this.jsonLink = document.getElementById("chart-json");
    this.csvLink = document.getElementById("chart-csv");
    this.request = 0;
    this.chart = EnvhubNumbers.chart(element);
    var self = this;
    window.addEventListener("resize", function () { self.chart.resize(); });
  }

  Chart.prototype.choice = function () {
    var form = this.form;
    return {
      parameter: form.elements.parameter.value,
      interval: form.elements.interval.value,
      range: form.elements.range.value,
      from: form.elements.from.value,
      to: form.elements.to.value
    };
  };

  Chart.prototype.showCustomRange = function (show) {
    this.form.querySelectorAll("[data-custom-range]").forEach(function (field) {
      field.hidden = !show;
    });
  };

  // The API's query for a choice: presets count back from now; dates are local days.
  Chart.prototype.query = function (choice) {
    var params = new URLSearchParams({
      station: this.config.station, parameter: choice.parameter, interval: choice.interval
    });
    if (choice.range === "custom") {
      if (!choice.from || !choice.to) { return null; }
      var from = choice.from <= choice.to ? choice.from : choice.to;
      var to = choice.from <= choice.to ? choice.to : choice.from;
      params.set("from", from);
      params.set("to", to);
    } else {
      // Hours are labelled by their end: an hourly range reaches the end of the hour under
      // way, so that it is drawn too (with its coverage so far).
      var end = Math.floor(Date.now() / 1000) * 1000;
      if (choice.interval === "hour") { end = Math.ceil(end / HOUR_MS) * HOUR_MS; }
      params.set("from", new Date(end - (RANGES[choice.range] || DAY_MS)).toISOString());
      params.set("to", new Date(end).toISOString());
    }
    return params;
  };

  Chart.prototype.fetchAll = function (params, token) {
    var self = this;
    var rows = [];
    var pages = 0;
    var base = this.config.observations_url;
    function page(cursor) {
      var query = new URLSearchParams(params);
      query.set("limit", String(PAGE_SIZE));
      if (cursor) { query.set("cursor", cursor); }
      return fetch(base + "?" + query.toString(), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (body) {
        if (token !== self.request) { return null; }  // a newer choice replaced this one
        rows = rows.concat(body.results);
        pages += 1;
        if (body.next && pages < MAX_PAGES) { return page(body.next); }
        return { rows: rows, unit: body.unit, parameter: body.parameter,
                 truncated: Boolean(body.next) };
      });
    }
    return page(null);
  };

  Chart.prototype.draw = function () {
    var self = this;
    var choice = this.choice();
    this.showCustomRange(choice.range === "custom");
    var params = this.query(choice);
    if (!params) { return; }
    var token = ++this.request;
    this.updateLinks(params, choice);
    this.element.dataset.state = "loading";
    this.note.textContent = "";
    this.chart.showLoading({ text: this.labels.loading, color: COLOURS.measuring });
    this.fetchAll(params, token).then(function (result) {
      if (!result) { return; }
      self.chart.hideLoading();
      self.render(choice, result);
    }).catch(function () {
      if (token !== self.request) { return; }
      self.chart.hideLoading();
      self.chart.clear();
      self.element.dataset.state = "error";
      self.note.textContent = self.labels.error_loading;
    });
  };

  Chart.prototype.updateLinks = function (params, choice) {
    var json = new URLSearchParams(params);
    var csv = new URLSearchParams(params);
    csv.set("format", "csv");
    this.jsonLink.href = this.config.observations_url + "?" + json.toString();
    this.csvLink.href = this.config.observations_url + "?" + csv.toString();
    // The page's address keeps the choice, so that it can be shared or reloaded.
    var address = new URLSearchParams({
      parameter: choice.parameter, interval: choice.interval, range: choice.range
    });
    if (choice.range === "custom") {
      address.set("from", choice.from);
      address.set("to", choice.to);
    }
    window.history.replaceState(null, "", "?" + address.toString());
  };

  // Raw values: the measured line (gaps and non-measuring values break it), calibration and
  // device errors as markers of their own, with the intervals they cover shaded.
  Chart.prototype.rawSeries = function (rows) {
    var step = this.config.interval_minutes * 60 * 1000;
    var line = [], calibrating = [], errors = [];
    var areas = { 1: [], 2: [] };
    var previous = null;
    rows.forEach(function (row) {
      var t = vnMs(row.time);
      if (previous !== null && t - previous > 2 * step) {
        line.push([previous + step, null]);  // a gap: no data for more than two intervals
      }
      previous = t;
      if (row.status === 0 && row.value !== null) {
        line.push({ value: [t, row.value], row: row });
        return;
      }
      line.push([t, null]);  // calibration and errors are not part of the measured line
      if (row.status === 1 || row.status === 2) {
        if (row.value !== null) {
          (row.status === 1 ? calibrating : errors).push({ value: [t, row.value], row: row });
        }
        // A value stamped t covers the interval ending at t.
        var spans = areas[row.status];
        var last = spans[spans.length - 1];
        if (last && t - step <= last[1].xAxis + 1000) {
          last[1].xAxis = t;
        } else {
          spans.push([{ xAxis: t - step }, { xAxis: t }]);
        }
      }
    });
    var labels = this.labels;
    return [
      // Gaps are already in; a value alone between two of them keeps its marker.
      EnvhubCharts.line({ name: labels.measuring, data: line, symbolSize: 4,
                          color: COLOURS.measuring, lineStyle: { width: 1.5 } }),
      { name: labels.calibrating, type: "scatter", data: calibrating, symbol: "triangle",
        symbolSize: 8, color: COLOURS.calibrating,
        markArea: { silent: true, itemStyle: { color: COLOURS.calibratingArea },
                    data: areas[1] } },
      { name: labels.error, type: "scatter", data: errors, symbol: "diamond", symbolSize: 9,
        color: COLOURS.error,
        markArea: { silent: true, itemStyle: { color: COLOURS.errorArea }, data: areas[2] } }
    ];
  };

  // Hourly or daily means: the mean line, the minimum–maximum band (a transparent base with
  // the spread stacked on it), and the coverage as bars on a second axis, coloured when the
  // period held calibration or device errors.
  Chart.prototype.rollupSeries = function (rows, daily) {
    var step = daily ? DAY_MS : HOUR_MS;
    var mean = [], base = [], spread = [], coverage = [];
    var previous = null;
    rows.forEach(function (row) {
      var t = daily ? dayMs(row.day) : vnMs(row.hour_end);
      if (previous !== null && t - previous > 1.5 * step) {  // a missing hour or day
        var gap = previous + step;
        mean.push([gap, null]);
        base.push([gap, null]);
        spread.push([gap, null]);
      }
      previous = t;
      var hasBand = row.min !== null && row.max !== null;
      mean.push({ value: [t, row.mean], row: row });
      base.push([t, hasBand ? row.min : null]);
      spread.push([t, hasBand ? row.max - row.min : null]);
      var colour = row.error_count ? COLOURS.error :
        (row.calibrating_count ? COLOURS.calibrating : COLOURS.coverage);
      coverage.push({ value: [t, row.coverage], row: row, itemStyle: { color: colour } });
    });
    var labels = this.labels;
    return [
      EnvhubCharts.line({ name: daily ? labels.daily_mean : labels.hourly_mean, data: mean,
                          symbolSize: 5, color: COLOURS.measuring, lineStyle: { width: 2 },
                          z: 3 }),
      { name: "base", type: "line", data: base, stack: "band", connectNulls: false,
        lineStyle: { opacity: 0 }, showSymbol: false, silent: true, tooltip: { show: false } },
      { name: labels.band, type: "line", data: spread, stack: "band", connectNulls: false,
        lineStyle: { opacity: 0 }, showSymbol: false, areaStyle: { color: COLOURS.band },
        color: COLOURS.band, silent: true },
      { name: labels.coverage, type: "bar", data: coverage, xAxisIndex: 1, yAxisIndex: 1,
        barMaxWidth: daily ? 24 : 8, color: COLOURS.coverage }
    ];
  };

  Chart.prototype.tooltip = function (params, choice, unit) {
    var labels = this.labels;
    function value(v) { return EnvhubNumbers.format(v, { unit: unit }); }
    function share(v) { return EnvhubNumbers.format(v, { unit: "%" }); }
    var row = null, lines = [];
    params.forEach(function (item) {
      if (item.data && item.data.row && !row) { row = item.data.row; }
    });
    if (!row) { return ""; }
    if (choice.interval === "raw") {
      var header = formatVn(vnMs(row.time), true);
      params.forEach(function (item) {
        var r = item.data && item.data.row;
        if (!r) { return; }
        lines.push(item.marker + escapeHtml(labels.status[String(r.status)]) + ": <b>" +
                   value(r.value) + "</b> " + escapeHtml(unit));
      });
      return "<b>" + header + "</b><br>" + lines.join("<br>");
    }
    var title = choice.interval === "day" ? formatDay(dayMs(row.day)) :
      formatVn(vnMs(row.hour_end) - HOUR_MS) + " – " + formatVn(vnMs(row.hour_end)).slice(-5);
    lines.push(escapeHtml(choice.interval === "day" ? labels.daily_mean : labels.hourly_mean) +
               ": <b>" + value(row.mean) + "</b> " + escapeHtml(unit));
    lines.push(escapeHtml(labels.band) + ": " + value(row.min) + " – " + value(row.max));
    lines.push(escapeHtml(labels.coverage) + ": " + share(row.coverage) + " % (" +
               row.valid_count + "/" + row.expected_count + ")");
    if (row.calibrating_count) {
      lines.push(escapeHtml(labels.status["1"]) + ": " + row.calibrating_count);
    }
    if (row.error_count) {
      lines.push(escapeHtml(labels.status["2"]) + ": " + row.error_count);
    }
    return "<b>" + escapeHtml(title) + "</b><br>" + lines.join("<br>");
  };

  Chart.prototype.render = function (choice, result) {
    var self = this;
    var rows = result.rows;
    var unit = result.unit || "";
    this.chart.clear();
    if (!rows.length) {
      this.element.dataset.state = "empty";
      this.element.dataset.points = "0";
      this.showEmpty(choice);
      return;
    }
    var series = choice.interval === "raw" ? this.rawSeries(rows) :
      this.rollupSeries(rows, choice.interval === "day");
    var rollup = choice.interval !== "raw";
    var legend = series.filter(function (s) { return s.name !== "base"; }).map(function (s) {
      var entry = { name: s.name };
      if (s.type === "bar" || s.areaStyle) {
        entry.icon = "rect";
        entry.itemStyle = {
          color: s.type === "bar" ? COLOURS.coverageLegend : COLOURS.bandLegend
        };
      }
      return entry;
    });
    var valueAxis = {
      type: "value", scale: true, name: unit, nameTextStyle: { align: "left" },
      axisLabel: { formatter: EnvhubNumbers.formatterFor(unit) }
    };
    // Means get a strip of their own below for the coverage (0–100 %), on the same time axis.
    var grids = rollup ?
      [{ left: 64, right: 24, top: 44, height: 236 },
       { left: 64, right: 24, top: 312, height: 52 }] :
      [{ left: 64, right: 24, top: 44, bottom: 84 }];
    var xAxes = [EnvhubCharts.timeAxis({ gridIndex: 0 }, this.element)];
    var yAxes = [valueAxis];
    if (rollup) {
      xAxes.push(EnvhubCharts.timeAxis({ gridIndex: 1, axisLabel: { show: false },
                                         axisTick: { show: false } }));
      yAxes.push({ type: "value", gridIndex: 1, min: 0, max: 100, interval: 50, name: "%",
                   nameGap: 6, splitLine: { lineStyle: { type: "dashed" } },
                   axisLabel: { formatter: EnvhubNumbers.formatterFor("%") } });
    }
    this.chart.setOption({
      useUTC: true,  // the times were shifted to Viet Nam wall-clock time
      animation: false,
      color: [COLOURS.measuring],
      textStyle: { fontFamily: "Noto Sans, Segoe UI, Roboto, Arial, sans-serif" },
      legend: { data: legend, top: 0, type: "scroll" },
      grid: grids,
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      tooltip: {
        trigger: "axis", confine: true,
        axisPointer: { type: "line" },
        formatter: function (params) { return self.tooltip(params, choice, unit); }
      },
      xAxis: xAxes,
      yAxis: yAxes,
      dataZoom: [
        { type: "inside", filterMode: "none", xAxisIndex: rollup ? [0, 1] : [0] },
        { type: "slider", filterMode: "none", bottom: 12, height: 26,
          xAxisIndex: rollup ? [0, 1] : [0],
          labelFormatter: function (value) { return formatVn(value); } }
      ],
      series: series
    }, true);
    var first = rollup ? (choice.interval === "day" ? dayMs(rows[0].day) :
      vnMs(rows[0].hour_end)) : vnMs(rows[0].time);
    var lastRow = rows[rows.length - 1];
    var last = rollup ? (choice.interval === "day" ? dayMs(lastRow.day) :
      vnMs(lastRow.hour_end)) : vnMs(lastRow.time);
    var summary = interpolate(this.labels.summary, {
      parameter: result.parameter, station: this.config.station, count: rows.length,
      start: choice.interval === "day" ? formatDay(first) : formatVn(first),
      end: choice.interval === "day" ? formatDay(last) : formatVn(last)
    });
    this.element.setAttribute("aria-label", summary);
    this.note.textContent = result.truncated ?
      interpolate(this.labels.truncated, { count: EnvhubNumbers.format(rows.length) }) : "";
    this.element.dataset.points = String(rows.length);
    this.element.dataset.state = "ready";
  };

  // Nothing in the range: say so, and offer the days up to the newest value when it is older.
  Chart.prototype.showEmpty = function (choice) {
    var self = this;
    this.note.textContent = this.labels.empty;
    var newest = this.config.last_data_at;
    if (!newest) { return; }
    var newestVn = vnMs(newest);
    this.note.appendChild(document.createTextNode(" " + interpolate(this.labels.newest, {
      time: formatVn(newestVn)
    }) + " "));
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = this.labels.show_newest;
    button.addEventListener("click", function () {
      var end = new Date(newestVn);
      var start = new Date(newestVn - (choice.interval === "day" ? 30 : 1) * DAY_MS);
      function isoDay(d) {
        return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
      }
      self.form.elements.range.value = "custom";
      self.form.elements.from.value = isoDay(start);
      self.form.elements.to.value = isoDay(end);
      self.draw();
    });
    this.note.appendChild(button);
  };

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("chart");
    if (!element || typeof echarts === "undefined") { return; }
    var source = document.getElementById(element.dataset.config);
    var chart = new Chart(element, JSON.parse(source.textContent));
    chart.form.addEventListener("change", function () { chart.draw(); });
    chart.form.addEventListener("submit", function (event) {
      event.preventDefault();
      chart.draw();
    });
    chart.draw();
  });
})();
