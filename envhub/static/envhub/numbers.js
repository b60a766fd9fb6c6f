/* Numbers in charts by the site's one rule (envhub/core/numbers.py, docs/formatting.md), in the
   page's language (<html lang>): "1.234,5" in Vietnamese, "1,234.5" in English; the unit's
   decimals with at least two significant digits; rounding half away from zero on the number as
   written (Intl, like the server: 2.675 gives 2.68); never rounded across the limit given as
   `against`.
   Also ECharts in that language: Vietnamese month and day names (ECharts ships English and
   Chinese only; without a locale it follows the browser's), and every chart made through
   EnvhubNumbers.chart(). Loaded before the scripts that draw charts. */
(function () {
  "use strict";

  // The same table as DECIMALS_BY_UNIT in core/numbers.py (a test compares them).
  var DECIMALS_BY_UNIT = {
    "µg/m3": 1, "mg/Nm3": 2, "mg/m3": 2, "mg/L": 2, "": 2,
    "%": 1, "°C": 1, "kPa": 1, "hPa": 0, "m/s": 1, "°": 0, "mm": 1, "m": 2,
    "m3/h": 0, "Pt-Co": 0, "µS/cm": 0, "NTU": 1, "MPN/100mL": 0, "mg/kg": 3,
    "AQI": 0, "count": 0, "limit": 6, "coordinate": 6
  };
  var WHOLE = { "AQI": true, "count": true };
  var SIGNIFICANT = 2;
  var DEFAULT_DECIMALS = 2;
  var MAX_DECIMALS = 10;
  var MULTIPLE_DECIMALS = 2;
  var WORDS = { vi: "lần", en: "times" };

  function language() {
    var lang = (document.documentElement.getAttribute("lang") || "vi").toLowerCase();
    return lang.indexOf("en") === 0 ? "en" : "vi";
  }

  function decimalsForUnit(unit) {
    if (unit === undefined || unit === null) { return DEFAULT_DECIMALS; }
    return Object.prototype.hasOwnProperty.call(DECIMALS_BY_UNIT, unit) ?
      DECIMALS_BY_UNIT[unit] : DEFAULT_DECIMALS;
  }

  function crosses(value, shown, against) {
    return value > against ? shown <= against : shown >= against;
  }

  function roundTo(value, count) {
    return Number(formatter("plain", count).format(value));
  }

  function places(value, decimals, significant, against) {
    if (value === 0 || !isFinite(value)) { return 0; }
    var count = Math.min(MAX_DECIMALS, Math.max(
      decimals, significant - 1 - Math.floor(Math.log10(Math.abs(value)))));
    if (against !== undefined && against !== null && value !== against) {
      while (count < MAX_DECIMALS && crosses(value, roundTo(value, count), against)) {
        count += 1;
      }
    }
    return Math.max(count, 0);
  }

  var formatters = {};
  function formatter(lang, count) {
    var key = lang + count;
    if (!formatters[key]) {
      formatters[key] = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-US", {
        minimumFractionDigits: 0, maximumFractionDigits: count, useGrouping: lang !== "plain"
      });
    }
    return formatters[key];
  }

  /* format(1234.5) → "1.234,5"; options: unit (its decimals), decimals, significant,
     against (a limit the figure must stay on the right side of), lang. */
  function format(value, options) {
    options = options || {};
    if (value === null || value === undefined || value === "") { return "—"; }
    value = Number(value);
    if (isNaN(value)) { return "—"; }
    if (!isFinite(value)) { return value > 0 ? "∞" : "−∞"; }
    var lang = options.lang || language();
    var decimals = options.decimals !== undefined ? options.decimals :
      decimalsForUnit(options.unit);
    var significant = options.significant !== undefined ? options.significant :
      (WHOLE[options.unit] ? 0 : SIGNIFICANT);
    var count = Number.isInteger(value) ? 0 : places(value, decimals, significant, options.against);
    var text = formatter(lang, count).format(value);
    return /^-0([.,]0*)?$/.test(text) ? "0" : text;
  }

  function multiple(ratio, lang) {
    if (ratio === null || ratio === undefined) { return "—"; }
    lang = lang || language();
    return format(ratio, { decimals: MULTIPLE_DECIMALS, against: 1, lang: lang }) + " " +
      WORDS[lang];
  }

  // A formatter for ECharts' axis labels and tooltips (axisLabel.formatter, valueFormatter).
  function formatterFor(unit) {
    return function (value) { return format(value, { unit: unit }); };
  }

  var VI = {
    time: {
      month: ["Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4", "Tháng 5", "Tháng 6", "Tháng 7",
              "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"],
      monthAbbr: ["Th1", "Th2", "Th3", "Th4", "Th5", "Th6", "Th7", "Th8", "Th9", "Th10",
                  "Th11", "Th12"],
      dayOfWeek: ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
      dayOfWeekAbbr: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"]
    },
    legend: { selector: { all: "Tất cả", inverse: "Đảo chọn" } }
  };
  var registered = false;

  // echarts.init in the page's language.
  function chart(element) {
    if (!registered) {
      echarts.registerLocale("VI", VI);
      registered = true;
    }
    return echarts.init(element, null, {
      renderer: "canvas", locale: language() === "en" ? "EN" : "VI"
    });
  }

  window.EnvhubNumbers = {
    format: format, multiple: multiple, formatterFor: formatterFor, language: language,
    decimalsForUnit: decimalsForUnit, chart: chart, DECIMALS_BY_UNIT: DECIMALS_BY_UNIT
  };
})();
