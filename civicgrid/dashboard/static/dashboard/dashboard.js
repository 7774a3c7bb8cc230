// Dashboard charts: each [data-chart] element gets the ECharts chart its panel declared (json_script
// "dashboard-charts"); clicking a bar or point opens the records behind it (the chart's links). Names are
// escaped before ECharts' tooltip, which reads strings as HTML (js/safe.js).
(function () {
  "use strict";
  function start() {
    var node = document.getElementById("dashboard-charts");
    if (!node || !window.echarts) return;
    var charts = JSON.parse(node.textContent);
    var esc = window.civicgrid.escapeHtml;
    var palette = ["#b3261e", "#667085", "#1570ef", "#12b76a", "#f79009"];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = charts[el.getAttribute("data-chart")];
      if (!spec) return;
      var chart = echarts.init(el, null, { renderer: "svg" });
      var twoAxes = spec.series.some(function (s) { return s.axis === 1; });
      var category = { type: "category", data: spec.categories.map(esc), axisLabel: { interval: 0, hideOverlap: true } };
      var value = [{ type: "value", minInterval: 1 }];
      if (twoAxes) value.push({ type: "value", max: 100, axisLabel: { formatter: "{value}%" } });
      chart.setOption({
        color: palette,
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0, data: spec.series.map(function (s) { return esc(s.name); }) },
        grid: { left: spec.horizontal ? 110 : 48, right: twoAxes ? 48 : 20, top: 32, bottom: 28 },
        xAxis: spec.horizontal ? value[0] : category,
        yAxis: spec.horizontal ? Object.assign({}, category, { inverse: true }) : value,
        series: spec.series.map(function (s) {
          return { name: esc(s.name), type: s.type, data: s.values, yAxisIndex: spec.horizontal ? 0 : (s.axis || 0),
                   smooth: true, connectNulls: true, barMaxWidth: 28 };
        })
      });
      chart.on("click", function (e) {
        var href = spec.links[e.dataIndex];
        if (href) window.location.href = href;
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
