/* Solve progress: polls the run's JSON status without reloading the page, every second at first,
 * then more slowly (up to every 5 s), and stops when the run has finished; then reloads once so the
 * plan is shown. Network errors back off too. No inline script: the URL comes from a data attribute. */
(function () {
  "use strict";
  var box = document.getElementById("solve-progress");
  if (!box || box.getAttribute("data-finished") === "1") { return; }
  var url = box.getAttribute("data-status-url");
  var delay = 1000, MAX = 5000, polls = 0;
  var $ = function (id) { return document.getElementById(id); };

  function show(d) {
    $("run-status").textContent = d.status_label;
    $("run-status").setAttribute("data-status", d.status);
    $("run-elapsed").textContent = d.elapsed_s === null ? "0.0" : Number(d.elapsed_s).toFixed(1);
    $("run-objective").textContent = d.objective === null ? "—" : Number(d.objective).toFixed(4);
    if (d.error) { $("run-error").textContent = d.error; $("run-error").hidden = false; }
  }

  function next() { polls += 1; if (polls > 3) { delay = Math.min(MAX, Math.round(delay * 1.5)); } setTimeout(poll, delay); }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (d) {
        show(d);
        box.setAttribute("data-polls", String(polls + 1));
        if (d.finished) {
          box.setAttribute("data-finished", "1");
          $("run-done").hidden = false;
          var cancel = document.getElementById("cancel-form");
          if (cancel) { cancel.hidden = true; }
          window.location.reload();
        } else { next(); }
      })
      .catch(function () { delay = Math.min(MAX, delay * 2); setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();
