// The writing room on the post change form: autosave, the unload warning, text this browser kept, live counts,
// the preview following the editor, images pasted or dropped with their alt text, and keyboard shortcuts.
// A static file because the site's Content-Security-Policy allows no inline script; its settings and words come
// from the JSON block #writing-room-config (blog.editing.admin.writing_room). Without it the form saves as before.
(function () {
  "use strict";

  var QUIET_MS = 2000; // autosave this long after the last keystroke...
  var MAX_WAIT_MS = 8000; // ...and at least this often while the writer keeps typing
  var KEEP_MS = 500; // how soon this browser keeps a copy of the text
  var CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/g; // as blog.rendering
  var WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;
  var CJK_PER_MINUTE = 400;
  var WORDS_PER_MINUTE = 230;
  var COUNTED_BY_CHARACTER = ["ja", "zh-hans"];
  var SKIPPED = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, MATH: 1, SVG: 1, IFRAME: 1, NOSCRIPT: 1 };

  function start() {
    var configNode = document.getElementById("writing-room-config");
    var form = document.getElementById("post_form");
    var body = document.getElementById("id_body");
    if (!configNode || !form || !body) { return; }
    var config = JSON.parse(configNode.textContent);
    var texts = config.texts;
    var fields = {
      title: document.getElementById("id_title"),
      summary: document.getElementById("id_summary"),
      body: body
    };
    var language = document.getElementById("id_language");
    var slug = document.getElementById("id_slug");
    var loadedVersion = form.querySelector("[name=loaded_version]");
    var resumed = form.querySelector("[name=resume_draft]");
    var status = document.getElementById("writing-room-status");
    var errorNote = document.getElementById("writing-room-error");
    var preview = body.closest(".markdownx") && body.closest(".markdownx").querySelector(".markdownx-preview");
    var state = {
      post: config.post,
      draftVersion: config.draftVersion,
      saved: snapshot(),
      saving: false,
      stopped: false, // after a conflict: nothing more is sent until the writer saves or reloads
      otherChanges: false,
      leaving: false,
      quietTimer: null,
      firstUnsaved: null,
      keepTimer: null
    };

    function value(field) { return field ? field.value : ""; }
    function snapshot() {
      return JSON.stringify({ title: value(fields.title), summary: value(fields.summary), body: value(fields.body) });
    }
    function textChanged() { return snapshot() !== state.saved; }
    function now() { return new Date().toLocaleTimeString(document.documentElement.lang || undefined); }
    function say(text) { if (status) { status.textContent = text; } }
    function warn(text) {
      if (!errorNote) { return; }
      errorNote.textContent = text;
      errorNote.hidden = !text;
    }
    function csrfToken() { return form.querySelector("[name=csrfmiddlewaretoken]").value; }
    function storeKey() { return "bunko-writing-room:" + (state.post || "new"); }

    // Text this browser keeps until the server has it: a crash or a closed tab loses nothing typed.
    function keepInBrowser() {
      try { localStorage.setItem(storeKey(), JSON.stringify({ text: snapshot(), at: Date.now() })); } catch (e) { /* full or off */ }
    }
    function forgetInBrowser(text) {
      try {
        var kept = JSON.parse(localStorage.getItem(storeKey()) || "null");
        if (kept && (text === undefined || kept.text === text)) { localStorage.removeItem(storeKey()); }
      } catch (e) { /* unreadable: nothing to forget */ }
    }
    function offerKeptText() {
      var offer = document.getElementById("writing-room-restore");
      var kept;
      try { kept = JSON.parse(localStorage.getItem(storeKey()) || "null"); } catch (e) { kept = null; }
      if (!offer || !kept || kept.text === snapshot()) { forgetInBrowser(); return; }
      document.getElementById("writing-room-restore-text").textContent =
        texts.restoreOffer.replace("{time}", new Date(kept.at).toLocaleString(document.documentElement.lang || undefined));
      offer.hidden = false;
      document.getElementById("writing-room-restore-yes").addEventListener("click", function () {
        var text = JSON.parse(kept.text);
        Object.keys(fields).forEach(function (name) {
          if (fields[name]) { fields[name].value = text[name]; }
        });
        body.dispatchEvent(new Event("input", { bubbles: true }));
        offer.hidden = true;
        body.focus();
      });
      document.getElementById("writing-room-restore-no").addEventListener("click", function () {
        forgetInBrowser();
        offer.hidden = true;
      });
    }

    // Autosave.
    function schedule() {
      clearTimeout(state.quietTimer);
      if (state.firstUnsaved === null) { state.firstUnsaved = Date.now(); }
      var wait = Math.max(0, Math.min(QUIET_MS, state.firstUnsaved + MAX_WAIT_MS - Date.now()));
      state.quietTimer = setTimeout(autosave, wait);
    }
    function autosave() {
      if (state.stopped || !textChanged() || !value(fields.title).trim()) { return; }
      if (state.saving) { schedule(); return; }
      var sent = snapshot();
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken());
      data.append("post", state.post || "");
      Object.keys(fields).forEach(function (name) { data.append(name, value(fields[name])); });
      data.append("language", value(language));
      data.append("slug", value(slug));
      data.append("loaded_version", value(loadedVersion));
      data.append("draft_version", state.draftVersion || "");
      state.saving = true;
      state.firstUnsaved = null;
      say(texts.saving);
      fetch(config.autosaveUrl, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.json().catch(function () { return { error: response.statusText }; }).then(function (answer) {
          state.saving = false;
          if (response.ok) { saved(answer, sent); } else { refused(response.status, answer); }
        });
      }, function () {
        state.saving = false;
        say(texts.offline);
        schedule();
      });
    }
    function saved(answer, sent) {
      state.saved = sent;
      warn("");
      forgetInBrowser(sent);
      if (answer.saved === "created") {
        // The page becomes the new draft's change page, with its inlines bound to it, the caret where it was.
        say(texts.created);
        try {
          sessionStorage.setItem("bunko-writing-room-caret", JSON.stringify({ post: answer.post, at: body.selectionStart }));
        } catch (e) { /* the caret is a nicety */ }
        forgetInBrowser();
        state.leaving = true;
        window.location.replace(config.changeUrl.replace("{post}", answer.post));
        return;
      }
      if (answer.saved === "draft") {
        loadedVersion.value = answer.loaded_version;
        say(texts.savedDraft.replace("{time}", now()));
      } else {
        state.draftVersion = answer.draft_version;
        if (resumed) { resumed.value = answer.draft_version; }
        say(texts.savedPending.replace("{time}", now()));
      }
      if (textChanged()) { schedule(); }
    }
    function refused(code, answer) {
      var message = texts.failed.replace("{error}", answer.error || String(code));
      say(message);
      if (code === 409 || code === 403) { state.stopped = true; warn(message); }
      if (code === 429) { state.quietTimer = setTimeout(autosave, 60000); }
    }

    function edited(event) {
      if (event.target === fields.title || event.target === fields.summary || event.target === fields.body) {
        clearTimeout(state.keepTimer);
        state.keepTimer = setTimeout(keepInBrowser, KEEP_MS);
        if (textChanged()) { say(texts.unsaved); schedule(); }
      } else if (event.target.name && event.target.name !== "resume_draft") {
        state.otherChanges = true;
      }
    }
    // Django suggests the slug on keyup, which text from an input method or a paste may not send (CJK titles).
    if (fields.title) {
      fields.title.addEventListener("input", function () { fields.title.dispatchEvent(new KeyboardEvent("keyup")); });
    }
    // select2 (tags) draws search boxes with no label, whenever it likes; name each after the field it searches.
    function labelSearchBoxes() {
      Array.prototype.forEach.call(form.querySelectorAll(".select2-search__field:not([aria-label])"), function (search) {
        var row = search.closest(".form-row");
        var label = row && row.querySelector("label");
        if (label) { search.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "")); }
      });
    }
    new MutationObserver(labelSearchBoxes).observe(form, { childList: true, subtree: true });
    labelSearchBoxes();
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", function () { state.leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (state.leaving || !(textChanged() || state.otherChanges || state.saving)) { return; }
      event.preventDefault();
      event.returnValue = "";
    });

    // Live counts, from the preview the site's renderer drew: what readers will get.
    function readerText(node, parts) {
      Array.prototype.forEach.call(node.childNodes, function (child) {
        if (child.nodeType === Node.TEXT_NODE) { parts.push(child.data); }
        else if (child.nodeType === Node.ELEMENT_NODE && !SKIPPED[child.nodeName.toUpperCase()]) {
          parts.push(" ");
          readerText(child, parts);
          parts.push(" ");
        }
      });
      return parts;
    }
    function plural(one, other, count, key) {
      return (count === 1 ? one : other).replace("%(" + key + ")s", count.toLocaleString());
    }
    function count() {
      var target = document.getElementById("writing-room-counts");
      if (!target || !preview) { return; }
      var text = readerText(preview, []).join("");
      var characters = (text.match(CJK) || []).length;
      var words = (text.replace(CJK, " ").match(WORD) || []).length;
      var minutes = characters || words ? Math.ceil(characters / CJK_PER_MINUTE + words / WORDS_PER_MINUTE) : 0;
      var parts = [];
      if (COUNTED_BY_CHARACTER.indexOf(value(language)) >= 0) {
        var letters = text.replace(/\s+/g, "").length;
        parts.push(plural(texts.charactersOne, texts.charactersOther, letters, "count"));
      } else {
        parts.push(plural(texts.wordsOne, texts.wordsOther, words, "count"));
      }
      if (minutes) { parts.push(plural(texts.readingOne, texts.readingOther, minutes, "minutes")); }
      target.textContent = parts.join(" · ");
    }
    if (preview) {
      new MutationObserver(count).observe(preview, { childList: true, subtree: true, characterData: true });
      // The preview follows the editor: the same share of each scrolled.
      body.addEventListener("scroll", function () {
        var range = body.scrollHeight - body.clientHeight;
        var share = range > 0 ? body.scrollTop / range : 0;
        preview.scrollTop = share * (preview.scrollHeight - preview.clientHeight);
      });
    }
    if (language) { language.addEventListener("change", count); }

    // Editing the body: shortcuts and images. insertText keeps the browser's undo history.
    function insert(text, selectFrom, selectTo, at) {
      body.focus();
      if (at !== undefined) { body.setSelectionRange(at, at); }
      var start = body.selectionStart;
      if (!document.execCommand("insertText", false, text)) {
        body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
        body.dispatchEvent(new Event("input", { bubbles: true }));
      }
      if (selectFrom !== undefined) { body.setSelectionRange(start + selectFrom, start + selectTo); }
    }
    function wrap(before, after, placeholder) {
      var selected = body.value.slice(body.selectionStart, body.selectionEnd) || placeholder;
      insert(before + selected + after, before.length, before.length + selected.length);
    }
    body.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var key = event.key.toLowerCase();
      if (key === "b") { wrap("**", "**", "bold"); }
      else if (key === "i") { wrap("*", "*", "italic"); }
      else if (key === "k") {
        var selected = body.value.slice(body.selectionStart, body.selectionEnd) || "link";
        insert("[" + selected + "](https://)", selected.length + 3, selected.length + 11);
      } else { return; }
      event.preventDefault();
    }, true);
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        var stay = form.querySelector("[name=_continue]");
        if (stay) { stay.click(); }
      }
    });

    var dialog = document.getElementById("writing-room-image");
    function askAlt() {
      return new Promise(function (resolve) {
        var alt = document.getElementById("writing-room-alt");
        var decorative = document.getElementById("writing-room-decorative");
        var problem = document.getElementById("writing-room-alt-error");
        var dialogForm = document.getElementById("writing-room-image-form");
        alt.value = "";
        decorative.checked = false;
        problem.hidden = true;
        function check(event) {
          var insertClicked = event.submitter && event.submitter.value === "insert";
          if (insertClicked && !alt.value.trim() && !decorative.checked) {
            event.preventDefault();
            problem.textContent = texts.altRequired;
            problem.hidden = false;
            alt.focus();
          }
        }
        function closed() {
          dialogForm.removeEventListener("submit", check);
          dialog.removeEventListener("close", closed);
          body.focus();
          resolve(dialog.returnValue === "insert" ? (decorative.checked ? "" : alt.value.trim()) : null);
        }
        dialog.returnValue = "";
        dialogForm.addEventListener("submit", check);
        dialog.addEventListener("close", closed);
        dialog.showModal();
        alt.focus();
      });
    }
    function upload(file, alt, at) {
      var data = new FormData();
      data.append("image", file);
      say(texts.uploading);
      return fetch(config.uploadUrl, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.json().catch(function () { return { error: response.statusText }; });
      }).then(function (answer) {
        var url = answer.image_code && answer.image_code.match(/\]\((.*)\)$/);
        if (!url) { throw new Error(answer.error || "?"); }
        warn("");
        say("");
        insert("![" + alt.replace(/([\[\]\\])/g, "\\$1") + "](" + url[1] + ")", undefined, undefined, at);
      }).catch(function (error) {
        var message = texts.uploadFailed.replace("{error}", error.message);
        say(message);
        warn(message);
      });
    }
    function takeFiles(event, files) {
      if (!files || !files.length || !dialog) { return; }
      event.preventDefault();
      event.stopPropagation(); // markdownx would upload too, without asking for the alt text
      var at = body.selectionEnd; // where the writer pasted: the dialog takes the focus meanwhile
      Array.prototype.reduce.call(files, function (previous, file) {
        return previous.then(askAlt).then(function (alt) {
          return alt === null ? null : upload(file, alt, at).then(function () { at = body.selectionEnd; });
        });
      }, Promise.resolve());
    }
    var container = body.closest(".markdownx") || body;
    container.addEventListener("paste", function (event) {
      takeFiles(event, event.clipboardData && event.clipboardData.files);
    }, true);
    container.addEventListener("drop", function (event) {
      takeFiles(event, event.dataTransfer && event.dataTransfer.files);
    }, true);

    // After a new draft's first autosave the page reopened as its change page: put the caret back.
    try {
      var caret = JSON.parse(sessionStorage.getItem("bunko-writing-room-caret") || "null");
      if (caret && caret.post === state.post) {
        sessionStorage.removeItem("bunko-writing-room-caret");
        body.focus();
        body.setSelectionRange(caret.at, caret.at);
      }
    } catch (e) { /* the caret is a nicety */ }
    offerKeptText();
    count();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
