(function () {
  "use strict";
  // Inlined in every page's <head> (settings.CONTENT_SECURITY_POLICY allows it by its hash): the reader's
  // colour scheme is set before the first paint. "theme" is the key Django's admin keeps its own choice under.
  var root = document.documentElement;
  function choice(value) { return value === "light" || value === "dark" ? value : "auto"; }
  try { root.dataset.theme = choice(localStorage.getItem("theme")); } catch (e) { root.dataset.theme = "auto"; }
  document.addEventListener("change", function (event) {
    if (event.target.id !== "theme-choice") { return; }
    root.dataset.theme = choice(event.target.value);
    try { localStorage.setItem("theme", root.dataset.theme); } catch (e) { /* private mode: this page only */ }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.getElementById("theme-choice");
    if (select) { select.value = root.dataset.theme; }
  });
})();
