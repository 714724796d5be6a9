// The projector page of a session's check-in (sessions_app/views/checkin.py): ask the server for
// the current QR code whenever the 30-second step changes, and show it, or why check-in is closed.
(function () {
  "use strict";
  var box = document.querySelector("[data-checkin-code-url]");
  if (!box) { return; }
  var codeUrl = box.getAttribute("data-checkin-code-url");
  var openPart = document.getElementById("checkin-open");
  var closedPart = document.getElementById("checkin-closed");
  var qr = document.getElementById("checkin-qr");
  var link = document.getElementById("checkin-url");
  var message = document.getElementById("checkin-message");
  var count = document.getElementById("checkin-count");

  function show(code) {
    if (code.open) {
      qr.innerHTML = code.svg;  // our own server's SVG (segno), not user text
      link.textContent = code.url;
    } else {
      message.textContent = code.message;
    }
    openPart.classList.toggle("d-none", !code.open);
    closedPart.classList.toggle("d-none", code.open);
    count.textContent = code.checked_in_text;
    schedule(code.refresh_ms);
  }

  function schedule(ms) {
    if (ms > 0) { window.setTimeout(refresh, ms); }
  }

  function refresh() {
    fetch(codeUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(show)
      .catch(function () { schedule(5000); });  // the network blinked: try again soon
  }

  schedule(parseInt(box.getAttribute("data-refresh-ms"), 10) || 0);
})();
