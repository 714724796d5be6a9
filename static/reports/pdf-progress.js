/* Report PDF button (templates/reports/_pdf_download.html): one click makes the PDF and starts
   its download. The button says "Making the PDF…" (data-busy-label) with the server's progress
   beside it while the status is polled; when the PDF is ready the download starts by itself,
   and a link stays beside the button for browsers that block an automatic download.
   Without this script the form posts and the browser follows a page that refreshes itself and
   then starts the download (reports/views/pdf.py). */
(function () {
  "use strict";
  if (window.reportPdfProgress) { return; }
  window.reportPdfProgress = true;

  var POLL_MS = 1000;

  function part(box, name) { return box.querySelector("[data-pdf-" + name + "]"); }

  function busy(box, on) {
    var button = part(box, "start");
    var label = part(box, "label");
    if (!button.hasAttribute("data-idle-label")) {
      button.setAttribute("data-idle-label", label.textContent);
    }
    label.textContent = on ? button.getAttribute("data-busy-label")
                           : button.getAttribute("data-idle-label");
    part(box, "spinner").hidden = !on;
    button.disabled = on;
    if (on) { button.setAttribute("aria-busy", "true"); } else { button.removeAttribute("aria-busy"); }
  }

  function download(url) {
    // The download view answers with an attachment: the page stays where it is.
    var a = document.createElement("a");
    a.href = url;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function show(box, data) {
    part(box, "progress").textContent = data.progress || "";
    var error = part(box, "error");
    var fallback = part(box, "fallback");
    if (data.status === "done" && data.download_url) {
      busy(box, false);
      part(box, "link").href = data.download_url;
      fallback.hidden = false;
      download(data.download_url);
    } else if (data.status === "failed") {
      busy(box, false);
      error.textContent = data.error || "";
      error.hidden = !data.error;
    }
  }

  function follow(box, data) {
    show(box, data);
    if (data.status === "pending" || data.status === "running") {
      window.setTimeout(function () { poll(box, data.status_url, data.page_url); }, POLL_MS);
    }
  }

  function asJson(response) {
    if (!response.ok) { throw new Error(response.status); }
    return response.json();
  }

  function poll(box, url, pageUrl) {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(asJson)
      .then(function (data) { follow(box, data); })
      .catch(function () {
        // A network hiccup: fall back to the page that refreshes itself.
        window.location.href = pageUrl;
      });
  }

  function start(event, box) {
    var form = event.target;
    if (!window.fetch) { return; }
    event.preventDefault();
    if (part(box, "start").disabled) { return; }
    busy(box, true);
    part(box, "fallback").hidden = true;
    part(box, "error").hidden = true;
    part(box, "progress").textContent = "";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    })
      .then(asJson)
      .then(function (data) { follow(box, data); })
      .catch(function () {
        busy(box, false);
        form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    var box = event.target.closest && event.target.closest("[data-pdf-download]");
    if (box) { start(event, box); }
  });
})();
