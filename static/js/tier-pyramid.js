/* The tier pyramid (Apache ECharts, served from /static/vendor/echarts/): the county's teachers per
 * tier as centred bars, 学科带头人 at the top. Data comes from a JSON block
 * (<script type="application/json" id="pyramid-data">), never from inline script (the CSP forbids it);
 * tooltips render in the canvas, so no inline style attributes are written. The table beside the chart
 * carries the same figures for screen readers and print. */
(function () {
  "use strict";
  var source = document.getElementById("pyramid-data");
  var el = document.getElementById("pyramid-chart");
  if (!source || !el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.tiers.map(function (t) { return t.label; }).reverse();
  var counts = data.tiers.map(function (t) { return t.count; }).reverse();
  var half = counts.map(function (n) { return n / 2; });
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText",
               formatter: function (items) { var i = items[0].dataIndex; return labels[i] + "：" + counts[i]; } },
    grid: { left: 90, right: 24, top: 8, bottom: 8, containLabel: false },
    xAxis: { type: "value", show: false },
    yAxis: { type: "category", data: labels, axisTick: { show: false } },
    series: [
      { type: "bar", stack: "p", data: half.map(function (v) { return -v; }), itemStyle: { color: "#1d4e89" },
        barCategoryGap: "20%" },
      { type: "bar", stack: "p", data: half, itemStyle: { color: "#1d4e89" },
        label: { show: true, position: "right", formatter: function (p) { return counts[p.dataIndex]; } } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
