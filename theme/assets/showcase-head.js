/* Runs in <head> before the first paint (theme/main.html loads it without defer): JavaScript
   is on (the filters get their room: no layout shift; Material's "no-js" look is dropped),
   and the elder mode is on if the reader chose it on an earlier page or the address says
   ?care=1 (?care=0 turns it off). A file, not an inline script: the server's
   Content-Security-Policy allows no inline script (showcase server-config). */
(function (d) {
  d.classList.remove("no-js");
  d.classList.add("sc-js");
  var q = /[?&]care=([01])/.exec(location.search), on = q && q[1] === "1";
  try {
    if (q) localStorage.setItem("sc-care", q[1]);
    else on = localStorage.getItem("sc-care") === "1";
  } catch (e) { /* storage off (private mode, some file:// settings) */ }
  if (on) {
    d.classList.add("sc-care");
    var l = document.getElementById("sc-care-css");
    l.removeAttribute("title");
    l.rel = "stylesheet";
    l.disabled = false;
  }
})(document.documentElement);
