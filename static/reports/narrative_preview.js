// Live preview of the narrative: post the form to the preview endpoint as the drafter types.
// The server renders (and escapes) the body; without this script the Preview button does the same.
(function () {
  "use strict";
  var form = document.getElementById("narrative-form");
  var target = document.getElementById("narrative-preview");
  var status = document.getElementById("preview-status");
  if (!form || !target || !window.fetch) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var seq = 0;
  function refresh() {
    var mine = ++seq;
    var data = new FormData(form);
    data.delete("preview");
    if (status) { status.textContent = "…"; }
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (mine !== seq) { return; }
        target.innerHTML = html;
        if (status) { status.textContent = ""; }
      })
      .catch(function () { if (status) { status.textContent = ""; } });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();
