// itaku serve: live assessment. The form works without this script (it posts and the server renders
// the result page); with it, every change posts the form in the background and swaps in the result.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  var result = document.getElementById("result");
  if (!form || !result || !window.fetch || !window.URLSearchParams) return;
  var timer = null;
  var sent = 0;
  function update() {
    var n = ++sent;
    var body = new URLSearchParams(new FormData(form));
    result.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-live"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (html) {
      if (n !== sent) return; // a later answer is on its way
      result.innerHTML = html;
      result.setAttribute("data-updates", String(n));
    }).catch(function () {
      // Keep the last result; the 判定する button still submits the form.
    }).then(function () {
      if (n === sent) result.removeAttribute("aria-busy");
    });
  }
  function later(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(update, ms);
  }
  form.addEventListener("input", function () { later(200); });
  form.addEventListener("change", function () { later(30); });
  document.documentElement.classList.add("live");
})();
