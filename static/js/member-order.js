// The members page: drag a row by its handle to move the member; the order numbers are then
// renumbered 10, 20, 30... in the new order and the form is sent. Without JavaScript the
// number fields do the same. A file, not inline script: the Content-Security-Policy forbids that.
(function () {
  "use strict";
  var form = document.querySelector("form[data-member-order]");
  if (!form) { return; }
  var body = form.querySelector("tbody");
  var rows = function () { return Array.prototype.slice.call(body.querySelectorAll("tr[data-member-row]")); };
  var dragged = null;
  var orderBefore = "";
  var currentOrder = function () { return rows().map(function (r) { return r.querySelector("input").id; }).join(","); };

  rows().forEach(function (row) {
    var handle = row.querySelector(".drag-handle");
    if (handle) { handle.classList.remove("d-none"); }
    row.setAttribute("draggable", "true");
  });
  body.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("tr[data-member-row]");
    if (!dragged) { return; }
    orderBefore = currentOrder();
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "");
  });
  body.addEventListener("dragover", function (event) {
    var over = event.target.closest("tr[data-member-row]");
    if (!dragged || !over || over === dragged) { return; }
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    body.insertBefore(dragged, after ? over.nextSibling : over);
  });
  body.addEventListener("drop", function (event) { if (dragged) { event.preventDefault(); } });
  body.addEventListener("dragend", function () {
    if (!dragged) { return; }
    dragged.classList.remove("dragging");
    dragged = null;
    if (currentOrder() === orderBefore) { return; }
    rows().forEach(function (row, i) {
      row.querySelector("input.member-order-input").value = String((i + 1) * 10);
    });
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
