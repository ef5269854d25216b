/* Showcase page behaviour. Everything here is an enhancement: without JavaScript the facet
   links (pre-built pages per value) filter the lists, tables read fine and print works.
   Material may swap pages without a reload, so setup runs on every document$ emission. */
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
        form.hidden = false;
        form.addEventListener("change", function (ev) {
          var opt = ev.target.selectedOptions && ev.target.selectedOptions[0];
          if (opt && opt.getAttribute("data-url")) window.location.href = opt.getAttribute("data-url");
        });
        return;
      }
      var list = document.getElementById(form.getAttribute("data-sc-filter"));
      if (!list || form.dataset.scReady) return;
      form.dataset.scReady = "1";
      form.hidden = false;
      document.documentElement.classList.add("sc-js");
      form.addEventListener("submit", function (ev) { ev.preventDefault(); });
      var items = list.querySelectorAll("[data-sc-item]");
      var selects = form.querySelectorAll("select");
      var out = form.querySelector("output");
      var empty = list.parentNode.querySelector(".sc-empty");

      var actions = document.createElement("div");
      actions.className = "sc-filter__actions";
      var reset = document.createElement("button");
      reset.type = "button";
      reset.className = "sc-filter__reset";
      reset.textContent = "重置";
      if (out) actions.appendChild(out);
      actions.appendChild(reset);
      form.appendChild(actions);

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

  /* For print: every link in the content shows its full public address. The site's own
     address comes from the canonical link (site_url), so a printout made from a local
     preview still shows the published URL. */
  function markPrintLinks() {
    var canonical = document.querySelector('link[rel="canonical"]');
    var base = canonical ? canonical.href : window.location.href;
    document.querySelectorAll(".md-content a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!href || href.charAt(0) === "#" || a.classList.contains("headerlink") ||
          a.classList.contains("md-content__button") || /^(javascript|mailto|tel):/i.test(href)) return;
      try {
        a.setAttribute("data-sc-href", new URL(href, base).href);
      } catch (e) { /* leave unusual links alone */ }
    });
  }

  function setup() {
    setupFilters();
    markNumbers();
    markPrintLinks();
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); }
  else if (document.readyState !== "loading") { setup(); }
  else { document.addEventListener("DOMContentLoaded", setup); }
})();
