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
