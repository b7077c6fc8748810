// The Cite box's copy buttons. They stay hidden where the clipboard cannot be written (and without JavaScript),
// where the references are still text to select and copy. A static file: the site's CSP forbids inline scripts.
(function () {
  "use strict";

  if (!navigator.clipboard) {
    return;
  }
  var status = document.querySelector(".cite-status");
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var reference = document.getElementById(button.dataset.copy);
    if (!reference) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(reference.textContent.replace(/\s+/g, " ").trim()).then(function () {
        if (status) {
          status.textContent = button.dataset.copied;
        }
      });
    });
  });
})();
