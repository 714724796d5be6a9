/* Report PDF button (templates/reports/_pdf_download.html): start the PDF, poll its status,
   then show the download link or the error. Without this script the form posts and the
   browser follows a page that refreshes itself. */
(function () {
  "use strict";
  if (window.reportPdfProgress) { return; }
  window.reportPdfProgress = true;

  var POLL_MS = 1500;

  function show(box, data) {
    var progress = box.querySelector("[data-pdf-progress]");
    var error = box.querySelector("[data-pdf-error]");
    var link = box.querySelector("[data-pdf-link]");
    var button = box.querySelector("[data-pdf-start]");
    progress.textContent = data.progress || "";
    if (data.status === "done" && data.download_url) {
      link.href = data.download_url;
      link.hidden = false;
      button.disabled = false;
    } else {
      link.hidden = true;
    }
    if (data.status === "failed") {
      error.textContent = data.error || data.progress || "";
      error.hidden = false;
      button.disabled = false;
    } else {
      error.hidden = true;
    }
  }

  function poll(box, url, pageUrl) {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        show(box, data);
        if (data.status === "pending" || data.status === "running") {
          window.setTimeout(function () { poll(box, url, pageUrl); }, POLL_MS);
        }
      })
      .catch(function () {
        // A network hiccup: fall back to the page that refreshes itself.
        window.location.href = pageUrl;
      });
  }

  function start(event) {
    var form = event.target;
    var box = form.closest("[data-pdf-download]");
    if (!box || !window.fetch) { return; }
    event.preventDefault();
    var button = box.querySelector("[data-pdf-start]");
    button.disabled = true;
    box.querySelector("[data-pdf-link]").hidden = true;
    box.querySelector("[data-pdf-error]").hidden = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        show(box, data);
        if (data.status === "pending" || data.status === "running") {
          window.setTimeout(function () { poll(box, data.status_url, data.page_url); }, POLL_MS);
        }
      })
      .catch(function () {
        button.disabled = false;
        form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    if (event.target.closest && event.target.closest("[data-pdf-download]")) { start(event); }
  });
})();
