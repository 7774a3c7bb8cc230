// The volunteer statistics charts. Category and status names are data: ECharts' tooltip formatter returns
// HTML, so the tooltips escape them (civicgrid.escapeHtml, js/safe.js); axis and pie labels are drawn as
// SVG text, which is never parsed as markup.
(function () {
  "use strict";
  if (!window.echarts) return;
  var esc = window.civicgrid.escapeHtml;
  var data = JSON.parse(document.getElementById("vol-charts").textContent);
  var font = getComputedStyle(document.body).fontFamily;
  var charts = [];
  function tip(p) { return p.marker + esc(p.name) + ": " + esc(p.value) + (p.percent != null ? " (" + esc(p.percent) + "%)" : ""); }
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    if (!option.series[0].data.length) { el.style.display = "none"; return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({ textStyle: { fontFamily: font }, color: ["#b3261e", "#d97706", "#067647", "#1849a9", "#7a5af8", "#667085", "#e04f16", "#0e9384"] }, option));
    charts.push(chart);
  }
  draw("chart-category", {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true }, tooltip: { formatter: tip, className: "chart-tip" },
    xAxis: { type: "category", data: data.category.map(function (d) { return d.name; }), axisLabel: { interval: 0, rotate: data.category.length > 4 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.category.map(function (d) { return d.value; }), barMaxWidth: 36 }]
  });
  draw("chart-status", {
    tooltip: { trigger: "item", formatter: tip, className: "chart-tip" }, legend: { bottom: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"], data: data.status, label: { formatter: "{b}\n{c}" } }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
