// itaku serve: live assessment. The form works without this script (it posts and the server renders
// the result page); with it, every change posts the form in the background and swaps in the result and
// the message under each question. What was typed is kept in this tab (sessionStorage) so that a reload
// or a restarted server loses nothing; a form token refused after a restart (403) is renewed from
// /api/token and the answer sent again once.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  var result = document.getElementById("result");
  if (!form || !result || !window.fetch || !window.URLSearchParams) return;
  var key = "itaku-answers:" + location.pathname + location.search;
  var store = null;
  try { store = window.sessionStorage; } catch (e) { store = null; }
  var timer = null;
  var sent = 0;

  function pairs() {
    var out = [];
    new FormData(form).forEach(function (v, k) {
      if (k !== "_token" && typeof v === "string") out.push([k, v]);
    });
    return out;
  }

  function keep() {
    if (!store) return;
    try { store.setItem(key, JSON.stringify(pairs())); } catch (e) { /* full or refused: nothing kept */ }
  }

  function restore() {
    if (!store) return false;
    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.length) return false;
    var values = {};
    saved.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "_token" || el.name.charAt(0) === "_") return;
      var v = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = !!v && v.indexOf(el.value) >= 0;
      } else if (v && (el.tagName === "TEXTAREA" || el.tagName === "INPUT")) {
        el.value = v[0];
      }
    });
    return true;
  }

  // The message under each question, from the live answer's hidden list (cleared when fixed).
  function messages() {
    var list = document.getElementById("field-errors");
    var given = {};
    if (list) {
      Array.prototype.forEach.call(list.querySelectorAll("[data-field]"), function (p) {
        given[p.getAttribute("data-field")] = p.textContent;
      });
      list.parentNode.removeChild(list);
    }
    Array.prototype.forEach.call(form.querySelectorAll("p.error[data-field]"), function (p) {
      var name = p.getAttribute("data-field");
      var text = given[name] || "";
      if (p.textContent !== text) p.textContent = text;
      var input = document.getElementById("q-" + name);
      if (input && (input.tagName === "INPUT" || input.tagName === "TEXTAREA")) {
        if (text) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
    });
  }

  function notice(text) {
    var n = document.getElementById("connection-notice");
    if (!text) {
      if (n) n.parentNode.removeChild(n);
      return;
    }
    if (!n) {
      n = document.createElement("div");
      n.id = "connection-notice";
      n.className = "notice bad";
      n.setAttribute("role", "alert");
      form.parentNode.insertBefore(n, form);
    }
    n.textContent = text;
  }

  function post() {
    return fetch(form.getAttribute("data-live"), {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    });
  }

  // A new token for this session (the server was restarted: its secret changed).
  function renew() {
    return fetch("/api/token", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (token) {
      var input = form.querySelector("input[name=_token]");
      if (input && token) input.value = token.trim();
    });
  }

  function update() {
    var n = ++sent;
    result.setAttribute("aria-busy", "true");
    post().then(function (r) {
      if (r.status === 403) return renew().then(post);
      return r;
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (html) {
      if (n !== sent) return; // a later answer is on its way
      result.innerHTML = html;
      result.setAttribute("data-updates", String(n));
      messages();
      notice(null);
    }).catch(function () {
      if (n !== sent) return;
      var en = document.documentElement.lang === "en";
      notice(en
        ? "The result could not be updated (the server may have been restarted). What you entered is kept in this browser tab: reload the page to continue."
        : "判定結果を更新できませんでした (サーバーが再起動された可能性があります)。入力した内容はこのタブに保存されています。ページを再読み込みして続けてください。");
    }).then(function () {
      if (n === sent) result.removeAttribute("aria-busy");
    });
  }

  function later(ms) {
    keep();
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, ms);
  }

  form.addEventListener("input", function () { later(200); });
  form.addEventListener("change", function () { later(30); });
  document.documentElement.classList.add("live");
  if (document.getElementById("saved")) {
    // Saved: the draft is on the server; nothing to keep in the tab.
    if (store) try { store.removeItem(key); } catch (e) { /* ignore */ }
  } else if (restore()) {
    update();
  }
})();
