// The writing room's images: a file picked (the toolbar's Image), pasted or dropped into the body is checked for
// size and type here first, asks for its alt text (or "decorative") and an optional caption, goes through the
// site's validated upload (blog.editing.uploads), and is inserted at the caret as a block of its own, the caption
// as the Markdown title (the renderer's figcaption).
// It starts when writing-room.js has made the room (the "writing-room:ready" event), so it loads before it.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // Ask for the alt text and caption in the page's dialog: {alt, caption}, alt "" when marked decorative;
  // null when cancelled.
  function askAlt(room) {
    var dialog = byId("writing-room-image");
    var alt = byId("writing-room-alt");
    var caption = byId("writing-room-caption");
    var decorative = byId("writing-room-decorative");
    var problem = byId("writing-room-alt-error");
    var dialogForm = byId("writing-room-image-form");
    return new Promise(function (resolve) {
      alt.value = "";
      caption.value = "";
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
        if (dialog.returnValue !== "insert") { resolve(null); return; }
        resolve({ alt: decorative.checked ? "" : alt.value.trim(), caption: caption.value.trim() });
      }
      dialog.returnValue = "";
      dialogForm.addEventListener("submit", check);
      dialog.addEventListener("close", closed);
      dialog.showModal();
      alt.focus();
    });
  }

  function escaped(text, marks) { return text.replace(marks, "\\$&"); }

  // What is wrong with `file` for the upload, before a byte is sent: its type or its size; "" when nothing.
  function problemWith(room, file) {
    if (room.config.uploadTypes.indexOf(file.type) === -1) { return room.texts.notAnImage; }
    if (file.size > room.config.uploadMaxBytes) {
      return room.texts.tooLarge.replace("%(size)s", (file.size / 1048576).toFixed(1) + " MB");
    }
    return "";
  }

  // Images picked, pasted or dropped go through the validated upload, with the alt text and caption asked first.
  function images(room) {
    if (!byId("writing-room-image")) { return; }
    function upload(file, described, at) {
      var data = new FormData();
      data.append("image", file);
      room.say(room.texts.uploading);
      return room.send(room.config.uploadUrl, data).then(function (reply) {
        var url = reply.answer.image_code && reply.answer.image_code.match(/\]\((.*)\)$/);
        if (!url) { throw new Error(reply.answer.error || String(reply.status)); }
        room.warn("");
        room.say("");
        var title = described.caption ? ' "' + escaped(described.caption, /["\\]/g) + '"' : "";
        room.body.setSelectionRange(at, at);
        room.insertBlock("![" + escaped(described.alt, /[\[\]\\]/g) + "](" + url[1] + title + ")");
      }).catch(function (error) {
        var message = room.texts.uploadFailed.replace("{error}", error.message);
        room.say(message);
        room.warn(message);
      });
    }
    function take(files, at) {
      var problems = [];
      var fit = Array.prototype.filter.call(files, function (file) {
        var problem = problemWith(room, file);
        if (problem) { problems.push(room.texts.uploadFailed.replace("{error}", problem)); }
        return !problem;
      });
      room.warn(problems.join(" "));
      fit.reduce(function (previous, file) {
        return previous.then(function () { return askAlt(room); }).then(function (described) {
          return described === null ? null : upload(file, described, at).then(function () { at = room.body.selectionEnd; });
        });
      }, Promise.resolve());
    }
    function dropped(event, files) {
      if (!files || !files.length) { return; }
      event.preventDefault();
      event.stopPropagation(); // markdownx would upload too, without asking for the alt text
      take(files, room.body.selectionEnd); // where the writer pasted: the dialog takes the focus meanwhile
    }
    room.container.addEventListener("paste", function (event) {
      dropped(event, event.clipboardData && event.clipboardData.files);
    }, true);
    room.container.addEventListener("drop", function (event) {
      dropped(event, event.dataTransfer && event.dataTransfer.files);
    }, true);
    var picker = byId("writing-room-file");
    if (picker) {
      picker.accept = room.config.uploadTypes.join(",");
      var pickedAt = 0;
      room.pickImage = function () { pickedAt = room.body.selectionEnd; picker.value = ""; picker.click(); };
      picker.addEventListener("change", function () { if (picker.files.length) { take(picker.files, pickedAt); } });
    }
  }

  document.addEventListener("writing-room:ready", function (event) { images(event.detail); });
})();
