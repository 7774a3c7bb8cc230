// The big screen: the grid map coloured by open cases and two charts, refreshed every minute from JSON
// (the counters and the latest cases refresh by htmx polling); the page itself never reloads.
(function () {
  "use strict";
  var MINUTE = 60000;
  function start() {
    var cfg = JSON.parse(document.getElementById("screen-config").textContent);
    var el = window.civicgrid.el, esc = window.civicgrid.escapeHtml;
    var map = L.map("screen-map", { zoomControl: false, attributionControl: false, zoomSnap: 0.1 });
    map.setView([41.15, 123.2], 11);
    var layer = null;
    var reds = ["#13304f", "#5b2a3a", "#8e2a35", "#c2322d", "#ff5a4f"];
    function colour(v, max) { return v ? reds[Math.min(reds.length - 1, 1 + Math.floor((reds.length - 2) * v / max))] : reds[0]; }
    function drawMap(data) {
      var max = Math.max.apply(null, data.features.map(function (f) { return f.properties.open; }).concat([1]));
      if (layer) map.removeLayer(layer);
      layer = L.geoJSON(data, {
        style: function (f) { return { color: "#3b82f6", weight: 0.6, fillOpacity: 0.85, fillColor: colour(f.properties.open, max) }; },
        onEachFeature: function (f, l) {
          l.bindTooltip(el("span", null, f.properties.name + " " + f.properties.open), { sticky: true, className: "screen-tip" });
        }
      }).addTo(map);
      if (!map._fitted) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); map._fitted = true; }
      var legend = document.getElementById("screen-map-legend");
      legend.textContent = "";
      [0, 1, 2, 3, 4].forEach(function (i) {
        var v = Math.round(max * i / 4);
        legend.appendChild(el("i", { style: "background:" + colour(v, max) }));
        legend.appendChild(el("span", null, String(v)));
      });
    }
    var text = { color: "#b8c7de", fontSize: 18 };
    var trend = echarts.init(document.getElementById("screen-trend"), null, { renderer: "svg" });
    var ranking = echarts.init(document.getElementById("screen-ranking"), null, { renderer: "svg" });
    function drawCharts(d) {
      trend.setOption({
        animation: false, color: ["#4fd1ff", "#5cf2a8", "#fdb022"], textStyle: text,
        legend: { textStyle: text, top: 0 }, grid: { left: 56, right: 56, top: 40, bottom: 36 },
        xAxis: { type: "category", data: d.trend.months, axisLabel: text },
        yAxis: [{ type: "value", axisLabel: text, splitLine: { lineStyle: { color: "#1f4f8f" } } },
                { type: "value", max: 100, axisLabel: text, splitLine: { show: false } }],
        series: [{ name: "报件", type: "bar", data: d.trend.created }, { name: "结案", type: "bar", data: d.trend.closed },
                 { name: "满意率%", type: "line", yAxisIndex: 1, data: d.trend.satisfaction, smooth: true, connectNulls: true }]
      });
      ranking.setOption({
        animation: false, color: ["#5cf2a8"], textStyle: text, grid: { left: 210, right: 60, top: 10, bottom: 24 },
        xAxis: { type: "value", max: 100, axisLabel: text, splitLine: { lineStyle: { color: "#1f4f8f" } } },
        yAxis: { type: "category", inverse: true, data: d.ranking.names.map(esc), axisLabel: text },
        series: [{ type: "bar", data: d.ranking.rates, barMaxWidth: 22, label: { show: true, position: "right", color: "#e6edf7", fontSize: 16 } }]
      });
    }
    function get(url, then) {
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body) then(body); }).catch(function () {});
    }
    function refresh() { get(cfg.mapUrl, drawMap); get(cfg.dataUrl, drawCharts); }
    refresh();
    window.setInterval(refresh, MINUTE);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
