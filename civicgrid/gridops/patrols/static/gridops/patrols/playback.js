// Track playback on the patrol page: the grid outline, the kept track, dropped fixes, checkpoints and
// findings on a plain Leaflet map (no tile server needed); a slider and a play button move a marker along
// the track by its recorded times, drawing the part walked so far. Checkpoint names and finding titles are
// typed by workers: Leaflet gets them as text nodes (civicgrid.text, js/safe.js), never as an HTML string.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("patrol-map-data").textContent);
  var el = document.getElementById("patrol-map");
  if (!el || !window.L) return;
  var text = window.civicgrid.text;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  map.setView([41.15, 123.2], 12);  // circles and tooltips need a view before they are added
  var bounds = L.latLngBounds([]), outlineBounds = null;

  var outlines = L.geoJSON(data.outlines, {
    style: function (f) {
      return f.properties.kind === "grid" ? { color: "#b3261e", weight: 1.5, fillOpacity: 0.04, dashArray: "4 4" }
                                          : { color: "#b3261e", weight: 2, fillOpacity: 0.06 };
    }
  }).addTo(map);
  if (data.outlines.features.length) outlineBounds = outlines.getBounds();

  var features = data.track.features, line = null, times = [], coords = [];
  features.forEach(function (f) {
    var p = f.properties;
    if (p.kind === "track") {
      coords = f.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
      times = p.times;
      line = L.polyline(coords, { color: "#b3261e", weight: 2, opacity: 0.35 }).addTo(map);
      if (coords.length) bounds.extend(line.getBounds());
    } else if (p.kind === "dropped") {
      f.geometry.coordinates.forEach(function (c, i) {
        L.circleMarker([c[1], c[0]], { radius: 3, color: "#98a2b3", weight: 1, fillOpacity: 0.6 })
          .bindTooltip(text(p.times[i].slice(11, 19))).addTo(map);
      });
    } else if (p.kind === "checkpoint") {
      var c = f.geometry.coordinates, colour = p.visited_at ? "#067647" : "#d97706";
      L.circle([c[1], c[0]], { radius: p.radius_m, color: colour, weight: 1.5, fillOpacity: 0.15 })
        .bindTooltip(text(p.name + (p.visited_at ? " ✓ " + p.visited_at.slice(11, 16) : "")), { permanent: true, direction: "top" })
        .addTo(map);
      bounds.extend([c[1], c[0]]);
    } else if (p.kind === "finding") {
      var q = f.geometry.coordinates;
      L.circleMarker([q[1], q[0]], { radius: 7, color: "#fff", weight: 2, fillColor: "#1849a9", fillOpacity: 1 })
        .bindTooltip(text(p.number + " " + p.title)).addTo(map);
      bounds.extend([q[1], q[0]]);
    }
  });
  // the walked track, the checkpoints and the findings fill the map; with none of them, the grid does
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 }); }
  else if (outlineBounds) { map.fitBounds(outlineBounds, { padding: [16, 16] }); }

  var scrub = document.getElementById("scrub"), clock = document.getElementById("clock"), play = document.getElementById("play");
  if (!coords.length) { play.disabled = true; scrub.disabled = true; return; }
  var walked = L.polyline([], { color: "#b3261e", weight: 4 }).addTo(map);
  var marker = L.circleMarker(coords[0], { radius: 8, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1 }).addTo(map);
  scrub.max = String(coords.length - 1);
  function local(iso) { var d = new Date(iso); return d.toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }); }
  function show(i) {
    marker.setLatLng(coords[i]);
    walked.setLatLngs(coords.slice(0, i + 1));
    clock.textContent = local(times[i]);
    scrub.value = String(i);
  }
  show(0);
  scrub.addEventListener("input", function () { stop(); show(Number(scrub.value)); });
  var timer = null;
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = play.dataset.play || play.textContent; } }
  play.dataset.play = play.textContent;
  play.addEventListener("click", function () {
    if (timer) { stop(); return; }
    var i = Number(scrub.value) >= coords.length - 1 ? 0 : Number(scrub.value);
    play.textContent = "❚❚";
    // the whole track in about 20 seconds, whatever its length
    var step = Math.max(1, Math.round(coords.length / 200));
    timer = setInterval(function () {
      i = Math.min(coords.length - 1, i + step);
      show(i);
      if (i >= coords.length - 1) stop();
    }, 100);
  });
})();
