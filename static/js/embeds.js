// Swap a video facade for its player when the reader asks for it. Until then the page makes no
// request to YouTube or Vimeo; without JavaScript the facade stays a plain link to the video.
(function () {
  "use strict";

  // The same players the server-side sanitiser allows; anything else stays a link.
  var PLAYER = new RegExp(
    "^https://(www\\.youtube-nocookie\\.com/embed/|www\\.youtube\\.com/embed/|player\\.vimeo\\.com/video/)" +
      "[\\w-]+(\\?[\\w=&%.-]*)?$"
  );

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.embed-video[data-embed-src]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return; // new-tab and other modified clicks open the video page as usual
    }
    var src = link.getAttribute("data-embed-src");
    if (!PLAYER.test(src)) {
      return;
    }
    event.preventDefault();
    var player = document.createElement("iframe");
    player.src = src;
    player.title = (link.querySelector(".embed-title") || link).textContent.replace(/\s+/g, " ").trim();
    player.width = "560";
    player.height = "315";
    player.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    player.allowFullscreen = true;
    player.referrerPolicy = "strict-origin-when-cross-origin";
    link.replaceWith(player);
    player.focus();
  });
})();

// The reading option of Japanese essays: vertical writing (tategaki), off by default and remembered in this
// browser. The button stays invisible (holding its place) without script, and the essay reads horizontally.
(function () {
  "use strict";

  var KEY = "bunko-vertical-writing";
  var toggle = document.querySelector("[data-vertical-writing]");
  var body = document.querySelector(".post-body");
  if (!toggle || !body) { return; }

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "on"; } catch (error) { return false; }
  }
  function show(vertical) {
    body.classList.toggle("vertical-writing", vertical);
    toggle.setAttribute("aria-pressed", String(vertical));
  }
  toggle.classList.add("is-ready");
  show(remembered());
  toggle.addEventListener("click", function () {
    var vertical = toggle.getAttribute("aria-pressed") !== "true";
    show(vertical);
    try { window.localStorage.setItem(KEY, vertical ? "on" : "off"); } catch (error) { /* private mode: not kept */ }
  });
})();
