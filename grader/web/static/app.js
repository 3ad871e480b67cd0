// The grading app's only script (served from the app itself; the page's CSP allows nothing else).
// Keyboard first: every action of the grading page has a key (see the help, "?").
(() => {
  "use strict";
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

  // A server that cannot be reached is an answer too (an eighty-third review: a save while `grader
  // serve` was stopped left "saving…" for good, and every later key did nothing).
  const UNREACHABLE = "Not saved: the server cannot be reached (is grader serve still running?). " +
    "What you typed is still here; save again (s) once it runs.";
  async function post(url, data) {
    let r;
    try {
      r = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
        body: JSON.stringify(data),
      });
    } catch (e) {
      return {status: 0, body: {error: UNREACHABLE}};
    }
    let body = {};
    try { body = await r.json(); } catch (e) { body = {error: `server answered ${r.status}`}; }
    return {status: r.status, body};
  }

  // Forms marked data-api are sent as JSON to that URL; the page reloads when they succeed.
  document.addEventListener("submit", async (ev) => {
    const form = ev.target.closest("form[data-api]");
    if (!form) return;
    ev.preventDefault();
    const data = {};
    const list = form.dataset.collect;
    for (const el of form.elements) {
      if (!el.name || el.type === "submit" || el.tagName === "BUTTON") continue;
      if (el.type === "checkbox") {
        if (el.name === list) { if (el.checked) (data[list] = data[list] || []).push(el.value); }
        else data[el.name] = el.checked;
        continue;
      }
      data[el.name] = el.value;
    }
    const sub = ev.submitter;
    if (sub && sub.name) data[sub.name] = sub.value;
    if (sub && sub.dataset.ta) data.ta = sub.dataset.ta;
    const err = form.querySelector(".form-error");
    if (err) err.textContent = "";
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    if (sub && sub.dataset.confirm && !window.confirm(sub.dataset.confirm)) return;
    let {status, body} = await post(form.dataset.api, data);
    // The server asks before doing something that is most often a mistake (a TA name nobody used).
    if (status === 409 && body.confirm) {
      if (!window.confirm(body.confirm)) return;
      ({status, body} = await post(form.dataset.api, {...data, confirmed: true}));
    }
    if (status === 200 && body.ok) { location.reload(); return; }
    const said = body.error || `failed (${status})`;
    if (err) err.textContent = said;
    else { const m = document.getElementById("message"); if (m) m.textContent = said; }
  });

  const overrideForm = document.getElementById("override-form");
  for (const b of document.querySelectorAll(".override-open")) {
    b.addEventListener("click", () => {
      const f = overrideForm;
      f.elements.task.value = b.dataset.task;
      f.elements.check.value = b.dataset.check;
      f.elements.points.value = b.dataset.points;
      f.elements.reason.value = b.dataset.reason;
      f.elements.version.value = b.dataset.version;   // another TA's later change is a conflict
      document.getElementById("override-clear").hidden = b.dataset.has !== "1";
      document.getElementById("override-what").textContent = `${b.dataset.task}: ${b.dataset.check}`;
      b.closest("td").appendChild(f);
      f.hidden = false;
      f.elements.points.focus();
    });
  }
  const closeOverride = () => {
    if (!overrideForm || overrideForm.hidden) return false;
    overrideForm.hidden = true;
    const opener = overrideForm.closest("td") && overrideForm.closest("td").querySelector(".override-open");
    if (opener) opener.focus();
    return true;
  };
  const overrideCancel = document.getElementById("override-cancel");
  if (overrideCancel) overrideCancel.addEventListener("click", closeOverride);

  for (const b of document.querySelectorAll(".edit-item")) {
    b.addEventListener("click", () => {
      const form = b.parentElement.querySelector("form");
      form.hidden = !form.hidden;
      if (!form.hidden) form.querySelector("input:not([type=hidden])").focus();
    });
  }

  const help = document.getElementById("help");
  // The list of keys is a dialog: it takes the focus, keeps Tab inside, and gives the focus back
  // when it closes; keys other than ? and Esc do nothing under it (a hundred-and-fifty-fifth review:
  // Tab went to the page behind it, and 1 ticked an item there).
  let beforeHelp = null;
  const closeHelp = () => {
    if (!help || help.hidden) return;
    help.hidden = true;
    if (beforeHelp && document.contains(beforeHelp)) beforeHelp.focus();
    beforeHelp = null;
  };
  const toggleHelp = () => {
    if (!help) return;
    if (!help.hidden) { closeHelp(); return; }
    beforeHelp = document.activeElement;
    help.hidden = false;
    help.focus();
  };
  const helpClose = document.getElementById("help-close");
  if (helpClose) helpClose.addEventListener("click", closeHelp);
  const helpLink = document.getElementById("help-toggle");
  if (helpLink) helpLink.addEventListener("click", (ev) => { ev.preventDefault(); toggleHelp(); });

  const main = document.getElementById("grading");
  let grading = null;
  if (main) grading = setUpGrading(JSON.parse(main.dataset.boot));

  document.addEventListener("keydown", (ev) => {
    const t = ev.target;
    // Keys belong to a field only where they type: a rubric item's checkbox, once clicked, kept the
    // focus and took every shortcut with it (a hundred-and-fifty-fifth review).
    if (t.matches && t.matches("textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit])")) {
      const itemForm = t.closest(".item-form");
      if (ev.key === "Escape" && t.closest("#override-form")) { closeOverride(); return; }   // closed unsaved
      if (ev.key === "Escape" && itemForm) {
        // Esc closes the item's edit form unsaved (a seventy-seventh review: it stayed open).
        itemForm.hidden = true;
        const edit = itemForm.parentElement.querySelector(".edit-item");
        if (edit) edit.focus();
        return;
      }
      // Esc saves what was typed, and nothing when nothing was: for an answer that changed since it was
      // graded, a save confirms the old grade for the new text, which only `s` does (a ninetieth review).
      if (ev.key === "Escape") { t.blur(); if (grading && (t.id === "comment" || t.id === "adjust")) grading.saveChanged(); }
      else if (ev.key === "Enter" && grading && t.id === "adjust") { ev.preventDefault(); t.blur(); }   // saved on change
      else if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && grading && t.id === "comment") { t.blur(); grading.save(); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "?") { toggleHelp(); ev.preventDefault(); return; }
    if (help && !help.hidden) {
      if (ev.key === "Escape") closeHelp();
      else if (ev.key === "Tab") {
        ev.preventDefault();
        (document.activeElement === helpClose || !helpClose ? help : helpClose).focus();
      }
      return;
    }
    if (ev.key === "a") { const f = document.getElementById("anon-form"); if (f) f.submit(); return; }
    if (grading && grading.key(ev.key)) { ev.preventDefault(); return; }
    // Elsewhere, a page's own shortcuts: links and buttons marked data-key.
    const target = document.querySelector(`[data-key="${CSS.escape(ev.key)}"]`);
    if (target) { ev.preventDefault(); target.click(); }
  });

  function setUpGrading(boot) {
    let version = boot.version;
    let queue = Promise.resolve();
    const boxes = [...document.querySelectorAll(".item-box")];
    const points = document.getElementById("points");
    const status = document.getElementById("save-state");
    const message = document.getElementById("message");
    try {
      const flash = sessionStorage.getItem("grader-flash");
      if (flash) { sessionStorage.removeItem("grader-flash"); message.textContent = flash; }
    } catch (e) { /* no storage: nothing to say */ }
    const comment = document.getElementById("comment");
    const adjust = document.getElementById("adjust");
    const conflict = document.getElementById("conflict");
    let savedComment = comment.value, savedAdjust = adjust.value;
    let failed = false;     // the last save did not reach the gradebook: the page holds unsaved ticks
    let saidError = false;  // the message line says why a save failed
    // Graded answers of the task, kept up to date by every save (for the question before re-scoring them).
    let gradedCount = +(document.getElementById("start-toggle") || {dataset: {}}).dataset.graded || 0;
    const unsaved = () => failed || comment.value !== savedComment || adjust.value !== savedAdjust;

    const fmt = (x) => (x === null || x === undefined) ? "–" : String(+x.toFixed(4));
    // The adjustment as a TA types it: "1,5" is 1.5, empty is 0, anything else is refused with a
    // word (a seventy-seventh review: a number field turned "-0,5" into -5 and saved it).
    const adjustValue = () => {
      // Any dash first: "−0,5" with the minus sign the page's own hint shows (an eighty-third review).
      const text = adjust.value.trim().replace(/^[\u2212\u2010-\u2015\uFE63\uFF0D]/, "-")
        .replace(/^([+-]?\d+),(\d+)$/, "$1.$2");
      if (text === "") return 0;
      return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) ? parseFloat(text) : null;
    };
    const state = () => ({
      task: boot.task, sid: boot.sid, version, answer: boot.answer,
      items: boxes.filter((b) => b.checked).map((b) => +b.dataset.id),
      adjust: adjustValue(), comment: comment.value,
      rubric_seen: {start: boot.start, items: boot.rubric.map((r) => [r.id, r.points])},
    });

    async function send(overwriteVersion) {
      const data = state();
      if (data.adjust === null) {
        status.textContent = "not saved";
        message.textContent = `The adjustment “${adjust.value}” is not a number: type points such as -2, 1.5 or 1,5 (nothing was saved).`;
        saidError = true;
        adjust.focus();
        return false;
      }
      if (overwriteVersion !== undefined) data.version = overwriteVersion;
      status.textContent = "saving…";
      // What this request saves: text typed while it is on its way is not saved by it (on a loaded
      // machine, a comment typed right after a point key was taken for saved, and Esc saved nothing).
      const sentComment = comment.value, sentAdjust = adjust.value;
      const {status: code, body} = await post(boot.urls.grade, data);
      failed = code !== 200;
      if (code === 200) {
        version = body.version;
        showCounts(body);
        points.textContent = fmt(body.points);
        status.textContent = `saved by ${body.ta} (v${version})` +
          (body.capped ? ` · kept within 0..${fmt(boot.max)}: the items and adjustment give ${fmt(body.raw)}` : "");
        savedComment = sentComment; savedAdjust = sentAdjust;
        conflict.hidden = true;
        for (const b of boxes) b.closest(".item").classList.toggle("on", b.checked);
        const stale = document.getElementById("stale");
        if (body.changed) { message.textContent = body.message; return true; }
        // Another TA changed the rubric since this page was loaded: said with every save until a reload.
        if (body.rubric_changed) { message.textContent = body.rubric_changed; saidError = true; return true; }
        // What an earlier save said went wrong is over (a hundred-and-tenth review: "Not saved: the
        // server cannot be reached" stayed under "saved by tom").
        if (saidError) { message.textContent = ""; saidError = false; }
        if (stale) stale.remove();
        return true;
      }
      if (code === 409) { showConflict(body); status.textContent = "not saved"; return false; }
      status.textContent = "not saved";
      message.textContent = body.error || `failed (${code})`;
      saidError = true;
      return false;
    }

    function showCounts(body) {
      if (body.total === undefined) return;
      const progress = document.getElementById("task-progress");
      if (progress) progress.textContent = `${body.graded}/${body.total} graded`;
      gradedCount = body.graded;
      const inGroup = document.getElementById("group-graded");
      if (inGroup) inGroup.textContent = `${body.graded_in_group}`;
    }

    function showConflict(body) {
      const t = body.theirs || {};
      const names = (t.items || []).map((id) => {
        const i = boot.rubric.findIndex((r) => r.id === id);
        return i >= 0 ? `${i + 1} (${boot.rubric[i].description})` : `#${id}`;
      });
      conflict.replaceChildren();
      const p = document.createElement("p");
      p.textContent = `${body.message} Theirs: ${fmt(t.points)} points` +
        (names.length ? `, items ${names.join(", ")}` : "") + (t.comment ? `, comment “${t.comment}”` : "") + ".";
      const theirs = document.createElement("button");
      theirs.textContent = "show theirs"; theirs.id = "conflict-theirs";
      theirs.addEventListener("click", () => {
        // What was typed is not thrown away with the reload (an eighty-third review): it is shown
        // after it, to copy from.
        if (comment.value !== savedComment && comment.value.trim()) {
          try {
            sessionStorage.setItem("grader-flash", `Theirs is shown. Your comment, not saved, to copy from: “${comment.value}”`);
          } catch (e) { /* private mode */ }
        }
        savedComment = comment.value; savedAdjust = adjust.value; failed = false;
        location.reload();
      });
      const mine = document.createElement("button");
      mine.textContent = "replace with mine"; mine.id = "conflict-mine";
      mine.addEventListener("click", () => { queue = queue.then(() => send(t.version)); });
      const keys = document.createElement("p");
      keys.className = "muted";
      keys.textContent = "Enter shows theirs (your comment is shown after it, to copy from); Tab, then Enter, " +
        "replaces it with yours.";
      conflict.append(p, theirs, " ", mine, keys);
      conflict.hidden = false;
      theirs.focus();   // reachable without fifteen Tabs (a seventy-seventh review)
    }

    // One failed step never stops the ones after it (a rejected promise left in the queue did).
    const save = () => {
      queue = queue.then(() => send()).catch(() => {
        status.textContent = "not saved"; message.textContent = UNREACHABLE; failed = true; saidError = true; return false;
      });
      return queue;
    };
    // A comment or adjustment typed but not saved is not lost to a reload without a question.
    window.addEventListener("beforeunload", (ev) => {
      if (unsaved()) { ev.preventDefault(); ev.returnValue = ""; }
    });
    // A link clicked right after typing saves first and then goes: the browser's "leave site?"
    // came for text that was being saved (an eighty-third review), which teaches "Leave".
    document.addEventListener("click", (ev) => {
      const a = ev.target.closest && ev.target.closest("a[href]");
      if (!a || a.target || ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      if (!unsaved() || a.getAttribute("href").startsWith("#")) return;
      ev.preventDefault();
      save().then((ok) => { if (ok) location.href = a.href; });
    });
    for (const b of boxes) b.addEventListener("change", save);
    adjust.addEventListener("change", save);
    comment.addEventListener("blur", () => { if (comment.value !== savedComment) save(); });
    document.getElementById("save").addEventListener("click", save);

    async function groupGrade() {
      // An answer nobody graded, nothing ticked or typed: g would give an empty grade (0 points, or
      // the maximum counting down) to the whole group; asked first (a hundred-and-twentieth review).
      const blank = version === 0 && !boxes.some((b) => b.checked) && !adjust.value.trim() && !comment.value.trim();
      const others = Math.max(0, (boot.members || []).length - 1);
      if (blank && !window.confirm(`This answer has no grade yet. Give an empty grade (${boot.start === "max" ? "the maximum" : "0 points"}) ` +
                                   `to it and to the ${others} other answer${others === 1 ? "" : "s"} of its group?`)) {
        message.textContent = "Nothing was given to the group: grade this answer first, then press g.";
        return;
      }
      if (version === 0 || unsaved()) {
        if (!(await (save()))) return;
      }
      await queue.catch(() => false);
      const {status: code, body} = await post(boot.urls.group, {task: boot.task, sid: boot.sid, version,
                                                               answer: boot.answer, members: boot.members,
                                                               rubric_seen: state().rubric_seen});
      if (code !== 200) {
        // The reason in words, not the bare "conflict" (a sixty-third review); the page is stale.
        message.textContent = body.message || body.error || `failed (${code})`;
        status.textContent = "group grade not given";
        return;
      }
      showCounts(body);
      let text = `Gave this grade to ${body.applied} more answer${body.applied === 1 ? "" : "s"} of the group.`;
      if (body.skipped.length) {
        text += ` Left as they are (graded otherwise; open one to change it): ` +
          body.skipped.map((s) => `#${s.sid} (${s.ta})`).join(", ") + ".";
      }
      if (body.rubric_changed) text += " " + body.rubric_changed;
      message.textContent = text;
    }
    const groupButton = document.getElementById("group-grade");
    groupButton.addEventListener("click", groupGrade);

    async function undo() {
      await queue.catch(() => false);
      const {status: code, body} = await post(boot.urls.undo, {});
      if (code === 200) {
        // Said after the reload: what was undone (a sixty-third review saw no word of it).
        try { sessionStorage.setItem("grader-flash", body.message || "Undone."); } catch (e) { /* private mode */ }
        location.reload();
      } else message.textContent = body.error || `failed (${code})`;
    }
    document.getElementById("undo").addEventListener("click", undo);

    const startToggle = document.getElementById("start-toggle");
    startToggle.addEventListener("click", async () => {
      // Every graded answer of the task is scored anew: asked first (a hundred-and-tenth review: one
      // click re-scored five answers, unasked).
      const graded = gradedCount;
      const how = startToggle.dataset.start === "max" ? "down from the maximum" : "up from 0";
      if (graded && !window.confirm(`Count ${how}? The ${graded} graded answer${graded === 1 ? "" : "s"} of this ` +
                                    `task get${graded === 1 ? "s" : ""} a new score (u undoes it).`)) return;
      const {status: code, body} = await post(boot.urls.rubric, {task: boot.task, start: startToggle.dataset.start});
      if (code === 200) location.reload(); else message.textContent = body.error;
    });

    // After the saves queued before it; a failed one keeps the page (and what was typed).
    const go = (url) => {
      if (!url) return;
      const leave = () => { location.href = url; };
      if (unsaved()) save().then((ok) => { if (ok) leave(); }); else queue.then(leave);
    };

    // e, then a digit: edit that rubric item; e alone edits the first (a hundred-and-sixteenth
    // review: the third took many Tabs).
    let editWait = null;
    const editItem = (n) => {
      const edits = document.querySelectorAll(".edit-item");
      const edit = edits[n - 1];
      if (edit) edit.click();
      else if (n > 1) message.textContent = `There is no rubric item ${n}.`;
    };

    function key(k) {
      if (editWait !== null) {
        clearTimeout(editWait);
        editWait = null;
        if (/^[0-9]$/.test(k)) { editItem(k === "0" ? 10 : +k); return true; }   // 0: the tenth, as when ticking
        editItem(1);
      }
      if (/^[0-9]$/.test(k)) {
        const box = boxes[k === "0" ? 9 : +k - 1];
        if (box) { box.checked = !box.checked; save(); }
        return true;
      }
      switch (k) {
        case "j":
          if (boot.urls.following) go(boot.urls.following);
          else message.textContent = "This is the task's last answer in this order; n goes to the next one that needs grading.";
          return true;
        case "k":
          if (boot.urls.prev) go(boot.urls.prev);
          else message.textContent = "This is the task's first answer in this order.";
          return true;
        case "p": adjust.focus(); adjust.select(); return true;
        case "n": go(boot.urls.next); return true;
        case "s": save(); return true;
        case "c": {   // the cursor after the comment, not before it (text typed went in front of it)
          comment.focus();
          comment.setSelectionRange(comment.value.length, comment.value.length);
          return true;
        }
        case "g":
          if (!groupButton.disabled) groupGrade();
          else message.textContent = "No other answer reads like this one: there is no group to grade with it.";
          return true;
        case "u": undo(); return true;
        case "m": document.getElementById("mode-toggle").click(); return true;
        case "q": { const r = document.getElementById("reference"); if (r) r.open = !r.open; return true; }
        case "r": document.querySelector("#new-item input[name=points]").focus(); return true;
        case "e": editWait = setTimeout(() => { editWait = null; editItem(1); }, 700); return true;
        default: return false;
      }
    }
    return {key, save, saveChanged: () => { if (unsaved()) save(); }};
  }
})();
