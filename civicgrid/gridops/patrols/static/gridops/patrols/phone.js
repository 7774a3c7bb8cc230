// The worker's patrol page: while a patrol is active, the browser's Geolocation API records a point about
// every 30 s (or after 50 m), keeps it in localStorage, and uploads batches of up to 100 points with
// fetch + an Idempotency-Key. A batch gets its key when it is formed and keeps it until the server has
// answered, so a retry after a lost answer is a replay, never a second upload; points are unique per
// instant on the server anyway. Batches left over from an earlier page (offline, closed tab) are sent on
// the next visit. "End" flushes what is left, then ends the patrol with the phone's time.
(function () {
  "use strict";
  var cfgEl = document.getElementById("patrol-config");
  if (!cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.text;
  var statusEl = document.getElementById("gps-status");
  var RECORD_EVERY_MS = 30000, RECORD_AFTER_M = 50, BATCH = 100, UPLOAD_EVERY_MS = 60000;
  var store = window.localStorage;

  function say(text) { if (statusEl) statusEl.textContent = text; }
  function csrf() {  // the csrftoken cookie is HttpOnly: a form's token, else the page's (js/safe.js)
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input && input.value ? input.value : window.civicgrid.csrfToken();
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }
  function load(key) { try { return JSON.parse(store.getItem(key) || "[]"); } catch (e) { return []; } }
  function save(key, value) {
    try { store.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: keep going in memory */ }
  }
  function qKey(id) { return "patrol:" + id + ":queue"; }
  function oKey(id) { return "patrol:" + id + ":outbox"; }
  function rad(d) { return d * Math.PI / 180; }
  function metres(a, b) {  // haversine, as the server measures
    var dp = rad(b.lat - a.lat), dl = rad(b.lng - a.lng);
    var h = Math.pow(Math.sin(dp / 2), 2) + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  function post(url, body, key) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" };
    if (key) headers["Idempotency-Key"] = key;
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; }); });
  }

  // ---- the outbox: batches formed from the queue, each with its key, sent in order -------------------
  var sending = {};  // per patrol: one upload at a time, in order
  function formBatches(id, all) {
    var queue = load(qKey(id)), outbox = load(oKey(id));
    while (queue.length >= BATCH || (all && queue.length)) {
      outbox.push({ key: uuid(), points: queue.splice(0, BATCH) });
    }
    save(qKey(id), queue); save(oKey(id), outbox);
  }
  function send(id) {
    if (sending[id]) return Promise.resolve(false);
    sending[id] = true;
    function next() {
      var outbox = load(oKey(id));
      if (!outbox.length) {
        sending[id] = false;
        if (!load(qKey(id)).length && !(cfg.patrol && String(cfg.patrol.id) === String(id))) {
          store.removeItem(qKey(id)); store.removeItem(oKey(id));  // an earlier patrol, all sent
        }
        return Promise.resolve(true);
      }
      var batch = outbox[0];
      return post(cfg.api + "/" + id + "/points", { points: batch.points }, batch.key).then(function (res) {
        if (res.status >= 200 && res.status < 300) {
          outbox = load(oKey(id)); outbox.shift(); save(oKey(id), outbox);
          shown(res.body.patrol, res.body.new_visits);
          return next();
        }
        if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 408 && res.status !== 409 && res.status !== 429) {
          outbox = load(oKey(id)); outbox.shift(); save(oKey(id), outbox);  // the server will never take it
          say(T.failed + (res.body.message || res.status));
          return next();
        }
        sending[id] = false; say(T.offline); return false;
      }, function () { sending[id] = false; say(T.offline); return false; });
    }
    return next();
  }
  function flush(id) {  // send everything, after the upload in flight (if any) has finished
    return new Promise(function (resolve) {
      (function wait() { if (sending[id]) { setTimeout(wait, 200); } else { resolve(send(id)); } })();
    });
  }
  function leftovers() {  // batches of earlier patrols still on this phone
    for (var i = 0; i < store.length; i++) {
      var m = /^patrol:(\d+):(queue|outbox)$/.exec(store.key(i) || "");
      if (m && (!cfg.patrol || String(cfg.patrol.id) !== m[1])) { formBatches(m[1], true); send(m[1]); }
    }
  }

  function shown(patrol, visits) {
    if (!patrol) return;
    var set = function (id, v) { var el = document.getElementById(id); if (el) el.textContent = v; };
    set("live-km", (patrol.distance_m / 1000).toFixed(2));
    set("live-points", patrol.point_count);
    (visits || []).forEach(function (v) { markVisited(v.checkpoint_id); });
  }

  leftovers();
  if (!cfg.patrol) return;

  // ---- recording ------------------------------------------------------------------------------------
  var patrol = cfg.patrol, id = patrol.id, last = null, here = null, recorded = 0;
  function pending() {
    return load(qKey(id)).length + load(oKey(id)).reduce(function (n, b) { return n + b.points.length; }, 0);
  }
  var startedAt = new Date(patrol.started_at).getTime();
  setInterval(function () {
    var el = document.getElementById("live-minutes");
    if (el) el.textContent = Math.max(0, Math.floor((Date.now() - startedAt) / 60000));
  }, 15000);

  function record(pos) {
    var p = { recorded_at: new Date(pos.timestamp || Date.now()).toISOString(), lat: pos.coords.latitude,
              lng: pos.coords.longitude, accuracy: Math.round(pos.coords.accuracy || 0) };
    here = p;
    nearby();
    var link = document.getElementById("finding-link");
    if (link) link.href = patrol.finding_url + "?lat=" + p.lat.toFixed(6) + "&lng=" + p.lng.toFixed(6);
    if (last && Date.parse(p.recorded_at) - Date.parse(last.recorded_at) < RECORD_EVERY_MS && metres(last, p) < RECORD_AFTER_M) return;
    last = p;
    var queue = load(qKey(id));
    queue.push(p);
    save(qKey(id), queue);
    recorded += 1;
    say(T.saved.replace("%s", recorded).replace("%s", pending()));
    if (queue.length >= BATCH) { formBatches(id, false); send(id); }
  }
  if (!navigator.geolocation) { say(T.no_gps); } else {
    navigator.geolocation.watchPosition(record, function (err) { say(err.code === 1 ? T.denied : T.no_gps); },
      { enableHighAccuracy: true, maximumAge: 10000, timeout: 60000 });
  }
  setInterval(function () { formBatches(id, true); send(id); }, UPLOAD_EVERY_MS);
  if (navigator.wakeLock) { navigator.wakeLock.request("screen").catch(function () {}); }

  // ---- checkpoints ------------------------------------------------------------------------------------
  function item(cpId) { return document.querySelector('[data-checkpoint="' + cpId + '"]'); }
  function markVisited(cpId) {
    var li = item(cpId), btn = li && li.querySelector("[data-check-in]");
    if (!btn) return;
    var done = document.createElement("span");
    done.className = "done"; done.textContent = "✓ " + T.checked;
    btn.replaceWith(done);
  }
  function nearby() {
    (patrol.checkpoints || []).forEach(function (cp) {
      var li = item(cp.id);
      if (!li || !here) return;
      var d = metres(here, cp), label = li.querySelector("[data-distance]"), btn = li.querySelector("[data-check-in]");
      if (label) label.textContent = "· " + T.far.replace("%s", Math.round(d));
      if (btn) btn.disabled = d > cp.radius_m + (here.accuracy || 0);
    });
  }
  document.querySelectorAll("[data-check-in]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      if (!here) return;
      var cpId = btn.closest("[data-checkpoint]").getAttribute("data-checkpoint");
      btn.disabled = true;
      post(cfg.api + "/" + id + "/checkins", { checkpoint_id: Number(cpId), lat: here.lat, lng: here.lng, accuracy: here.accuracy })
        .then(function (res) {
          if (res.status < 300) { markVisited(cpId); } else { btn.disabled = false; say(T.failed + (res.body.message || res.status)); }
        }, function () { btn.disabled = false; say(T.offline); });
    });
  });

  // ---- ending: flush, then end with the phone's time ------------------------------------------------------
  var endForm = document.getElementById("end-form");
  if (endForm) endForm.addEventListener("submit", function (e) {
    e.preventDefault();
    say(T.ending);
    endForm.querySelector("button").disabled = true;
    var endedAt = new Date().toISOString();
    formBatches(id, true);
    flush(id).then(function () {
      return post(cfg.api + "/" + id + "/end", { ended_at: endedAt });
    }).then(function (res) {
      if (res.status < 300) { window.location.href = patrol.detail_url; return; }
      endForm.querySelector("button").disabled = false; say(T.failed + (res.body.message || res.status));
    }, function () { endForm.querySelector("button").disabled = false; say(T.offline); });
  });
})();
