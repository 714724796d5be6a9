// On phones, fold away a member's leave and make-up fields while they are marked present or late.
(function () {
  "use strict";
  var quiet = ["present", "late"];
  document.querySelectorAll("tr.attendance-row").forEach(function (row) {
    var status = row.querySelector("select");
    var extras = row.querySelectorAll("td.att-extra input");
    function update() {
      var filled = Array.prototype.some.call(extras, function (input) { return input.value; });
      var invalid = row.querySelector(".is-invalid") !== null;
      row.classList.toggle("att-quiet", quiet.indexOf(status.value) !== -1 && !filled && !invalid);
    }
    status.addEventListener("change", update);
    update();
  });
})();
