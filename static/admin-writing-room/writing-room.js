// The writing room on the post change form: autosave, the unload warning, text this browser kept, live counts,
// the preview following the editor and keyboard shortcuts (images: writing-room-images.js).
// A static file because the site's Content-Security-Policy allows no inline script; its settings and words come
// from the data-config attribute of #writing-room-config (blog.editing.admin.writing_room). Without this script
// the form saves as before.
(function () {
  "use strict";

  var QUIET_MS = 2000; // autosave this long after the last keystroke...
  var MAX_WAIT_MS = 8000; // ...and at least this often while the writer keeps typing
  var KEEP_MS = 500; // how soon this browser keeps a copy of the text
  var RATE_LIMITED_RETRY_MS = 60000;
  // Ruby readings (RT, and the RP parentheses around them) annotate text the count already has: the base only.
  var SKIPPED = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, MATH: 1, SVG: 1, IFRAME: 1, NOSCRIPT: 1, RT: 1, RP: 1 };
  var CARRY_KEY = "bunko-writing-room-carry";
  // Fields the change page fills itself: the carried-over values never overwrite them.
  var NOT_CARRIED = /^(csrfmiddlewaretoken|loaded_stamp|draft_stamp|resume_draft|title|summary|body|slug|language)$|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

  function byId(id) { return document.getElementById(id); }
  function value(field) { return field ? field.value : ""; }
  function locale() { return document.documentElement.lang || undefined; }

  // What every part shares: the form, its autosaved fields, the status line and the error note.
  function makeRoom() {
    var configNode = byId("writing-room-config");
    var form = byId("post_form");
    var body = byId("id_body");
    if (!configNode || !form || !body) { return null; }
    var config = JSON.parse(configNode.getAttribute("data-config"));
    var container = body.closest(".markdownx");
    var room = {
      config: config,
      texts: config.texts,
      form: form,
      body: body,
      fields: { title: byId("id_title"), summary: byId("id_summary"), body: body },
      language: byId("id_language"),
      preview: container && container.querySelector(".markdownx-preview"),
      container: container || body,
      post: config.post
    };
    room.snapshot = function () {
      return JSON.stringify({
        title: value(room.fields.title), summary: value(room.fields.summary), body: value(room.fields.body)
      });
    };
    // Put back text kept as a snapshot, redrawing the preview from it.
    room.restore = function (snapshot) {
      var text = JSON.parse(snapshot);
      Object.keys(room.fields).forEach(function (name) {
        if (room.fields[name]) { room.fields[name].value = text[name]; }
      });
      room.body.dispatchEvent(new Event("input", { bubbles: true }));
    };
    room.say = function (text) { var status = byId("writing-room-status"); if (status) { status.textContent = text; } };
    room.warn = function (text) {
      var note = byId("writing-room-error");
      if (note) { note.textContent = text; note.hidden = !text; }
    };
    room.csrfToken = function () { return form.querySelector("[name=csrfmiddlewaretoken]").value; };
    room.send = function (url, data) {
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": room.csrfToken() }
      }).then(function (response) {
        return response.json().catch(function () { return { error: response.statusText }; }).then(function (answer) {
          return { ok: response.ok, status: response.status, answer: answer };
        });
      });
    };
    return room;
  }

  // Text this browser keeps until the server has it: a crash or a closed tab loses nothing typed.
  function browserCopy(room) {
    function key() { return "bunko-writing-room:" + (room.post || "new"); }
    function read() {
      try { return JSON.parse(localStorage.getItem(key()) || "null"); } catch (e) { return null; }
    }
    var copy = {
      keep: function () {
        try { localStorage.setItem(key(), JSON.stringify({ text: room.snapshot(), at: Date.now() })); } catch (e) { /* full or off */ }
      },
      forget: function (text) {
        var kept = read();
        if (kept && (text === undefined || kept.text === text)) { localStorage.removeItem(key()); }
      },
      offer: function () {
        var offer = byId("writing-room-restore");
        var kept = read();
        if (!offer || !kept || kept.text === room.snapshot()) { copy.forget(); return; }
        byId("writing-room-restore-text").textContent =
          room.texts.restoreOffer.replace("{time}", new Date(kept.at).toLocaleString(locale()));
        offer.hidden = false;
        byId("writing-room-restore-yes").addEventListener("click", function () {
          room.restore(kept.text);
          offer.hidden = true;
          room.body.focus();
        });
        byId("writing-room-restore-no").addEventListener("click", function () {
          copy.forget();
          offer.hidden = true;
        });
      }
    };
    return copy;
  }

  // Autosave a moment after the writer stops typing, and warn before leaving with anything unsaved.
  function autosaving(room, copy) {
    var form = room.form;
    var loadedStamp = form.querySelector("[name=loaded_stamp]");
    var resumed = form.querySelector("[name=resume_draft]");
    var state = {
      draftStamp: room.config.draftStamp,
      saved: room.snapshot(),
      saving: null, // the autosave on its way, a promise
      stopped: false, // after a conflict or a Save: nothing more is sent from this page
      otherChanges: false,
      leaving: false,
      quietTimer: null,
      keepTimer: null,
      firstUnsaved: null
    };
    function textChanged() { return room.snapshot() !== state.saved; }
    // The minor-change tick travels with a pending draft's text, so ticking it alone is saved too.
    function minorTicked() { var box = form.querySelector("[name=minor_change]"); return Boolean(box && box.checked); }
    state.savedMinor = minorTicked();
    function minorChanged() { return minorTicked() !== state.savedMinor; }
    function now() { return new Date().toLocaleTimeString(locale()); }

    function schedule() {
      clearTimeout(state.quietTimer);
      if (state.firstUnsaved === null) { state.firstUnsaved = Date.now(); }
      var wait = Math.max(0, Math.min(QUIET_MS, state.firstUnsaved + MAX_WAIT_MS - Date.now()));
      state.quietTimer = setTimeout(autosave, wait);
    }
    function autosave() {
      if (state.stopped || !(textChanged() || minorChanged()) || !value(room.fields.title).trim()) { return; }
      if (state.saving) { schedule(); return; }
      var sent = room.snapshot();
      var sentMinor = minorTicked();
      var data = new FormData();
      data.append("post", room.post || "");
      Object.keys(room.fields).forEach(function (name) { data.append(name, value(room.fields[name])); });
      data.append("language", value(room.language));
      data.append("slug", value(byId("id_slug")));
      data.append("loaded_stamp", value(loadedStamp));
      data.append("draft_stamp", state.draftStamp || "");
      if (sentMinor) { data.append("minor_change", "on"); }
      state.firstUnsaved = null;
      room.say(room.texts.saving);
      state.saving = room.send(room.config.autosaveUrl, data).then(function (reply) {
        state.saving = null;
        if (reply.ok) { state.savedMinor = sentMinor; saved(reply.answer, sent); } else { refused(reply.status, reply.answer); }
      }, function () {
        state.saving = null;
        room.say(room.texts.offline);
        if (!state.stopped) { schedule(); }
      });
    }
    // A Save while an autosave is on its way waits for it, so the Save carries the stamp it produced
    // (otherwise the Save would be refused as made from an older copy, of the writer's own text).
    function submitting(event) {
      clearTimeout(state.quietTimer);
      state.stopped = true;
      if (!state.saving) { state.leaving = true; return; }
      event.preventDefault();
      var submitter = event.submitter;
      state.saving.then(function () {
        if (!state.leaving) { form.requestSubmit(submitter); }
      });
    }
    function saved(answer, sent) {
      state.saved = sent;
      room.warn("");
      copy.forget(sent);
      if (answer.saved === "created") {
        // The page becomes the new draft's change page, its inlines bound to the post, the caret where it was.
        room.say(room.texts.created);
        try {
          sessionStorage.setItem(CARRY_KEY, JSON.stringify(
            { post: answer.post, at: room.body.selectionStart, text: room.snapshot(), fields: changedFields(form) }
          ));
        } catch (e) { /* storage off: the page reopens as the server has it */ }
        copy.forget();
        state.leaving = true;
        window.location.replace(room.config.changeUrl.replace("{post}", answer.post));
        return;
      }
      if (answer.saved === "draft") {
        loadedStamp.value = answer.loaded_stamp;
        room.say(room.texts.savedDraft.replace("{time}", now()));
      } else {
        state.draftStamp = answer.draft_stamp;
        if (resumed) { resumed.value = answer.draft_stamp; }
        // This writer has the saved draft before their eyes: Publish and Discard act on it, not on an older one.
        Array.prototype.forEach.call(document.querySelectorAll(".writing-room-pending-action [name=draft_stamp]"),
          function (field) { field.value = answer.draft_stamp; });
        room.say(room.texts.savedPending.replace("{time}", now()));
      }
      if (textChanged() || minorChanged()) { schedule(); }
    }
    function refused(code, answer) {
      var message = room.texts.failed.replace("{error}", answer.error || String(code));
      room.say(message);
      if (code === 409 || code === 403) { state.stopped = true; room.warn(message); }
      if (code === 429) { state.quietTimer = setTimeout(autosave, RATE_LIMITED_RETRY_MS); }
    }
    function edited(event) {
      var target = event.target;
      if (target === room.fields.title || target === room.fields.summary || target === room.body) {
        clearTimeout(state.keepTimer);
        state.keepTimer = setTimeout(copy.keep, KEEP_MS);
        if (textChanged()) { room.say(room.texts.unsaved); schedule(); }
      } else if (target.name === "minor_change") {
        var publishedMinor = byId("pending-minor-change");
        if (publishedMinor) { publishedMinor.checked = target.checked; }
        if (minorChanged()) { schedule(); }
      } else if (target.name && target.name !== "resume_draft") {
        state.otherChanges = true;
      }
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", submitting);
    // Publishing or discarding the pending draft leaves the page on purpose: the writer's text is on the server.
    Array.prototype.forEach.call(document.querySelectorAll(".writing-room-pending-action"), function (action) {
      action.addEventListener("submit", function () { state.leaving = true; });
    });
    window.addEventListener("beforeunload", function (event) {
      if (state.leaving || !(textChanged() || state.otherChanges || state.saving)) { return; }
      event.preventDefault();
      event.returnValue = "";
    });
  }

  // Live counts from the preview the site's renderer drew, so they are what readers will get.
  function counting(room) {
    var target = byId("writing-room-counts");
    if (!target || !room.preview) { return; }
    // The CJK class, word pattern and reading rates of blog.content.languages, as the renderer counts.
    var facts = room.config.counting;
    var cjk = new RegExp(facts.cjk, "gu");
    var word = new RegExp(facts.word, "gu");
    function language() { return facts.languages[value(room.language)] || facts.languages[facts.defaultLanguage]; }
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
      var texts = room.texts;
      var text = readerText(room.preview, []).join("");
      var rates = language();
      var characters = (text.match(cjk) || []).length;
      var words = (text.replace(cjk, " ").match(word) || []).length;
      var minutes = characters || words
        ? Math.ceil(characters / rates.charactersPerMinute + words / rates.wordsPerMinute) : 0;
      var parts = [];
      if (rates.countedByCharacter) {
        // Characters, not UTF-16 units: a character beyond the BMP (𠮷) counts once.
        parts.push(plural(texts.charactersOne, texts.charactersOther, (text.match(/\S/gu) || []).length, "count"));
      } else {
        parts.push(plural(texts.wordsOne, texts.wordsOther, words, "count"));
      }
      if (minutes) { parts.push(plural(texts.readingOne, texts.readingOther, minutes, "minutes")); }
      target.textContent = parts.join(" · ");
    }
    new MutationObserver(count).observe(room.preview, { childList: true, subtree: true, characterData: true });
    if (room.language) { room.language.addEventListener("change", count); }
    count();
  }

  // The preview is the page: markdownx's rendering (the site's renderer) is shown in a frame that holds the public
  // stylesheets and script (blog/preview_frame.html), with the title, in the essay's language. The admin's own
  // preview box stays, hidden, as the source the counts read.
  function previewAsPage(room) {
    if (!room.preview || !room.config.previewFrameUrl) { return; }
    var frame = document.createElement("iframe");
    frame.className = "writing-room-page";
    frame.title = room.texts.previewTitle;
    room.preview.hidden = true;
    room.preview.after(frame);
    // Loaded after the form, so the page is ready for typing without waiting for the page's stylesheets and fonts.
    function open() { frame.src = room.config.previewFrameUrl + "?language=" + encodeURIComponent(value(room.language)); }
    if (document.readyState === "complete") { open(); } else { window.addEventListener("load", open); }
    function page() { return frame.contentDocument && frame.contentDocument.getElementById("preview-body"); }
    function draw() {
      var body = page();
      if (!body) { return; }
      body.innerHTML = room.preview.innerHTML;
      frame.contentDocument.getElementById("preview-title").textContent = value(room.fields.title);
      frame.contentDocument.documentElement.lang = value(room.language) || document.documentElement.lang;
    }
    frame.addEventListener("load", draw);
    new MutationObserver(draw).observe(room.preview, { childList: true, subtree: true, characterData: true });
    if (room.fields.title) { room.fields.title.addEventListener("input", draw); }
    if (room.language) { room.language.addEventListener("change", draw); }
    room.previewScroller = function () { return page() && frame.contentDocument.scrollingElement; };
  }

  // The preview follows the editor: the same share of each is scrolled.
  function followingScroll(room) {
    if (!room.preview) { return; }
    room.body.addEventListener("scroll", function () {
      var range = room.body.scrollHeight - room.body.clientHeight;
      var share = range > 0 ? room.body.scrollTop / range : 0;
      var scroller = (room.previewScroller && room.previewScroller()) || room.preview;
      scroller.scrollTop = share * (scroller.scrollHeight - scroller.clientHeight);
    });
  }

  // Text typed into the body through the browser, so its undo history keeps it.
  function inserter(room) {
    var body = room.body;
    return function insert(text, selectFrom, selectTo, at) {
      body.focus();
      if (at !== undefined) { body.setSelectionRange(at, at); }
      var start = body.selectionStart;
      if (!document.execCommand("insertText", false, text)) {
        body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
        body.dispatchEvent(new Event("input", { bubbles: true }));
      }
      if (selectFrom !== undefined) { body.setSelectionRange(start + selectFrom, start + selectTo); }
    };
  }

  // The key a shortcut names ("Control+Alt+1"), as KeyboardEvent.code spells it: the same on every layout.
  var KEY_CODES = { ".": "Period", "/": "Slash" };
  function keyCode(key) {
    if (KEY_CODES[key]) { return KEY_CODES[key]; }
    return /^\d$/.test(key) ? "Digit" + key : "Key" + key.toUpperCase();
  }

  // The toolbar over the body (writing_room_bar.html) and its shortcuts; Ctrl/Cmd+S saves and stays.
  // Images go through writing-room-images.js (room.pickImage); an embed is a link on a line of its own.
  function toolbar(room, insert) {
    var body = room.body;
    function selected(placeholder) { return body.value.slice(body.selectionStart, body.selectionEnd) || placeholder; }
    function wrap(mark, placeholder, closing) {
      var text = selected(placeholder);
      insert(mark + text + (closing || mark), mark.length, mark.length + text.length);
    }
    // Whole lines of the selection, each given `prefix`.
    function prefixLines(prefix) {
      var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
      var end = body.value.indexOf("\n", body.selectionEnd);
      if (end === -1) { end = body.value.length; }
      body.setSelectionRange(start, end);
      var lines = body.value.slice(start, end).split("\n").map(function (line) { return prefix + line; });
      insert(lines.join("\n"));
    }
    // `text` as a block of its own: blank lines before and after, whatever surrounds the caret.
    function block(text) {
      var before = body.value.slice(0, body.selectionStart);
      var after = body.value.slice(body.selectionEnd);
      var lead = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
      var tail = /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
      insert(lead + text + tail, lead.length, lead.length + text.length);
    }
    room.insertBlock = block;
    function footnote() {
      var used = body.value.match(/\[\^(\d+)\]/g) || [];
      var number = used.reduce(function (most, mark) { return Math.max(most, parseInt(mark.slice(2), 10)); }, 0) + 1;
      insert("[^" + number + "]");
      var note = "[^" + number + "]: ";
      var end = body.value.replace(/\s+$/, "").length;
      body.setSelectionRange(end, body.value.length);
      var text = "\n\n" + note + room.texts.footnotePlaceholder + "\n";
      insert(text, 2 + note.length, 2 + note.length + room.texts.footnotePlaceholder.length);
    }
    function code() {
      var text = selected("code");
      if (text.indexOf("\n") === -1) { wrap("`", "code"); } else { block("```\n" + text + "\n```"); }
    }
    // Inside a sentence a formula in `$…$` (pandoc's rule: the renderer leaves "$5 or $10" alone); on a line of its
    // own (an empty line, or the whole line selected) a display formula in `$$…$$`, as a block. The TeX is selected.
    function math() {
      var ownLine = /(^|\n)$/.test(body.value.slice(0, body.selectionStart)) &&
        /^(\n|$)/.test(body.value.slice(body.selectionEnd));
      if (!ownLine) { wrap("$", "x^2"); return; }
      block("$$" + selected("x^2") + "$$");
      body.setSelectionRange(body.selectionStart + 2, body.selectionEnd - 2);
    }
    var actions = {
      bold: function () { wrap("**", "bold"); },
      italic: function () { wrap("*", "italic"); },
      link: function () {
        var text = selected("link");
        insert("[" + text + "](https://)", text.length + 3, text.length + 11);
      },
      heading: function () { prefixLines("## "); },
      quote: function () { prefixLines("> "); },
      list: function () { prefixLines("- "); },
      code: code,
      footnote: footnote,
      math: math,
      image: function () { if (room.pickImage) { room.pickImage(); } },
      embed: function () { askEmbed(room, block); }
    };
    var bar = byId("writing-room-toolbar");
    var shortcuts = [];
    if (bar) {
      room.container.before(bar);
      // The writing room's messages show under the editor, where the writer is looking.
      var note = byId("writing-room-error");
      if (note) { body.after(note); }
      bar.hidden = false;
      Array.prototype.forEach.call(bar.querySelectorAll("button[data-action]"), function (button) {
        var action = actions[button.getAttribute("data-action")];
        var keys = button.getAttribute("aria-keyshortcuts").split("+");
        shortcuts.push({
          code: keyCode(keys[keys.length - 1]), alt: keys.indexOf("Alt") !== -1, shift: keys.indexOf("Shift") !== -1,
          action: action
        });
        button.addEventListener("click", function () { action(); });
      });
    }
    body.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey)) { return; }
      var found = shortcuts.filter(function (shortcut) {
        return shortcut.code === event.code && shortcut.alt === event.altKey && shortcut.shift === event.shiftKey;
      })[0];
      if (!found) { return; }
      event.preventDefault();
      found.action();
    }, true);
    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        var stay = room.form.querySelector("[name=_continue]");
        if (stay) { stay.click(); }
      }
    });
  }

  // Ask for an embed's address in the page's dialog; it goes in as a block of its own, which the renderer embeds.
  function askEmbed(room, block) {
    var dialog = byId("writing-room-embed");
    var address = byId("writing-room-embed-url");
    if (!dialog) { return; }
    var at = [room.body.selectionStart, room.body.selectionEnd];
    address.value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", function closed() {
      dialog.removeEventListener("close", closed);
      room.body.focus();
      room.body.setSelectionRange(at[0], at[1]);
      if (dialog.returnValue === "insert" && address.value.trim()) { block(address.value.trim()); }
    });
    dialog.showModal();
    address.focus();
  }

  // What the admin leaves out: a slug suggested from any input, and names for select2's search boxes.
  function fillAdminGaps(room) {
    var title = room.fields.title;
    // Django suggests the slug on keyup, which text from an input method or a paste may not send (CJK titles).
    if (title) {
      title.addEventListener("input", function () { title.dispatchEvent(new KeyboardEvent("keyup")); });
    }
    // select2 (tags) draws search boxes with no label, whenever it likes; name each after its field.
    function labelSearchBoxes() {
      var boxes = room.form.querySelectorAll(".select2-search__field:not([aria-label])");
      Array.prototype.forEach.call(boxes, function (search) {
        var row = search.closest(".form-row");
        var label = row && row.querySelector("label");
        if (label) { search.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "")); }
      });
    }
    new MutationObserver(labelSearchBoxes).observe(room.form, { childList: true, subtree: true });
    labelSearchBoxes();
  }

  // A field's values as the page was served (defaults) or as it is now: [value, ...].
  function fieldValues(field, served) {
    if (field.type === "checkbox" || field.type === "radio") {
      return (served ? field.defaultChecked : field.checked) ? [field.value] : [];
    }
    if (field.options) {
      return Array.prototype.filter.call(field.options, function (option) {
        return served ? option.defaultSelected : option.selected;
      }).map(function (option) { return option.value; });
    }
    return [served ? field.defaultValue : field.value];
  }

  function namedValues(form, served, wanted) {
    var found = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || !wanted(field)) { return; }
      found[field.name] = (found[field.name] || []).concat(fieldValues(field, served));
    });
    return found;
  }

  // The fields the writer set on this page (tags, rows of inlines), with the values the page was served with.
  function changedFields(form) {
    var carried = function (field) {
      return !NOT_CARRIED.test(field.name) && ["file", "submit", "button"].indexOf(field.type) === -1;
    };
    var now = namedValues(form, false, carried);
    var served = namedValues(form, true, carried);
    var changed = {};
    Object.keys(now).forEach(function (name) {
      if (JSON.stringify(now[name]) !== JSON.stringify(served[name])) {
        changed[name] = { values: now[name], served: served[name], labels: {} };
      }
    });
    // Autocomplete selects (tags, bylines) hold only their chosen options: keep their labels to draw them again.
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!changed[field.name] || !field.options) { return; }
      Array.prototype.forEach.call(field.selectedOptions, function (option) { changed[field.name].labels[option.value] = option.text; });
    });
    return changed;
  }

  function setField(field, values, labels) {
    if (field.type === "checkbox" || field.type === "radio") { field.checked = values.indexOf(field.value) !== -1; }
    else if (field.options) {
      var present = Array.prototype.map.call(field.options, function (option) { return option.value; });
      values.forEach(function (chosen) {
        if (present.indexOf(chosen) === -1) { field.add(new Option(labels[chosen] || chosen, chosen)); }
      });
      Array.prototype.forEach.call(field.options, function (option) { option.selected = values.indexOf(option.value) !== -1; });
    } else { field.value = values[0]; }
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // After a new draft's first autosave the page reopened as its change page: what the writer typed while that
  // autosave was on its way and the other fields they set come along (unsaved, so Save or autosave keeps them),
  // and the caret goes back where it was. A field the server filled itself (their own byline) keeps its value.
  function carryOver(room) {
    var carried;
    try {
      carried = JSON.parse(sessionStorage.getItem(CARRY_KEY) || "null");
      if (!carried || carried.post !== room.post) { return; }
      sessionStorage.removeItem(CARRY_KEY);
    } catch (e) { return; }
    var served = namedValues(room.form, true, function (field) { return carried.fields.hasOwnProperty(field.name); });
    Object.keys(carried.fields).forEach(function (name) {
      var field = carried.fields[name];
      // Only where this page was served as the add page was: the server filled in nothing of its own there.
      if (JSON.stringify(served[name]) !== JSON.stringify(field.served)) { return; }
      Array.prototype.forEach.call(room.form.elements, function (element) {
        if (element.name === name) { setField(element, field.values, field.labels); }
      });
    });
    if (carried.text !== room.snapshot()) { room.restore(carried.text); }
    room.body.focus();
    room.body.setSelectionRange(carried.at, carried.at);
  }

  function start() {
    var room = makeRoom();
    if (!room) { return; }
    var copy = browserCopy(room);
    var insert = inserter(room);
    autosaving(room, copy);
    counting(room);
    previewAsPage(room);
    followingScroll(room);
    room.insert = insert;
    toolbar(room, insert);
    // Further parts (writing-room-images.js) start from the same room.
    document.dispatchEvent(new CustomEvent("writing-room:ready", { detail: room }));
    fillAdminGaps(room);
    carryOver(room);
    copy.offer();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
