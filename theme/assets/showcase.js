/* Instant facet filtering on the directory and library pages. Without JavaScript the
   facet links (pre-built pages per value) do the same job. */
(function () {
  function setup() {
    document.querySelectorAll("form[data-sc-filter]").forEach(function (form) {
      var list = document.getElementById(form.getAttribute("data-sc-filter"));
      if (!list || form.dataset.scReady) return;
      form.dataset.scReady = "1";
      form.hidden = false;
      document.documentElement.classList.add("sc-js");
      var items = list.querySelectorAll("[data-sc-item]");
      var out = form.querySelector("output");
      var empty = list.parentNode.querySelector(".sc-empty");
      function apply() {
        var wanted = {};
        form.querySelectorAll("select").forEach(function (s) { if (s.value) wanted[s.name] = s.value; });
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
      }
      form.addEventListener("change", apply);
      apply();
    });
  }
  if (typeof document$ !== "undefined") { document$.subscribe(setup); }
  else { document.addEventListener("DOMContentLoaded", setup); }
})();
