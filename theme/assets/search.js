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
  /* Opened from the file system (the offline package of showcase package): fetch() cannot
     read file:// addresses, so there the index comes as scripts (search/i/N.js and the like) that hand
     their data to window.__scSearchData, and page addresses end in index.html. */
  var FILE = location.protocol === "file:";
  var pending = {};
  window.__scSearchData = function (name, data) {
    var done = pending[name];
    if (done) { delete pending[name]; done(data); }
  };
  function loadScript(url, name) {
    return new Promise(function (resolve, reject) {
      pending[name] = resolve;
      var s = document.createElement("script");
      s.src = url;
      s.onerror = function () { delete pending[name]; s.remove(); reject(new Error(name)); };
      s.onload = function () { s.remove(); };
      document.head.appendChild(s);
    });
  }
  function getJSON(root, path) {
    var url = root + "search/" + path;
    if (!cache[url]) {
      if (FILE) {
        var name = path.split("?")[0];
        cache[url] = loadScript(root + "search/" + name.replace(/\.json$/, ".js"), name);
      } else {
        cache[url] = fetch(url).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        });
      }
    }
    return cache[url];
  }
  function pageHref(root, u) {
    return root + u + (FILE && (u === "" || u.slice(-1) === "/") ? "index.html" : "");
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
    var text = normalize(doc.x + " " + doc.t + " " + (doc.m || ""));
    return parts.every(function (p) { return text.indexOf(p) >= 0; });
  }
  /* A snippet of the page's own text (never its title or metadata line, which the index
     keeps apart) around the first match, every query part marked. */
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
  /* What kind of page a result is, from its address (generator/site/urls.py). */
  var KINDS = [["sites/", "示范点"], ["experiences/", "典型经验"], ["plans/", "年度规划"],
    ["compilations/", "经验汇编"], ["guide/", "编辑指南"], ["data/", "开放数据"],
    ["internal/", "内部管理"]];
  function kind(url) {
    if (url === "") return "首页";
    for (var i = 0; i < KINDS.length; i++) if (url.indexOf(KINDS[i][0]) === 0) return KINDS[i][1];
    return "页面";
  }
  function item(root, doc, parts) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = pageHref(root, doc.u);
    var art = document.createElement("article");
    art.className = "md-search-result__article md-typeset";
    // Not a heading: the results are a list in the header, before the page's own h1.
    var head = document.createElement("p");
    head.className = "sc-search-head";
    var k = document.createElement("span");
    k.className = "sc-search-kind";
    k.textContent = kind(doc.u);
    var h = document.createElement("strong");
    h.className = "sc-search-title";
    h.textContent = doc.t;
    head.appendChild(k);
    head.appendChild(h);
    art.appendChild(head);
    if (doc.x) {
      var p = document.createElement("p");
      p.className = "sc-search-snippet";
      p.appendChild(snippet(doc, parts));
      art.appendChild(p);
    }
    a.appendChild(art); li.appendChild(a);
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
    // A Chinese input method composes pinyin in the box first: searching for the Latin
    // letters would flash "没有找到" before the characters are chosen. Wait for them.
    var composing = false;
    function later() { clearTimeout(timer); timer = setTimeout(run, 120); }
    input.addEventListener("compositionstart", function () { composing = true; clearTimeout(timer); });
    input.addEventListener("compositionend", function () { composing = false; later(); });
    input.addEventListener("input", function (e) {
      if (composing || e.isComposing) return;
      later();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    form.addEventListener("reset", function () { setTimeout(function () { run(); input.focus(); }, 0); });

    /* Arrow keys: from the box into the results and through them; up from the first result
       returns to the box. */
    function links() { return Array.prototype.slice.call(list.querySelectorAll("a[href]")); }
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && !composing && !e.isComposing) {
        var all = links();
        if (all.length) { e.preventDefault(); all[0].focus(); }
      }
    });
    list.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      var all = links(), at = all.indexOf(document.activeElement);
      if (at < 0) return;
      e.preventDefault();
      if (e.key === "ArrowDown") { if (at + 1 < all.length) all[at + 1].focus(); }
      else if (at > 0) all[at - 1].focus();
      else input.focus();
    });

    var params = new URLSearchParams(location.search);
    if (form.hasAttribute("data-results")) {
      // the search page: its own box and results, nothing to open or close
      if (params.get("q")) { input.value = params.get("q"); run(); }
      return;
    }
    HeaderPanel(form, input);
  }

  /* The header's search panel. Material opens it through the #__search checkbox (its own
     script, not loaded, would); here it opens with the search button (phones), by typing or
     with "/", and closes with Esc from anywhere, when focus leaves it, or with the overlay.
     On phones the closed panel is inert: it takes no tab stops off screen. */
  function HeaderPanel(form, input) {
    var toggle = document.getElementById("__search");
    var panel = document.getElementById("sc-search-panel");
    var button = document.querySelector(".sc-search-button");
    if (!toggle || !panel) return;
    var narrow = window.matchMedia("(max-width: 59.984375em)");
    function sync() {
      var open = toggle.checked;
      if (button) button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.inert = narrow.matches && !open;
    }
    function open() {
      if (!toggle.checked) { toggle.checked = true; sync(); }
    }
    function close(refocus) {
      if (!toggle.checked) return;
      toggle.checked = false;
      sync();
      if (refocus) (narrow.matches && button ? button : input).focus();
    }
    if (button) {
      button.addEventListener("click", function (e) {
        e.preventDefault();
        open();
        input.focus();
      });
    }
    input.addEventListener("input", function () { if (input.value) open(); });
    // Not on focus: Esc gives focus back to the box, which must not reopen the panel.
    input.addEventListener("click", function () { if (input.value) open(); });
    toggle.addEventListener("change", function () {
      sync();
      if (toggle.checked) input.focus();
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && toggle.checked) {
        e.preventDefault();
        close(true);
        return;
      }
      var t = e.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        open();
        input.focus();
        input.select();
      }
    });
    panel.addEventListener("focusout", function (e) {
      var next = e.relatedTarget;
      if (next && !panel.contains(next)) close(false);
    });
    if (narrow.addEventListener) narrow.addEventListener("change", sync);
    sync();
  }
  function setup() {
    document.querySelectorAll("form[data-sc-search]").forEach(function (form) {
      if (form.dataset.scReady) return;
      form.dataset.scReady = "1";
      Search(form);
    });
  }
  if (document.readyState !== "loading") setup();
  else document.addEventListener("DOMContentLoaded", setup);
})();
