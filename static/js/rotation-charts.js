/* Rotation charts (Apache ECharts, served from /static/vendor/echarts/): the county's difference
 * coefficients before and after against their limits, and each school's indicators before and after.
 * Data comes from a JSON data block (<script type="application/json" id="plan-chart-data">), never
 * from inline script (the CSP forbids it). Tooltips render as rich text in the canvas, so no inline
 * style attributes are written into the page either. */
(function () {
  "use strict";
  var source = document.getElementById("plan-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var t = data.text;
  var charts = [];
  var BEFORE = "#9aa5b1", AFTER = "#1d4e89", LIMIT = "#b42318";

  function round(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 1000; }

  function cvChart(el) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      title: { text: t.cv_title, left: 0, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 24, data: [t.before, t.after, t.limit] },
      grid: { left: 40, right: 16, top: 64, bottom: 40 },
      xAxis: { type: "category", data: data.cv.map(function (r) { return r.label; }), axisLabel: { interval: 0 } },
      yAxis: { type: "value", min: 0 },
      series: [
        { name: t.before, type: "bar", itemStyle: { color: BEFORE }, data: data.cv.map(function (r) { return round(r.before); }) },
        { name: t.after, type: "bar", itemStyle: { color: AFTER }, data: data.cv.map(function (r) { return round(r.after); }) },
        { name: t.limit, type: "line", step: "middle", symbol: "none", lineStyle: { color: LIMIT, type: "dashed" },
          itemStyle: { color: LIMIT }, data: data.cv.map(function (r) { return r.limit; }) }
      ]
    });
    return chart;
  }

  function schoolChart(el, select) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    function draw(key) {
      var s = data.schools[key];
      if (!s) { return; }
      chart.setOption({
        animation: false,
        title: { text: t.school_title + " · " + s.label, left: 0, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 24, data: [t.before, t.after] },
        grid: { left: 40, right: 16, top: 64, bottom: 110 },
        xAxis: { type: "category", data: s.schools, axisLabel: { interval: 0, rotate: 50 } },
        yAxis: { type: "value", min: 0 },
        series: [
          { name: t.before, type: "bar", itemStyle: { color: BEFORE }, data: s.before.map(round) },
          { name: t.after, type: "bar", itemStyle: { color: AFTER }, data: s.after.map(round) }
        ]
      }, true);
      el.setAttribute("data-drawn", key);
    }
    if (select) {
      select.addEventListener("change", function () { draw(select.value); });
      draw(select.value);
    } else {
      draw(Object.keys(data.schools)[0]);
    }
    return chart;
  }

  var cv = document.getElementById("chart-cv");
  if (cv && data.cv.length) { charts.push(cvChart(cv)); cv.setAttribute("data-ready", "1"); }
  var sc = document.getElementById("chart-schools");
  if (sc && Object.keys(data.schools).length) {
    charts.push(schoolChart(sc, document.getElementById("chart-schools-indicator")));
    sc.setAttribute("data-ready", "1");
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
