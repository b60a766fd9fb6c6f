/* What every envhub chart (Apache ECharts) shares, so that no chart hides data
   (docs/charts.md):
   - gaps stay gaps: withGaps() puts a null at the first expected time that has no value, and
     lines never bridge a null (connectNulls: false);
   - a value between two gaps is seen: line() gives every point its marker when a series has
     few, and otherwise a marker to each isolated point (a line of one point draws nothing);
   - times on axes in the page's language: timeAxis() writes labels with Intl.DateTimeFormat
     ("6 thg 12" / "6 Dec"), 24-hour clock, never ECharts' English defaults.
   Times are Viet Nam wall-clock instants read as UTC (every chart sets useUTC). Loaded after
   numbers.js and before the scripts that draw charts. */
(function () {
  "use strict";

  var HOUR_MS = 3600 * 1000;
  var DAY_MS = 24 * HOUR_MS;
  // Up to this many values a line marks every one of them; above, only the isolated ones.
  var FEW = 60;
  var SYMBOL_SIZE = 6;
  // Dates in the page's language; English day before month like the rest of the site.
  var LOCALES = { vi: "vi-VN", en: "en-GB" };
  var FORMATS = {
    day: { day: "numeric", month: "short" },
    month: { month: "short", year: "numeric" },
    year: { year: "numeric" }
  };

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  var formatters = {};
  function dateText(ms, kind) {
    var lang = EnvhubNumbers.language();
    var key = lang + kind;
    if (!formatters[key]) {
      formatters[key] = new Intl.DateTimeFormat(
        LOCALES[lang], Object.assign({ timeZone: "UTC" }, FORMATS[kind]));
    }
    return formatters[key].format(ms);
  }

  /* A time-axis label: the coarsest unit the instant starts ("2026", "thg 12 2026",
     "6 thg 12", "14:00"), bold where ECharts marks a boundary (a new day among hours). */
  function timeLabel(value, index, extra) {
    var d = new Date(value);
    var text;
    if (d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() || d.getUTCMilliseconds()) {
      text = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
      if (d.getUTCSeconds()) { text += ":" + pad(d.getUTCSeconds()); }
    } else if (d.getUTCDate() !== 1) {
      text = dateText(value, "day");
    } else if (d.getUTCMonth() !== 0) {
      text = dateText(value, "month");
    } else {
      text = dateText(value, "year");
    }
    return extra && extra.level ? "{primary|" + text + "}" : text;
  }

  /* A time axis with labels in the page's language; `options` are merged in. Given the
     chart's element, fewer labels on a phone's width (they would touch). */
  function timeAxis(options, element) {
    var narrow = element && element.clientWidth && element.clientWidth < 600;
    var axis = Object.assign({ type: "time" }, narrow ? { splitNumber: 3 } : {}, options || {});
    axis.axisLabel = Object.assign({ hideOverlap: true, formatter: timeLabel },
                                   axis.axisLabel || {});
    return axis;
  }

  function valueOf(item) {
    if (item === null || item === undefined) { return null; }
    var pair = Array.isArray(item) ? item : item.value;
    return pair && pair[1] !== undefined ? pair[1] : null;
  }

  function timeOf(item) { return (Array.isArray(item) ? item : item.value)[0]; }

  /* The points in time order, with [t, null] at the first expected time after each run of
     missing ones: `step` the series' interval (ms); a point later than `tolerance` × step
     after the previous one follows a gap. */
  function withGaps(points, step, tolerance) {
    var sorted = points.slice().sort(function (a, b) { return timeOf(a) - timeOf(b); });
    if (!step) { return sorted; }
    var limit = step * (tolerance || 1.5);
    var out = [];
    var previous = null;
    sorted.forEach(function (item) {
      var t = timeOf(item);
      if (previous !== null && t - previous > limit) { out.push([previous + step, null]); }
      previous = t;
      out.push(item);
    });
    return out;
  }

  function present(value) { return value !== null && value !== undefined && !isNaN(value); }

  /* Which points (by index) stand alone: a value whose neighbours are both gaps or missing. */
  function isolated(data) {
    var found = [];
    data.forEach(function (item, i) {
      if (!present(valueOf(item))) { return; }
      var before = i > 0 && present(valueOf(data[i - 1]));
      var after = i < data.length - 1 && present(valueOf(data[i + 1]));
      if (!before && !after) { found.push(i); }
    });
    return found;
  }

  /* A line series that hides no value: gaps as gaps (`step`, `tolerance`: see withGaps),
     markers on every point of a short series; a long one draws its isolated values as
     markPoints (part of the series: the legend hides them with it), as a marker on each of
     20,000 points would cost ECharts an element each (2.5 times the drawing time, measured).
     Other options (name, colour, line style…) are passed through. */
  function line(options) {
    var series = Object.assign({ type: "line", connectNulls: false, symbolSize: SYMBOL_SIZE },
                               options);
    delete series.step;
    delete series.tolerance;
    var data = withGaps(options.data, options.step, options.tolerance);
    var values = data.filter(function (item) { return present(valueOf(item)); }).length;
    series.data = data;
    series.showSymbol = values <= FEW;
    if (!series.showSymbol) {
      series.markPoint = {
        symbol: "circle", symbolSize: series.symbolSize, label: { show: false },
        data: isolated(data).map(function (i) {
          return { coord: [timeOf(data[i]), valueOf(data[i])], value: valueOf(data[i]) };
        })
      };
    }
    return series;
  }

  // Numeric date and time for tooltips: "06/12/2026 14:00" (the same in both languages).
  function timeText(ms, withTime) {
    var d = new Date(ms);
    var text = pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) + "/" + d.getUTCFullYear();
    return withTime === false ? text : text + " " + pad(d.getUTCHours()) + ":" +
      pad(d.getUTCMinutes());
  }

  window.EnvhubCharts = {
    HOUR_MS: HOUR_MS, DAY_MS: DAY_MS, FEW: FEW,
    timeAxis: timeAxis, timeLabel: timeLabel, timeText: timeText,
    withGaps: withGaps, isolated: isolated, line: line
  };
})();
