// The grid heat map: the scope's grids (GeoJSON from /dashboard/map/data/) coloured by the chosen count —
// open, overdue, reported this month — or by the day's patrol compliance; a click opens a popup with the
// figures and the link to the grid's case list. No tile server is needed (tiles only when configured).
// Text goes in as text nodes (js/safe.js); Leaflet reads strings as HTML.
(function () {
  "use strict";
  function start() {
    var cfg = JSON.parse(document.getElementById("heat-config").textContent);
    var el = window.civicgrid.el;
    var status = document.getElementById("heat-status");
    var legend = document.getElementById("heat-legend");
    var form = document.getElementById("heat-controls");
    var map = L.map("heat-map", { crs: window.civicgrid.gcj02.crsFor(cfg.tileUrl ? cfg.tileCrs : ""), zoomSnap: 0.25, attributionControl: !!cfg.tileUrl });
    if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 19 }).addTo(map);
    map.setView([41.15, 123.2], 11);
    var layer = null, data = null;
    var reds = ["#fff5f0", "#fdd0bc", "#fc9272", "#ef3b2c", "#b3261e", "#67000d"];
    var greens = ["#b3261e", "#f79009", "#fdd835", "#a6d96a", "#1a9850"];

    function metric() { return (form.querySelector("input[name=metric]:checked") || {}).value || "open"; }
    function value(p, m) { return m === "patrol" ? (p.patrol ? p.patrol.rate : null) : p[m]; }
    function colour(v, max, m) {
      if (v === null || v === undefined) return "#d0d5dd";
      if (m === "patrol") return greens[Math.min(greens.length - 1, Math.floor(v / 20.0001))];
      if (!max || !v) return reds[0];
      return reds[Math.min(reds.length - 1, 1 + Math.floor((reds.length - 2) * v / max))];
    }
    function draw() {
      if (!data) return;
      var m = metric();
      var values = data.features.map(function (f) { return value(f.properties, m); });
      var max = Math.max.apply(null, values.filter(function (v) { return v !== null && v !== undefined; }).concat([0]));
      if (layer) map.removeLayer(layer);
      layer = L.geoJSON(data, {
        style: function (f) {
          return { color: "#475467", weight: 0.6, fillOpacity: 0.8, fillColor: colour(value(f.properties, m), max, m) };
        },
        onEachFeature: function (f, l) {
          var p = f.properties, v = value(p, m);
          l.bindTooltip(el("span", null, p.name + ":" + (v === null || v === undefined ? cfg.labels.none : v)),
                        { sticky: true });
          var body = el("div", { className: "heat-popup" }, el("strong", null, p.name), el("br"));
          ["open", "overdue", "month"].forEach(function (k) {
            body.appendChild(el("a", { href: p.urls[k], "data-grid-link": k }, cfg.labels[k] + " " + p[k]));
            body.appendChild(el("br"));
          });
          if (p.patrol) body.appendChild(el("a", { href: p.patrol.url }, cfg.labels.patrol + " " +
            (p.patrol.rate === null ? cfg.labels.none : p.patrol.rate) + "(" + p.patrol.met + "/" + p.patrol.workers + ")"));
          l.bindPopup(body);
        }
      }).addTo(map);
      if (!map._fitted) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); map._fitted = true; }
      legend.textContent = "";
      legend.appendChild(el("span", null, (m === "patrol" ? cfg.labels.patrol : cfg.labels[m]) + ":"));
      (m === "patrol" ? [0, 20, 40, 60, 80] : [0, 1, 2, 3, 4].map(function (i) { return Math.round(max * i / 4); }))
        .forEach(function (v, i) {
          var c = m === "patrol" ? greens[i] : colour(v, max, m);
          legend.appendChild(el("span", { className: "swatch", style: "background:" + c }));
          legend.appendChild(el("span", null, (m === "patrol" ? v + "%+" : String(v)) + " "));
        });
      document.body.setAttribute("data-heat-ready", m);
    }
    function load() {
      var day = form.querySelector("input[name=day]").value;
      status.hidden = true;
      fetch(cfg.dataUrl + (day ? "&day=" + encodeURIComponent(day) : ""), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (body) { data = body; draw(); })
        .catch(function () { status.textContent = cfg.labels.failed; status.hidden = false; });
    }
    form.addEventListener("change", function (e) { if (e.target.name === "day") load(); else draw(); });
    load();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
