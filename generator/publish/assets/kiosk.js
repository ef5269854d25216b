/* The exhibition-screen package (showcase package --kiosk): after data-idle seconds without a
   touch, a key or a scroll, the screen returns to the home page (already there: back to the
   top, search and dialogs closed) for the next visitor. A touch-screen browser has no back
   button and no tabs, so a PDF opens in a dialog with a large close button instead of
   replacing the page. */
(function () {
  "use strict";
  var me = document.currentScript;
  var home = new URL(me.getAttribute("data-home") || "index.html", location.href).href;
  var idle = (Number(me.getAttribute("data-idle")) || 120) * 1000;
  var timer = null, viewer = null;
  document.documentElement.classList.add("sc-kiosk");

  function bare(url) { return url.split(/[?#]/)[0]; }
  function goHome() {
    if (bare(location.href) !== bare(home)) { location.href = home; return; }
    document.querySelectorAll("dialog[open]").forEach(function (d) { d.close(); });
    var search = document.getElementById("__search");
    if (search) search.checked = false;
    document.querySelectorAll(".md-search__input").forEach(function (i) { i.value = ""; });
    window.scrollTo(0, 0);
    restart();
  }
  function restart() {
    clearTimeout(timer);
    timer = setTimeout(goHome, idle);
  }
  ["pointerdown", "keydown", "wheel", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, restart, { capture: true, passive: true });
  });
  window.addEventListener("scroll", restart, { passive: true });
  restart();

  function pdfViewer() {
    if (viewer) return viewer;
    viewer = document.createElement("dialog");
    viewer.className = "sc-kiosk-pdf";
    viewer.innerHTML = '<p class="sc-kiosk-pdf__bar"><span class="sc-kiosk-pdf__title"></span>' +
      '<button type="button" class="sc-kiosk-pdf__close">关闭</button></p><iframe title="PDF 文件"></iframe>';
    viewer.querySelector("button").addEventListener("click", function () { viewer.close(); });
    viewer.addEventListener("close", function () { viewer.querySelector("iframe").removeAttribute("src"); });
    document.body.appendChild(viewer);
    return viewer;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[href]") : null;
    if (!a || !/\.pdf(?:[?#]|$)/i.test(a.getAttribute("href"))) return;
    ev.preventDefault();
    var dialog = pdfViewer();
    dialog.querySelector(".sc-kiosk-pdf__title").textContent = a.textContent.trim();
    dialog.querySelector("iframe").src = a.href;
    dialog.setAttribute("aria-label", a.textContent.trim() || "PDF 文件");
    dialog.showModal();
    dialog.querySelector("button").focus();
  });
})();
