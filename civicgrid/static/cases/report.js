// The report form's map: street outlines (no tile server needed), a tap drops the pin, "use my location"
// asks the phone. The pin fills the hidden lat/lng inputs; without a pin the chosen grid is used.
// Choosing photos asks the server where the first one was taken (its EXIF position) and, when that is inside
// the district, drops the pin there (the user can still move it or pick a grid). Without JS the server
// places a report by the first photo's position itself.
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
        // a node, not a string: Leaflet would read a string as HTML
        l.bindTooltip(window.civicgrid.text(f.properties.name), { permanent: true, direction: "center", className: "street-label" });
        l.on("click", function (e) { pin(e.latlng); });
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  } else {
    map.setView([41.15, 123.2], 12);
  }
  var marker = null;

  var pinnedBy = null;  // "photo" when the pin is the photo's suggestion, "user" otherwise

  function show(text) { picked.textContent = text; }
  function pin(latlng, by) {
    var p = L.latLng(latlng);
    pinnedBy = by || "user";
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

  function unpin() {
    if (marker) { map.removeLayer(marker); marker = null; }
    lat.value = ""; lng.value = ""; clear.hidden = true; show(""); pinnedBy = null;
  }
  clear.addEventListener("click", function () { unpin(); hidePhotoPlace(); });
  locate.addEventListener("click", function () {
    if (!navigator.geolocation) { show("此设备不支持定位,请在地图上点选"); return; }
    show("正在定位…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      pin([pos.coords.latitude, pos.coords.longitude]);
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 14));
    }, function () { show("无法获取位置,请在地图上点选或选择网格"); }, { enableHighAccuracy: true, timeout: 10000 });
  });

  // ---- the photo's place ------------------------------------------------------------------------------
  var form = document.getElementById("report-form");
  var photos = document.querySelector("input[type=file][name=photos]");
  var region = document.querySelector("select[name=region]");
  var note = document.getElementById("photo-place");
  var usePhoto = document.getElementById("use-photo-place");
  var suggested = null;  // the last suggestion: {lat, lng, name}

  function hidePhotoPlace() { if (note) { note.hidden = true; usePhoto.hidden = true; } suggested = null; }
  function placeByPhoto(s) {
    pin([s.lat, s.lng], "photo");
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 14));
    if (region) { region.value = ""; }
    note.firstElementChild.textContent = "已根据照片拍摄位置定位:" + s.name;
    usePhoto.hidden = true; note.hidden = false;
  }
  function csrfToken() {  // the csrftoken cookie is HttpOnly: the form's own token, else the page's
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input && input.value ? input.value : window.civicgrid.csrfToken();
  }

  if (form && photos && note && usePhoto && window.fetch && window.FormData) {
    var asked = 0;  // only the latest selection's answer counts
    photos.addEventListener("change", function () {
      var ticket = ++asked;
      if (pinnedBy === "photo") { unpin(); }
      hidePhotoPlace();
      var file = photos.files && photos.files[0];
      if (!file) return;
      var body = new FormData();
      body.append("photo", file);
      fetch(form.getAttribute("data-photo-location"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (ticket !== asked || !data || data.lat == null || data.lng == null || !data.region_code) return;
        var s = { lat: data.lat, lng: data.lng, name: data.region_name || data.region_code };
        if (pinnedBy === "user" || (region && region.value)) {  // the user already chose a place: only offer
          suggested = s;
          note.firstElementChild.textContent = "照片拍摄于:" + s.name;
          usePhoto.hidden = false; note.hidden = false;
        } else {
          placeByPhoto(s);
        }
      }).catch(function () { /* no suggestion: the server still reads the photo's position on submit */ });
    });
    usePhoto.addEventListener("click", function () { if (suggested) { placeByPhoto(suggested); } });
    map.on("click", function () { if (pinnedBy !== "photo") { hidePhotoPlace(); } });
    if (region) {
      region.addEventListener("change", function () {  // a chosen grid replaces the photo's pin
        if (region.value && pinnedBy === "photo") { unpin(); hidePhotoPlace(); }
      });
    }
  }
})();
