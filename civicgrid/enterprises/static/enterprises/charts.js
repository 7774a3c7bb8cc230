// Enterprise charts and the parks map. Data comes from json_script blocks (text, parsed as JSON); labels go
// into ECharts as plain strings with the tooltip left to its default text renderer and into Leaflet as DOM
// text nodes (civicgrid.text), never as HTML.
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function bar(el, rows, horizontal) {
    if (!el || !window.echarts || !rows || !rows.length) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var names = rows.map(function (r) { return String(r.name); });
    var values = rows.map(function (r) { return r.count; });
    var category = { type: "category", data: names, axisLabel: { interval: 0, width: 110, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      grid: { left: horizontal ? 120 : 40, right: 16, top: 12, bottom: horizontal ? 24 : 60, containLabel: false },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: values, itemStyle: { color: "#b3261e" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function trend(el, t) {
    if (!el || !window.echarts || !t || !t.years || !t.years.length) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 56, right: 48, top: 36, bottom: 28 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: [el.dataset.revenue, el.dataset.rd, el.dataset.staff] },
      xAxis: { type: "category", data: t.years.map(String) },
      yAxis: [{ type: "value", name: el.dataset.unit }, { type: "value", name: el.dataset.persons, minInterval: 1 }],
      series: [
        { name: el.dataset.revenue, type: "line", data: t.revenue, itemStyle: { color: "#b3261e" } },
        { name: el.dataset.rd, type: "line", data: t.rd_expense, itemStyle: { color: "#2563eb" } },
        { name: el.dataset.staff, type: "bar", yAxisIndex: 1, data: t.staff, itemStyle: { color: "#98a2b3" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function parksMap(el) {
    if (!el || !window.L) return;
    var map = window.L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false, tap: false });
    if (el.dataset.tiles) window.L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
    fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      var colours = ["#b3261e", "#2563eb", "#067647", "#b54708", "#7c3aed", "#0e7490", "#be185d"];
      var i = 0;
      var layer = window.L.geoJSON(fc, {
        style: function () { var c = colours[i++ % colours.length]; return { color: c, weight: 2, fillOpacity: 0.18 }; },
        onEachFeature: function (feature, lyr) {
          var p = feature.properties || {};
          var box = window.civicgrid.el("div", null,
            window.civicgrid.el("strong", null, p.name), window.civicgrid.el("br"),
            String(p.theme || ""), window.civicgrid.el("br"),
            (el.dataset.countLabel || "") + " " + String(p.enterprises));
          lyr.bindTooltip(box, { sticky: true });
        }
      }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      else map.setView([41.2, 123.2], 12);
    });
  }

  function ready() {
    var zone = data("zone-charts");
    if (zone) {
      bar(document.getElementById("chart-park"), zone.by_park.map(function (r) { return { name: r.name, count: r.count }; }), true);
      bar(document.getElementById("chart-qualification"), zone.by_qualification.map(function (r) { return { name: r.name, count: r.count }; }), true);
      bar(document.getElementById("chart-size"), zone.by_size, false);
      bar(document.getElementById("chart-section"), zone.by_section, false);
    }
    trend(document.getElementById("chart-trend"), data("metrics-trend"));
    parksMap(document.getElementById("parks-map"));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();
