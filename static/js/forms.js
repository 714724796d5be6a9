// A second click on "Save" while the first is on its way would record everything twice:
// once a form is submitted, its submit buttons wait for the next page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.closest("[data-pdf-download]")) { return; }  // pdf-progress.js handles it
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });
  // Coming back with the browser's Back button shows the page as it was left: enable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form button[type=submit][disabled]").forEach(function (b) {
      b.disabled = false;
    });
  });
})();
// A select marked data-autosubmit (language, term) sends its form as soon as it changes;
// a script file rather than an onchange attribute, which the Content-Security-Policy forbids.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
})();
