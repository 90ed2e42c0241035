// The page code both reports' charts share: Chart.js settings, a drawing helper that keeps each chart on its canvas, log axes.

/**
 * Browser code (ES5, no globals of its own) to place at the top of a report's chart script: it sets Chart.js's
 * defaults (no animation, so what is drawn is final at once) and defines `draw(id, config)`, `tidy(value)` and
 * `logAxis(values, title)`.
 */
export const chartKit = String.raw`Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 12;
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) canvas.drawn = new Chart(canvas, config);
  }
  /** The largest of 1, 2 or 5 times a power of ten that is at most the value. */
  function niceFloor(value) {
    var power = Math.pow(10, Math.floor(Math.log10(value)));
    var lead = value / power;
    return (lead >= 5 ? 5 : lead >= 2 ? 2 : 1) * power;
  }
  function tidy(value) { return Number(value.toPrecision(6)); }
  /** Ticks over a range of a decade or more: 1, 2 and 5 times each power of ten (only the powers when that is too many). */
  function decadeTicks(min, max) {
    function at(leads) {
      var ticks = [];
      for (var power = Math.floor(Math.log10(min)); Math.pow(10, power) <= max; power++) {
        leads.forEach(function (lead) { var value = tidy(lead * Math.pow(10, power)); if (value >= min && value <= max) ticks.push(value); });
      }
      return ticks;
    }
    var ticks = at([1, 2, 5]);
    return ticks.length > 8 ? at([1]) : ticks;
  }
  /** Ticks over a narrow range: even steps of 1, 2 or 5 times a power of ten, at least three of them. */
  function evenTicks(min, max) {
    var step = niceFloor((max - min) / 4);
    var ticks = [];
    for (var k = Math.ceil(min / step); k * step <= max; k++) ticks.push(tidy(k * step));
    return ticks;
  }
  /** A log axis that brackets every value given (the budget among them) with room to spare, its ticks labelled. */
  function logAxis(values, title) {
    var positive = values.filter(function (value) { return value > 0; });
    var min = Math.min.apply(null, positive) / 1.5;
    var max = Math.max.apply(null, positive) * 1.5;
    var ticks = max / min >= 10 ? decadeTicks(min, max) : evenTicks(min, max);
    return {
      type: 'logarithmic', min: min, max: max,
      afterBuildTicks: function (axis) { axis.ticks = ticks.map(function (value) { return { value: value }; }); },
      ticks: { autoSkip: false, maxRotation: 0, callback: function (value) { return String(tidy(value)); } },
      title: { display: true, text: title }
    };
  }`;
