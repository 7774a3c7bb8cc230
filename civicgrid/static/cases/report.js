// The report form's photo place, on top of the point-picking map (geo/pickmap.js). Choosing photos asks the
// server where the first one was taken (its EXIF position) and, when that is inside the district, drops the
// pin there (the user can still move it or pick a grid). Without JS the server places a report by the first
// photo's position itself.
(function () {
  "use strict";
  var pick = window.civicgrid && window.civicgrid.pickMap;
  var form = document.getElementById("report-form");
  var photos = document.querySelector("input[type=file][name=photos]");
  var region = document.querySelector("select[name=region]");
  var note = document.getElementById("photo-place");
  var usePhoto = document.getElementById("use-photo-place");
  if (!pick || !form || !photos || !note || !usePhoto || !window.fetch || !window.FormData) return;
  var suggested = null;  // the last suggestion: {lat, lng, name}

  function hidePhotoPlace() { note.hidden = true; usePhoto.hidden = true; suggested = null; }
  function placeByPhoto(s) {
    pick.pin([s.lat, s.lng], "photo");
    pick.map.setView(pick.marker().getLatLng(), Math.max(pick.map.getZoom(), 16));
    if (region) { region.value = ""; }
    note.firstElementChild.textContent = "已根据照片拍摄位置定位:" + s.name;
    usePhoto.hidden = true; note.hidden = false;
  }
  function csrfToken() {  // the csrftoken cookie is HttpOnly: the form's own token, else the page's
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input && input.value ? input.value : window.civicgrid.csrfToken();
  }

  pick.onChange(function (state) {  // the user moved or cleared the pin: the photo's note no longer applies
    if (!state || state.by !== "photo") { hidePhotoPlace(); }
  });

  var asked = 0;  // only the latest selection's answer counts
  photos.addEventListener("change", function () {
    var ticket = ++asked;
    if (pick.pinnedBy() === "photo") { pick.unpin(); }
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
      var by = pick.pinnedBy();
      if (by === "user" || by === "search" || (region && region.value)) {  // the user already chose a place: only offer
        suggested = s;
        note.firstElementChild.textContent = "照片拍摄于:" + s.name;
        usePhoto.hidden = false; note.hidden = false;
      } else {
        placeByPhoto(s);
      }
    }).catch(function () { /* no suggestion: the server still reads the photo's position on submit */ });
  });
  usePhoto.addEventListener("click", function () { if (suggested) { placeByPhoto(suggested); } });
  if (region) {
    region.addEventListener("change", function () {  // a chosen grid replaces the photo's pin
      if (region.value && pick.pinnedBy() === "photo") { pick.unpin(); hidePhotoPlace(); }
    });
  }
})();
