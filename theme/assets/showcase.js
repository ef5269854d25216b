/* Showcase page behaviour. Everything here is an enhancement: without JavaScript the facet
   links (pre-built pages per value) filter the lists, tables read fine and print works.
   Material's own bundle is not loaded (theme/main.html); this file and search.js are all
   the script a page runs. */
(function () {
  "use strict";

  /* Instant facet filtering on the directory and library pages; the choice is kept in the
     address (?category=rural&status=...) so a filtered list can be shared or bookmarked. */
  function setupFilters() {
    document.querySelectorAll("form[data-sc-filter]").forEach(function (form) {
      if (form.getAttribute("data-sc-mode") === "navigate") {
        // The listing is split into pages: a choice opens the page of that value.
        if (form.dataset.scReady) return;
        form.dataset.scReady = "1";
        form.addEventListener("change", function (ev) {
          var opt = ev.target.selectedOptions && ev.target.selectedOptions[0];
          if (opt && opt.getAttribute("data-url")) window.location.href = opt.getAttribute("data-url");
        });
        return;
      }
      var list = document.getElementById(form.getAttribute("data-sc-filter"));
      if (!list || form.dataset.scReady) return;
      form.dataset.scReady = "1";
      form.addEventListener("submit", function (ev) { ev.preventDefault(); });
      var items = list.querySelectorAll("[data-sc-item]");
      var selects = form.querySelectorAll("select");
      var out = form.querySelector("output");
      var empty = list.parentNode.querySelector(".sc-empty");
      var reset = form.querySelector(".sc-filter__reset");

      var params = new URLSearchParams(window.location.search);
      selects.forEach(function (s) {
        var v = params.get(s.name);
        if (v && s.querySelector('option[value="' + CSS.escape(v) + '"]')) s.value = v;
      });

      function apply(remember) {
        var wanted = {};
        selects.forEach(function (s) {
          if (s.value) wanted[s.name] = s.value;
          s.classList.toggle("is-set", !!s.value);
        });
        var shown = 0;
        items.forEach(function (item) {
          var ok = Object.keys(wanted).every(function (k) {
            return (item.getAttribute("data-" + k) || "").split(" ").indexOf(wanted[k]) >= 0;
          });
          item.hidden = !ok;
          if (ok) shown++;
        });
        if (out) out.textContent = "显示 " + shown + " / " + items.length;
        if (empty) empty.hidden = shown !== 0;
        reset.disabled = Object.keys(wanted).length === 0;
        if (remember && window.history && history.replaceState) {
          var q = new URLSearchParams(wanted).toString();
          history.replaceState(history.state, "", window.location.pathname + (q ? "?" + q : "") + window.location.hash);
        }
      }
      form.addEventListener("change", function () { apply(true); });
      reset.addEventListener("click", function () {
        selects.forEach(function (s) { s.value = ""; });
        apply(true);
        if (selects[0]) selects[0].focus();
      });
      apply(false);
    });
  }

  /* Right-align numeric cells (counts, years, percentages, "12 / 20"), and their headers
     when the whole column is numeric. */
  var NUMERIC = /^[\s\d.,%／/+\-−—–]*\d[\s\d.,%／/+\-−—–]*$/;
  var LABEL_LIKE = /^(\d{4}|\d{4}-\d{2}(-\d{2})?)$/;  /* years and dates read as labels */
  function markNumbers() {
    document.querySelectorAll(".md-typeset table").forEach(function (table) {
      if (table.dataset.scNum) return;
      table.dataset.scNum = "1";
      var numericCols = {};
      var seen = {};
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            var text = cell.textContent.trim();
            if (text.length <= 10 && !cell.querySelector("br")) cell.classList.add("sc-nowrap");
            else if (text.length > 24) cell.classList.add("sc-long");
            if (cell.tagName === "TH" && i === 0) return;
            if (text === "" || text === "—") return;
            seen[i] = true;
            if (NUMERIC.test(text) && !LABEL_LIKE.test(text)) {
              cell.classList.add("sc-num");
              if (numericCols[i] !== false) numericCols[i] = true;
            } else {
              numericCols[i] = false;
            }
          });
        });
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (numericCols[i] && seen[i]) cell.classList.add("sc-num");
          });
        });
      });
      if (table.tHead) {
        Array.prototype.forEach.call(table.tHead.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (numericCols[i] && seen[i]) cell.classList.add("sc-num");
          });
        });
      }
    });
  }

  /* For print: links in running text show their full public address (cards, menus and
     tables do not: their titles say where they go). The site's own
     address comes from the canonical link (site_url), so a printout made from a local
     preview still shows the published URL. */
  function markPrintLinks() {
    var canonical = document.querySelector('link[rel="canonical"]');
    var base = canonical ? canonical.href : window.location.href;
    document.querySelectorAll(".md-content :is(.sc-prose, .sc-summary) a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!href || href.charAt(0) === "#" || a.classList.contains("headerlink") ||
          a.classList.contains("md-content__button") || /^(javascript|mailto|tel):/i.test(href)) return;
      try {
        a.setAttribute("data-sc-href", new URL(href, base).href);
      } catch (e) { /* leave unusual links alone */ }
    });
  }

  /* 长者模式: the header button switches the elder-friendly stylesheet (assets/care.css) on
     and off and remembers the choice for the next pages (theme/main.html reads it). */
  function setupCare() {
    var button = document.querySelector(".sc-care-toggle");
    var sheet = document.getElementById("sc-care-css");
    if (!button || !sheet || button.dataset.scReady) return;
    button.dataset.scReady = "1";
    var root = document.documentElement;
    function show(on) {
      root.classList.toggle("sc-care", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) { sheet.removeAttribute("title"); sheet.rel = "stylesheet"; }
      sheet.disabled = !on;
    }
    show(root.classList.contains("sc-care"));
    button.addEventListener("click", function () {
      var on = !root.classList.contains("sc-care");
      show(on);
      try { localStorage.setItem("sc-care", on ? "1" : "0"); } catch (e) { /* private mode */ }
    });
  }

  /* The phone menu: a real button for the drawer Material opens with a checkbox; Esc closes
     it and focus goes back to the button. */
  function setupMenu() {
    var button = document.querySelector(".sc-menu-button");
    var drawer = document.getElementById("__drawer");
    if (!button || !drawer || button.dataset.scReady) return;
    button.dataset.scReady = "1";
    function sync() { button.setAttribute("aria-expanded", drawer.checked ? "true" : "false"); }
    button.addEventListener("click", function () {
      drawer.checked = !drawer.checked;
      sync();
      if (drawer.checked) {
        var first = document.querySelector(".md-sidebar--primary a[href]");
        // after the drawer became visible (CSS switches its visibility at once)
        if (first) setTimeout(function () { first.focus(); }, 0);
      }
    });
    drawer.addEventListener("change", sync);
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && drawer.checked) {
        drawer.checked = false;
        sync();
        button.focus();
      }
    });
    sync();
  }

  function setupPrint() {
    document.querySelectorAll(".sc-print").forEach(function (b) {
      if (b.dataset.scReady) return;
      b.dataset.scReady = "1";
      b.addEventListener("click", function () { window.print(); });
    });
  }

  /* A box that scrolls sideways (a wide table or code block on a phone) must be reachable
     by keyboard (WCAG 2.1.1) and say what it is; one that fits takes no tab stop. */
  var SCROLLERS = ".md-typeset .sc-table, .md-typeset table:not([class]), .md-typeset pre > code";
  function markScrollers() {
    var count = { table: 0, code: 0 };
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      var isCode = box.tagName === "CODE";
      var n = ++count[isCode ? "code" : "table"];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("sc-scrolls", scrolls);
      if (scrolls && (box.dataset.scScroll || !box.hasAttribute("tabindex"))) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        // each region's name is unique on the page (landmarks are told apart by name)
        box.setAttribute("aria-label", (isCode ? "第 " + n + " 段代码" : "第 " + n + " 个表格") + "（可横向滚动）");
        box.dataset.scScroll = "1";
      } else if (!scrolls && box.dataset.scScroll) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scScroll;
      }
    });
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(markScrollers, 150);
  });

  /* A photo opens larger in a native <dialog> (focus kept inside, Esc closes, focus goes
     back to the photo): a few lines instead of a lightbox library and its CSS. Without
     JavaScript the link itself opens the large JPEG. */
  function setupLightbox() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".md-typeset a.sc-zoom"));
    if (!links.length || typeof HTMLDialogElement !== "function") return;
    var dialog = document.createElement("dialog");
    dialog.className = "sc-lightbox";
    dialog.setAttribute("aria-label", "查看大图");
    dialog.innerHTML = '<figure><picture><source type="image/webp" sizes="100vw"><img alt=""></picture>' +
      '<figcaption></figcaption></figure><p class="sc-lightbox__bar">' +
      '<button type="button" data-go="-1">上一张</button><span class="sc-lightbox__count" aria-live="polite"></span>' +
      '<button type="button" data-go="1">下一张</button><a class="sc-lightbox__original" hidden>下载原图</a>' +
      '<button type="button" class="sc-lightbox__close">关闭</button></p>';
    document.body.appendChild(dialog);
    var source = dialog.querySelector("source"), img = dialog.querySelector("img");
    var caption = dialog.querySelector("figcaption"), count = dialog.querySelector(".sc-lightbox__count");
    var original = dialog.querySelector(".sc-lightbox__original");
    var current = 0, opener = null;
    function show(i) {
      current = (i + links.length) % links.length;
      var a = links[current], thumb = a.querySelector("img"), fig = a.closest("figure");
      var cap = fig && fig.querySelector("figcaption");
      img.removeAttribute("src");
      source.srcset = a.dataset.srcset || "";
      img.src = a.href;
      img.alt = thumb ? thumb.alt : "";
      if (thumb) { img.width = thumb.width; img.height = thumb.height; }
      caption.textContent = cap ? cap.textContent : "";
      count.textContent = links.length > 1 ? "第 " + (current + 1) + " 张，共 " + links.length + " 张" : "";
      original.hidden = !a.dataset.original;
      if (a.dataset.original) original.href = a.dataset.original;
    }
    dialog.querySelectorAll("[data-go]").forEach(function (b) {
      b.hidden = links.length < 2;
      b.addEventListener("click", function () { show(current + Number(b.dataset.go)); });
    });
    dialog.querySelector(".sc-lightbox__close").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (ev) { if (ev.target === dialog) dialog.close(); });
    dialog.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowLeft") { show(current - 1); ev.preventDefault(); }
      else if (ev.key === "ArrowRight") { show(current + 1); ev.preventDefault(); }
    });
    dialog.addEventListener("close", function () { if (opener) opener.focus(); });
    links.forEach(function (a, i) {
      a.addEventListener("click", function (ev) {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button) return;
        ev.preventDefault();
        opener = a;
        show(i);
        dialog.showModal();
        dialog.querySelector(".sc-lightbox__close").focus();
      });
    });
  }

  function setup() {
    setupFilters();
    setupLightbox();
    setupCare();
    setupMenu();
    setupPrint();
    markNumbers();
    markPrintLinks();
    markScrollers();
  }
  if (document.readyState !== "loading") { setup(); }
  else { document.addEventListener("DOMContentLoaded", setup); }
})();
