// Campaign answer forms. Two jobs:
// 1. Every form[data-campaign-form]: show a question only when its condition holds (data-when, the parsed
//    condition from conditions.py, evaluated with the same rules as conditions.evaluate and
//    schema.relevant_fields).
// 2. The household list (#campaign-data present): fill forms offline. Answers are queued in IndexedDB
//    (localStorage when IndexedDB is unavailable), each with its own idempotency key, and posted to the
//    API one by one whenever the network is there; re-sending a key never makes a second row. The
//    service worker (/gridops/campaigns/sw.js) keeps this page and its files for reloading offline, from the
//    first visit on (keepThisPage).
(function () {
  "use strict";

  // --- conditions (mirror of conditions.py) -----------------------------------------------------
  function isEmpty(v) {
    return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
  }

  function termTrue(term, value, type) {
    var op = term.op, expected = term.value;
    if (op === "selected" || op === "not_selected") {
      var chosen = Array.isArray(value) ? value : (isEmpty(value) ? [] : [value]);
      var hit = chosen.map(String).indexOf(String(expected)) >= 0;
      return op === "selected" ? hit : !hit;
    }
    var empty = isEmpty(value);
    if (expected === "") return op === "=" ? empty : (op === "!=" ? !empty : false);
    if (empty) return op === "!=";
    var left, right;
    if (type === "integer" || type === "decimal") {
      left = Number(value); right = Number(expected);
      if (isNaN(left) || isNaN(right)) return false;
    } else {
      left = String(value); right = String(expected);
    }
    switch (op) {
      case "=": return left === right;
      case "!=": return left !== right;
      case ">": return left > right;
      case ">=": return left >= right;
      case "<": return left < right;
      case "<=": return left <= right;
    }
    return false;
  }

  function evaluate(when, answers, types) {
    if (!when) return true;
    var results = when.terms.map(function (t) { return termTrue(t, answers[t.field], types[t.field] || "text"); });
    return when.join === "or" ? results.some(Boolean) : results.every(Boolean);
  }

  function questions(form) {
    return Array.prototype.slice.call(form.querySelectorAll(".q[data-q]"));
  }

  function valueOf(q) {
    var name = q.dataset.q, type = q.dataset.type;
    if (type === "select_one" || type === "yesno") {
      var checked = q.querySelector("input[name='" + name + "']:checked");
      return checked ? checked.value : undefined;
    }
    if (type === "select_multiple") {
      return Array.prototype.map.call(q.querySelectorAll("input[name='" + name + "']:checked"), function (i) { return i.value; });
    }
    if (type === "photo") {
      var file = q.querySelector("[data-photo]"), keep = q.querySelector("[data-photo-keep]");
      if (file && file._dataUrl) return file._dataUrl;
      return keep && keep.value ? Number(keep.value) : undefined;
    }
    var input = q.querySelector("input, textarea, select");
    return input && input.value !== "" ? input.value : undefined;
  }

  // Which questions are shown, and the answers of the shown ones (a hidden question counts as unanswered).
  function shownAnswers(form) {
    var types = {}, visible = {}, shown = [];
    questions(form).forEach(function (q) { types[q.dataset.q] = q.dataset.type; });
    questions(form).forEach(function (q) {
      var when = q.dataset.when ? JSON.parse(q.dataset.when) : null;
      if (evaluate(when, visible, types)) {
        shown.push(q);
        var v = valueOf(q);
        if (!isEmpty(v)) visible[q.dataset.q] = v;
      }
    });
    return { shown: shown, answers: visible };
  }

  function applyConditions(form) {
    var shown = shownAnswers(form).shown;
    questions(form).forEach(function (q) {
      var on = shown.indexOf(q) >= 0;
      q.hidden = !on;
      q.querySelectorAll("input, textarea, select").forEach(function (input) {
        input.disabled = !on;
      });
    });
  }

  function showError(q, message) {
    var p = q.querySelector(".q-error");
    if (!p) return;
    p.textContent = message || "";
    p.hidden = !message;
    q.classList.toggle("has-error", Boolean(message));
  }

  // Client-side check before queueing (the server checks again): required shown questions and number bounds.
  function check(form) {
    var state = shownAnswers(form), first = null;
    questions(form).forEach(function (q) { showError(q, ""); });
    state.shown.forEach(function (q) {
      var message = "";
      if (q.hasAttribute("data-required") && isEmpty(state.answers[q.dataset.q])) message = "必填";
      var input = q.querySelector("input[type=number]");
      if (!message && input && !input.checkValidity()) {
        message = input.validity.rangeUnderflow ? "不能小于 " + input.min
          : input.validity.rangeOverflow ? "不能大于 " + input.max
          : input.validity.stepMismatch ? "请填写整数" : "请填写数字";
      }
      if (message) { showError(q, message); first = first || q; }
    });
    if (first) {
      var target = first.querySelector("input, textarea, select");
      first.scrollIntoView({ block: "center" });
      if (target) target.focus({ preventScroll: true });
    }
    return first === null ? state.answers : null;
  }

  function shrinkPhoto(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onerror = function () { reject(reader.error); };
      reader.onload = function () {
        var img = new Image();
        img.onerror = function () { reject(new Error("图片无法读取")); };
        img.onload = function () {
          var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.8));
        };
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function wireForm(form, offline) {
    form.addEventListener("change", function (event) {
      var input = event.target;
      var q = input.closest(".q[data-q]");
      if (q) showError(q, "");
      if (offline && input.matches("[data-photo]") && input.files && input.files[0]) {
        shrinkPhoto(input.files[0]).then(function (url) {
          input._dataUrl = url;
          var preview = input.parentNode.querySelector("[data-photo-preview]");
          if (preview) { preview.src = url; preview.hidden = false; }
          applyConditions(form);
        });
      }
      applyConditions(form);
    });
    form.addEventListener("input", function () { applyConditions(form); });
    applyConditions(form);
  }

  // --- device storage ---------------------------------------------------------------------------
  var DB_NAME = "civicgrid-campaigns";

  function idbStore() {
    var opening = null;
    function db() {
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          var request = indexedDB.open(DB_NAME, 1);
          request.onupgradeneeded = function () {
            request.result.createObjectStore("queue", { keyPath: "key" });
            request.result.createObjectStore("known", { keyPath: "id" });
          };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
      }
      return opening;
    }
    function run(name, mode, work) {
      return db().then(function (database) {
        return new Promise(function (resolve, reject) {
          var tx = database.transaction(name, mode), result;
          tx.oncomplete = function () { resolve(result); };
          tx.onerror = tx.onabort = function () { reject(tx.error); };
          var request = work(tx.objectStore(name));
          if (request) request.onsuccess = function () { result = request.result; };
        });
      });
    }
    return {
      all: function (name) { return run(name, "readonly", function (s) { return s.getAll(); }); },
      put: function (name, value) { return run(name, "readwrite", function (s) { return s.put(value); }); },
      del: function (name, key) { return run(name, "readwrite", function (s) { return s["delete"](key); }); },
    };
  }

  function localStore() {  // fallback: a JSON object per store in localStorage
    function read(name) { try { return JSON.parse(localStorage.getItem(DB_NAME + ":" + name)) || {}; } catch (e) { return {}; } }
    function write(name, value) { localStorage.setItem(DB_NAME + ":" + name, JSON.stringify(value)); }
    var keys = { queue: "key", known: "id" };
    return {
      all: function (name) { var m = read(name); return Promise.resolve(Object.keys(m).map(function (k) { return m[k]; })); },
      put: function (name, value) { var m = read(name); m[value[keys[name]]] = value; write(name, m); return Promise.resolve(); },
      del: function (name, key) { var m = read(name); delete m[key]; write(name, m); return Promise.resolve(); },
    };
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- the household list -----------------------------------------------------------------------
  function collect(root) {
    var data = JSON.parse(document.getElementById("campaign-data").textContent);
    var store = window.indexedDB ? idbStore() : localStore();
    var csrf = "";
    try { csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { csrf = ""; }
    var households = {}, queue = {}, filter = "all", syncing = false, retryTimer = null, retryDelay = 3000;
    var authProblem = "";
    data.households.forEach(function (h) { households[h.id] = h; });
    var panel = document.getElementById("answer-panel"), form = document.getElementById("answer-form");
    var bar = root.querySelector("[data-sync-text]"), barBox = document.getElementById("sync-bar");
    var syncNow = root.querySelector("[data-sync-now]"), toastBox = root.querySelector("[data-toast]");
    var current = null, toastTimer = null;

    function toast(text) {
      toastBox.textContent = text;
      toastBox.hidden = false;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(function () { toastBox.hidden = true; }, 4000);
    }

    function entryOf(id) { return queue[id] || null; }

    function stateOf(h) {
      var e = entryOf(h.id);
      if (e) return e.state === "failed" ? "failed" : "pending";
      if (h.has_conflict) return "conflict";
      return h.version ? "done" : "todo";
    }

    var CHIPS = { failed: "需修改", pending: "待同步", conflict: "冲突", done: "已填", todo: "未填" };

    function render() {
      var pending = 0, failed = 0, done = 0;
      root.querySelectorAll("[data-household]").forEach(function (li) {
        var h = households[li.dataset.household];
        if (!h) return;
        var state = stateOf(h);
        li.dataset.state = state;
        li.querySelector("[data-chip]").textContent = CHIPS[state];
        if (state === "pending") pending++;
        if (state === "failed") failed++;
        if (h.version || state === "pending" || state === "failed") done++;
        var show = filter === "all" || filter === state || (filter === "pending" && state === "failed");
        li.hidden = !show;
      });
      root.querySelector("[data-done]").textContent = done;
      root.querySelector("[data-pending]").textContent = pending + failed;
      root.querySelector("[data-pending-line]").hidden = pending + failed === 0;
      var online = navigator.onLine, text;
      barBox.dataset.netState = online ? "online" : "offline";
      barBox.dataset.queueCount = String(pending);
      barBox.dataset.failedCount = String(failed);
      barBox.dataset.syncing = syncing ? "1" : "0";
      if (!online) text = pending ? "离线 · " + pending + " 户待同步,联网后自动上传" : "离线 · 可继续填写,联网后自动上传";
      else if (syncing) text = "正在同步 " + pending + " 户…";
      else if (authProblem) text = authProblem;
      else text = pending ? "在线 · " + pending + " 户待同步" : "在线 · 已全部同步";
      if (failed) text += " · " + failed + " 户需修改";
      bar.textContent = text;
      syncNow.hidden = !(online && pending && !syncing);
    }

    function loadQueue() {
      return store.all("queue").then(function (entries) {
        queue = {};
        entries.filter(function (e) { return e.campaign === data.campaign && e.user === data.user; })
          .sort(function (a, b) { return a.created - b.created; })
          .forEach(function (e) { queue[e.household] = e; });
      });
    }

    function loadKnown() {  // answers synced earlier may be newer than a page served from the cache
      return store.all("known").then(function (rows) {
        rows.forEach(function (k) {
          var h = households[k.household];
          if (k.campaign === data.campaign && k.user === data.user && h && k.version > h.version) {
            h.version = k.version; h.answers = k.answers; h.has_conflict = k.has_conflict;
          }
        });
      });
    }

    function setValues(values) {
      form.reset();
      questions(form).forEach(function (q) {
        var name = q.dataset.q, type = q.dataset.type, value = values[name];
        showError(q, "");
        if (type === "select_one" || type === "yesno" || type === "select_multiple") {
          var chosen = Array.isArray(value) ? value.map(String) : (isEmpty(value) ? [] : [String(value)]);
          q.querySelectorAll("input[name='" + name + "']").forEach(function (i) { i.checked = chosen.indexOf(i.value) >= 0; });
        } else if (type === "photo") {
          var file = q.querySelector("[data-photo]"), keep = q.querySelector("[data-photo-keep]");
          var preview = q.querySelector("[data-photo-preview]");
          file.value = ""; file._dataUrl = null;
          keep.value = typeof value === "number" ? String(value) : "";
          if (typeof value === "string" && value.indexOf("data:") === 0) file._dataUrl = value;
          var src = file._dataUrl || (keep.value ? "/gridops/campaigns/" + data.campaign + "/photos/" + keep.value + "/" : "");
          preview.hidden = !src;
          if (src) preview.src = src; else preview.removeAttribute("src");
        } else {
          var input = q.querySelector("input, textarea, select");
          input.value = isEmpty(value) ? "" : String(value);
        }
      });
      applyConditions(form);
    }

    function open(id) {
      var h = households[id];
      if (!h) return;
      current = h;
      var entry = entryOf(id);
      panel.querySelector("[data-panel-title]").textContent = ((h.building || "") + " " + (h.room || h.number)).trim();
      panel.querySelector("[data-panel-sub]").textContent = h.number + (h.address ? " · " + h.address : "") +
        (h.version ? " · 当前版本 v" + h.version : " · 尚未填报");
      var conflict = panel.querySelector("[data-conflict-note]");
      conflict.hidden = !h.has_conflict;
      conflict.querySelector("[data-history-link]").href = data.household_url.replace("{id}", h.id);
      var failedNote = panel.querySelector("[data-failed-note]");
      failedNote.hidden = !(entry && entry.state === "failed");
      failedNote.textContent = entry && entry.error ? "上次同步未成功:" + entry.error : "";
      setValues(entry ? entry.answers : (h.answers || {}));
      if (entry && entry.fieldErrors) {
        questions(form).forEach(function (q) { if (entry.fieldErrors[q.dataset.q]) showError(q, entry.fieldErrors[q.dataset.q]); });
      }
      panel.hidden = false;
      document.body.classList.add("panel-open");
      panel.scrollTop = 0;
      panel.querySelector("[data-panel-title]").focus();
    }

    function close() {
      panel.hidden = true;
      document.body.classList.remove("panel-open");
      if (current) {
        var card = root.querySelector("[data-household='" + current.id + "'] a");
        if (card) card.focus({ preventScroll: true });
      }
      current = null;
    }

    function save(event) {
      event.preventDefault();
      if (!current) return;
      var answers = check(form);
      if (!answers) return;
      var h = current, previous = entryOf(h.id);
      var entry = {
        key: newKey(), user: data.user, campaign: data.campaign, household: h.id,
        // an edit of an answer still waiting keeps the version that answer was based on
        base_version: previous ? previous.base_version : h.version,
        answers: answers, answered_at: new Date().toISOString(), created: Date.now(), state: "pending", error: "",
      };
      var replace = previous ? store.del("queue", previous.key) : Promise.resolve();
      replace.then(function () { return store.put("queue", entry); }).then(function () {
        queue[h.id] = entry;
        close();
        render();
        toast(navigator.onLine ? h.number + " 已保存,正在同步" : h.number + " 已保存在本机,联网后自动上传");
        sync();
      }, function (err) {
        toast("本机存储失败:" + err);
      });
    }

    function remember(entry, body) {
      var h = households[entry.household];
      if (h) { h.version = body.version; h.answers = body.answers; h.has_conflict = body.has_conflict; }
      var by = root.querySelector("[data-household='" + entry.household + "'] [data-by]");
      if (by) by.textContent = "刚刚同步 · v" + body.version;
      return store.put("known", {
        id: data.user + ":" + data.campaign + ":" + entry.household, user: data.user, campaign: data.campaign,
        household: entry.household, version: body.version, answers: body.answers, has_conflict: body.has_conflict,
      });
    }

    function retryLater() {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(sync, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60000);
    }

    function post(entry) {
      return fetch(data.api, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf,
                   "Idempotency-Key": entry.key },
        body: JSON.stringify({ household_id: entry.household, base_version: entry.base_version,
                               answered_at: entry.answered_at, answers: entry.answers, idempotency_key: entry.key }),
      });
    }

    function sync() {
      if (syncing || !navigator.onLine) { render(); return Promise.resolve(); }
      var todo = Object.keys(queue).map(function (k) { return queue[k]; })
        .filter(function (e) { return e.state === "pending"; })
        .sort(function (a, b) { return a.created - b.created; });
      if (!todo.length) { render(); return Promise.resolve(); }
      syncing = true;
      authProblem = "";
      render();
      var synced = 0, conflicts = [];
      function next(i) {
        if (i >= todo.length) return Promise.resolve(true);
        var entry = todo[i];
        return post(entry).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (response.status === 200 || response.status === 201) {
              return store.del("queue", entry.key).then(function () {
                if (queue[entry.household] && queue[entry.household].key === entry.key) delete queue[entry.household];
                synced++;
                if (body.conflict) conflicts.push(households[entry.household].number);
                return remember(entry, body);
              }).then(function () { return next(i + 1); });
            }
            if (response.status === 401 || response.status === 403) {
              authProblem = "登录已失效,请重新登录后同步(答案仍保存在本机)";
              return false;
            }
            if (response.status === 409 && body.code === "idempotency_in_progress") return null;
            if (response.status >= 400 && response.status < 500) {
              entry.state = "failed";
              entry.error = body.message || ("错误 " + response.status);
              entry.fieldErrors = body.details && typeof body.details === "object" && !Array.isArray(body.details)
                ? body.details : null;
              return store.put("queue", entry).then(function () { return next(i + 1); });
            }
            return null;  // server trouble: try again later
          });
        }, function () { return null; });  // no network after all
      }
      return next(0).then(function (finished) {
        syncing = false;
        if (finished === null) retryLater(); else retryDelay = 3000;
        if (synced) toast("已同步 " + synced + " 户" + (conflicts.length ? ";" + conflicts.join("、") + " 与他人的修改冲突,请核对" : ""));
        render();
      });
    }

    root.addEventListener("click", function (event) {
      var card = event.target.closest(".hh-card");
      if (card && data.open) {
        event.preventDefault();
        open(card.closest("[data-household]").dataset.household);
        return;
      }
      var pick = event.target.closest("[data-filter]");
      if (pick) {
        filter = pick.dataset.filter;
        root.querySelectorAll("[data-filter]").forEach(function (b) { b.classList.toggle("active", b === pick); });
        render();
      }
      if (event.target.closest("[data-close]")) close();
      if (event.target.closest("[data-sync-now]")) { retryDelay = 3000; sync(); }
    });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape" && !panel.hidden) close(); });
    form.addEventListener("submit", save);
    window.addEventListener("online", function () { retryDelay = 3000; sync(); });
    window.addEventListener("offline", render);
    setInterval(sync, 20000);
    wireForm(form, true);

    // a different user on this phone: forget the saved pages of the previous one (their queue stays theirs)
    var who = String(data.user);
    var forgotten = Promise.resolve();
    if (localStorage.getItem("civicgrid-campaigns:user") !== who) {
      if (window.caches) forgotten = caches.delete(PAGES_CACHE).catch(function () {});
      localStorage.setItem("civicgrid-campaigns:user", who);
    }
    if ("serviceWorker" in navigator && window.caches) {
      navigator.serviceWorker.register(data.sw, { scope: data.scope })
        .then(function () { return forgotten; })
        .then(keepThisPage)
        .then(function () { return navigator.serviceWorker.ready; })
        .then(function () { root.dataset.offlineReady = "1"; })
        .catch(function () { /* offline reload unavailable */ });
    }
    Promise.all([loadKnown(), loadQueue()]).then(function () {
      root.dataset.ready = "1";
      render();
      sync();
    }, function (err) {
      bar.textContent = "本机存储不可用:" + err;
    });
  }

  // The first visit is not yet under the service worker (it installs while the page loads), so the page
  // keeps a copy of itself in the worker's page cache now: offline, the worker answers a reload from it.
  var PAGES_CACHE = "civicgrid-campaigns-pages";
  function keepThisPage() {
    var url = location.href.split("#")[0];
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (response) {
      // a lapsed session is redirected to the login page: keep real pages only
      if (!response.ok || response.redirected) return;
      return caches.open(PAGES_CACHE).then(function (cache) { return cache.put(url, response); });
    });
  }

  function start() {
    document.querySelectorAll("form[data-campaign-form]").forEach(function (form) {
      if (form.id !== "answer-form") wireForm(form, false);
    });
    var root = document.querySelector("[data-collect-root]");
    if (root && document.getElementById("campaign-data")) collect(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
