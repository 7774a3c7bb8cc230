// Investment charts: funds in place per month (domestic/foreign, with last year's months) and per lead
// source, and fixed-asset investment per month. Data comes from json_script blocks (text parsed as JSON);
// labels go into ECharts as plain strings with the tooltip's rich-text renderer, never as HTML.
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function wan(v) { return Math.round((v || 0) / 100) / 100; }  // yuan -> 万元, 2 decimals

  function init(el) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function fundsByMonth(el, d) {
    if (!el || !window.echarts || !d) return;
    var months = d.months.map(function (m) { return String(Number(m.slice(5))) + "月"; });
    var colours = ["#b3261e", "#2563eb"];
    var series = d.series.map(function (s, i) {
      return { name: String(s.name), type: "bar", stack: "funds", data: s.data.map(wan), itemStyle: { color: colours[i % 2] } };
    });
    series.push({ name: el.dataset.lastYear, type: "line", data: d.last_year.map(wan), itemStyle: { color: "#98a2b3" } });
    init(el).setOption({
      grid: { left: 64, right: 16, top: 36, bottom: 28 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { data: series.map(function (s) { return s.name; }) },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", name: el.dataset.unit },
      series: series
    });
  }

  function fundsBySource(el, d) {
    if (!el || !window.echarts || !d || !d.by_source || !d.by_source.length) return;
    var rows = d.by_source.slice().reverse();
    init(el).setOption({
      grid: { left: 110, right: 48, top: 8, bottom: 24 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", name: el.dataset.unit },
      yAxis: { type: "category", data: rows.map(function (r) { return String(r.name); }) },
      series: [{ type: "bar", data: rows.map(function (r) { return wan(r.yuan); }), itemStyle: { color: "#067647" } }]
    });
  }

  function investmentByMonth(el, d) {
    if (!el || !window.echarts || !d) return;
    init(el).setOption({
      grid: { left: 64, right: 16, top: 24, bottom: 28 },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: d.months.map(function (m) { return String(Number(m.slice(5))) + "月"; }) },
      yAxis: { type: "value", name: el.dataset.unit },
      series: [{ type: "bar", data: d.yuan.map(wan), itemStyle: { color: "#b54708" } }]
    });
  }

  function start() {
    var funds = data("funds-chart");
    fundsByMonth(document.getElementById("chart-funds-month"), funds);
    fundsBySource(document.getElementById("chart-funds-source"), funds);
    investmentByMonth(document.getElementById("chart-investment-month"), data("investment-chart"));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
