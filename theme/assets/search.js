/* Showcase search: static character n-gram index (see generator/searchindex.py).
   Nothing is fetched until someone types; a query fetches the manifest, the few index
   shards holding its n-grams, then the texts of the pages it shows (to confirm the match
   and cut a snippet). Every string from the index is inserted as text, never as HTML. */
(function () {
  "use strict";
  var CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var RUNS = new RegExp("[" + CJK + "]+|[a-z0-9]+", "g");
  var IS_CJK = new RegExp("^[" + CJK + "]");
  var PAGE = 10;
  var cache = {};

  function normalize(s) { return s.normalize("NFKC").toLowerCase(); }
  function runs(s) { return normalize(s).match(RUNS) || []; }
  function queryGrams(q) {
    var grams = [];
    runs(q).forEach(function (run) {
      if (!IS_CJK.test(run) || run.length <= 2) grams.push(run);
      else for (var i = 0; i + 3 <= run.length; i++) grams.push(run.slice(i, i + 3));
    });
    return grams.filter(function (g, i) { return grams.indexOf(g) === i; });
  }
  function fnv1a(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  function getJSON(root, path) {
    var url = root + "search/" + path;
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
    }
    return cache[url];
  }
  function decode(deltas) {
    var out = [], total = 0;
    for (var i = 0; i < deltas.length; i++) { total += deltas[i]; out.push(total); }
    return out;
  }
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (a[i] < b[j]) i++; else j++;
    }
    return out;
  }
  function candidates(root, q) {
    var grams = queryGrams(q);
    if (!grams.length) return Promise.resolve([]);
    return getJSON(root, "manifest.json").then(function (m) {
      var v = "?v=" + m.id;
      return Promise.all(grams.map(function (g) {
        return getJSON(root, "i/" + (fnv1a(g) % m.shards) + ".json" + v).then(function (shard) {
          return [decode(shard[g] || []), decode(shard["^" + g] || [])];
        });
      })).then(function (pairs) {
        var all = pairs.map(function (p) { return p[0]; }).reduce(intersect);
        var titled = pairs.map(function (p) { return p[1]; }).reduce(intersect);
        // Pages with the query in their title first, then the rest, each in index order.
        var rest = all.filter(function (id) { return titled.indexOf(id) < 0; });
        return { ids: titled.concat(rest), v: v };
      });
    });
  }
  function matches(doc, parts) {
    if (doc.c) return true;  // only the start of a long page is stored: trust the index
    var text = normalize(doc.x + " " + doc.t);
    return parts.every(function (p) { return text.indexOf(p) >= 0; });
  }
  /* A snippet around the first match, with every query part marked. */
  function snippet(doc, parts) {
    var text = doc.x, norm = normalize(text), at = -1;
    parts.forEach(function (p) { var i = norm.indexOf(p); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var start = Math.max(0, at - 30), end = Math.min(text.length, start + 110);
    var piece = text.slice(start, end), low = normalize(piece);
    var frag = document.createDocumentFragment();
    if (start > 0) frag.appendChild(document.createTextNode("…"));
    var i = 0;
    while (i < piece.length) {
      var best = -1, len = 0;
      parts.forEach(function (p) {
        var k = low.indexOf(p, i);
        if (k >= 0 && (best < 0 || k < best)) { best = k; len = p.length; }
      });
      if (best < 0) { frag.appendChild(document.createTextNode(piece.slice(i))); break; }
      if (best > i) frag.appendChild(document.createTextNode(piece.slice(i, best)));
      var mark = document.createElement("mark");
      mark.textContent = piece.slice(best, best + len);
      frag.appendChild(mark);
      i = best + len;
    }
    if (end < text.length) frag.appendChild(document.createTextNode("…"));
    return frag;
  }
  function item(root, doc, parts) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = root + doc.u;
    var art = document.createElement("article");
    art.className = "md-search-result__article md-typeset";
    var h = document.createElement("h1");
    h.textContent = doc.t;
    var p = document.createElement("p");
    p.className = "sc-search-snippet";
    p.appendChild(snippet(doc, parts));
    art.appendChild(h); art.appendChild(p); a.appendChild(art); li.appendChild(a);
    return li;
  }

  function Search(form) {
    var root = form.getAttribute("data-root") || "";
    if (root && root.slice(-1) !== "/") root += "/";
    var input = form.querySelector("input[name=q]");
    var panel = form.parentNode.querySelector(".md-search-result") ||
      document.querySelector(form.getAttribute("data-results"));
    var meta = panel.querySelector(".md-search-result__meta");
    var list = panel.querySelector(".md-search-result__list");
    var state = { token: 0, ids: [], shown: 0, parts: [], v: "" };
    var timer = null;

    function more() {
      var token = state.token, batch = [];
      while (state.shown < state.ids.length && batch.length < PAGE) batch.push(state.ids[state.shown++]);
      return Promise.all(batch.map(function (id) { return getJSON(root, "d/" + id + ".json" + state.v); }))
        .then(function (docs) {
          if (token !== state.token) return;
          docs.forEach(function (doc) { if (matches(doc, state.parts)) list.appendChild(item(root, doc, state.parts)); });
          var old = panel.querySelector(".sc-search-more");
          if (old) old.remove();
          if (state.shown < state.ids.length) {
            var b = document.createElement("button");
            b.type = "button"; b.className = "md-button sc-search-more"; b.textContent = "显示更多结果";
            b.addEventListener("click", function () { more(); });
            panel.appendChild(b);
          }
          if (!list.children.length && state.shown >= state.ids.length) meta.textContent = "没有找到相关内容";
        });
    }
    function run() {
      var q = input.value.trim(), token = ++state.token;
      list.textContent = "";
      var old = panel.querySelector(".sc-search-more");
      if (old) old.remove();
      if (!runs(q).length) { meta.textContent = "输入关键词开始搜索"; return; }
      meta.textContent = "正在搜索…";
      candidates(root, q).then(function (res) {
        if (token !== state.token) return;
        state.ids = res.ids || []; state.v = res.v || ""; state.shown = 0; state.parts = runs(q);
        meta.textContent = state.ids.length ? "找到约 " + state.ids.length + " 个页面" : "没有找到相关内容";
        return more();
      }).catch(function () { if (token === state.token) meta.textContent = "搜索暂时不可用"; });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    form.addEventListener("reset", function () { setTimeout(run, 0); });
    // Material opens its search panel through the #__search checkbox; its own search
    // component (not loaded) would set it when the box gains focus, so do that here.
    var toggle = form.hasAttribute("data-results") ? null : document.getElementById("__search");
    if (toggle) {
      toggle.addEventListener("change", function () { if (toggle.checked) input.focus(); });
      input.addEventListener("focus", function () { toggle.checked = true; });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { toggle.checked = false; input.blur(); }
      });
    }
    var params = new URLSearchParams(location.search);
    if (form.hasAttribute("data-results") && params.get("q")) { input.value = params.get("q"); run(); }
  }
  function setup() {
    document.querySelectorAll("form[data-sc-search]").forEach(function (form) {
      if (form.dataset.scReady) return;
      form.dataset.scReady = "1";
      Search(form);
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
