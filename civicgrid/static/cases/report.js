// The report form's map: street outlines (no tile server needed), a tap drops the pin, "use my location"
// asks the phone. The pin fills the hidden lat/lng inputs; without a pin the chosen grid is used.
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  var lat = document.querySelector("input[name=lat]");
  var lng = document.querySelector("input[name=lng]");
  var picked = document.getElementById("picked");
  var clear = document.getElementById("clear-pin");
  var locate = document.getElementById("locate-me");
  if (!el || !window.L || !lat || !lng) return;

  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, scrollWheelZoom: false, tap: false });
  var streets = JSON.parse(document.getElementById("report-streets").textContent || "null");
  var layer = null;
  if (streets && streets.features && streets.features.length) {
    layer = L.geoJSON(streets, {
      style: { color: "#b3261e", weight: 1.5, fillColor: "#b3261e", fillOpacity: .06 },
      onEachFeature: function (f, l) {
        l.bindTooltip(String(f.properties.name || ""), { permanent: true, direction: "center", className: "street-label" });
        l.on("click", function (e) { pin(e.latlng); });
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  } else {
    map.setView([41.15, 123.2], 12);
  }
  var marker = null;

  function show(text) { picked.textContent = text; }
  function pin(latlng) {
    var p = L.latLng(latlng);
    if (marker) { marker.setLatLng(p); } else {
      marker = L.circleMarker(p, { radius: 10, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1 }).addTo(map);
    }
    lat.value = p.lat.toFixed(6);
    lng.value = p.lng.toFixed(6);
    clear.hidden = false;
    show("已选点:" + p.lat.toFixed(5) + ", " + p.lng.toFixed(5));
  }
  map.on("click", function (e) { pin(e.latlng); });
  if (lat.value && lng.value) { pin([parseFloat(lat.value), parseFloat(lng.value)]); }

  clear.addEventListener("click", function () {
    if (marker) { map.removeLayer(marker); marker = null; }
    lat.value = ""; lng.value = ""; clear.hidden = true; show("");
  });
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { show("此设备不支持定位,请在地图上点选"); return; }
    show("正在定位…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      pin([pos.coords.latitude, pos.coords.longitude]);
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 14));
    }, function () { show("无法获取位置,请在地图上点选或选择网格"); }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
