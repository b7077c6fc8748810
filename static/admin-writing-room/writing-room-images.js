// The writing room's images: a file pasted or dropped into the body asks for its alt text (or "decorative"),
// goes through the site's validated upload (blog.editing.uploads), and is inserted as Markdown at the caret.
// It starts when writing-room.js has made the room (the "writing-room:ready" event), so it loads before it.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // Ask for the alt text in the page's dialog: the text, "" when marked decorative, null when cancelled.
  function askAlt(room) {
    var dialog = byId("writing-room-image");
    var alt = byId("writing-room-alt");
    var decorative = byId("writing-room-decorative");
    var problem = byId("writing-room-alt-error");
    var dialogForm = byId("writing-room-image-form");
    return new Promise(function (resolve) {
      alt.value = "";
      decorative.checked = false;
      problem.hidden = true;
      function check(event) {
        if (event.submitter && event.submitter.value === "insert" && !alt.value.trim() && !decorative.checked) {
          event.preventDefault();
          problem.textContent = room.texts.altRequired;
          problem.hidden = false;
          alt.focus();
        }
      }
      function closed() {
        dialogForm.removeEventListener("submit", check);
        dialog.removeEventListener("close", closed);
        room.body.focus();
        resolve(dialog.returnValue === "insert" ? (decorative.checked ? "" : alt.value.trim()) : null);
      }
      dialog.returnValue = "";
      dialogForm.addEventListener("submit", check);
      dialog.addEventListener("close", closed);
      dialog.showModal();
      alt.focus();
    });
  }

  // Images pasted or dropped into the body go through the validated upload, with the alt text asked first.
  function images(room) {
    if (!byId("writing-room-image")) { return; }
    function upload(file, alt, at) {
      var data = new FormData();
      data.append("image", file);
      room.say(room.texts.uploading);
      return room.send(room.config.uploadUrl, data).then(function (reply) {
        var url = reply.answer.image_code && reply.answer.image_code.match(/\]\((.*)\)$/);
        if (!url) { throw new Error(reply.answer.error || String(reply.status)); }
        room.warn("");
        room.say("");
        room.insert("![" + alt.replace(/([\[\]\\])/g, "\\$1") + "](" + url[1] + ")", undefined, undefined, at);
      }).catch(function (error) {
        var message = room.texts.uploadFailed.replace("{error}", error.message);
        room.say(message);
        room.warn(message);
      });
    }
    function take(event, files) {
      if (!files || !files.length) { return; }
      event.preventDefault();
      event.stopPropagation(); // markdownx would upload too, without asking for the alt text
      var at = room.body.selectionEnd; // where the writer pasted: the dialog takes the focus meanwhile
      Array.prototype.reduce.call(files, function (previous, file) {
        return previous.then(function () { return askAlt(room); }).then(function (alt) {
          return alt === null ? null : upload(file, alt, at).then(function () { at = room.body.selectionEnd; });
        });
      }, Promise.resolve());
    }
    room.container.addEventListener("paste", function (event) {
      take(event, event.clipboardData && event.clipboardData.files);
    }, true);
    room.container.addEventListener("drop", function (event) {
      take(event, event.dataTransfer && event.dataTransfer.files);
    }, true);
  }

  document.addEventListener("writing-room:ready", function (event) { images(event.detail); });
})();
