/* The archive's build page (templates/reports/archive/build.html): while the archive is built,
   poll its JSON status (reports/views/archive.py archive_build_status) every second, show the
   step and the percentage, and reload the page when the build is ready or has failed, so the
   server's page offers the downloads or the error. Without this script the page refreshes
   itself (a <noscript> refresh), as the report PDF's progress page does. */
(function () {
  "use strict";
  var POLL_MS = 1000;
  var box = document.querySelector("[data-archive-build]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var text = box.querySelector("[data-archive-text]");
  var bar = box.querySelector("[data-archive-progress]");

  function show(data) {
    if (text) { text.textContent = data.text || ""; }
    if (bar) { bar.value = data.progress || 0; bar.textContent = (data.progress || 0) + "%"; }
    if (data.status === "done" || data.status === "failed") {
      window.location.reload();
      return;
    }
    window.setTimeout(poll, POLL_MS);
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(show)
      .catch(function () { window.setTimeout(function () { window.location.reload(); }, 2000); });
  }

  window.setTimeout(poll, POLL_MS);
})();
