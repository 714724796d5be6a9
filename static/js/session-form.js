/* The session form (templates/sessions_app/sessions/form.html): choosing a planned topic fills
   in the topic, format and lead speaker from the plan, and a topic planned for another term than
   the session's date gets a warning under the field. The data comes from each option's data-
   attributes (sessions_app/forms/sessions.py, planned_topic_option_data). Filled fields stay editable, and a field the user has changed
   on this page is not overwritten (unless empty). The server warns again on save, so the page
   works without this script. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-session-form]");
  var choice = form && form.elements.namedItem("planned_topic");
  if (!choice) { return; }
  var date = form.elements.namedItem("date");

  function chosen() {
    // The chosen option's data (title, format, leadSpeaker, termStart, termEnd, otherTerm).
    var option = choice.options[choice.selectedIndex];
    return option && option.dataset.termStart ? option.dataset : null;
  }

  var hint = document.createElement("div");
  hint.className = "form-text text-warning-emphasis";
  hint.setAttribute("role", "status");
  hint.setAttribute("aria-live", "polite");
  hint.setAttribute("data-topic-term-hint", "");
  hint.id = choice.id + "-term-hint";
  hint.hidden = true;
  choice.insertAdjacentElement("afterend", hint);

  // A field the user has typed in or changed keeps their value; the others follow the topic.
  var targets = { topic: "title", format: "format", speakers: "leadSpeaker" };
  var touched = {};
  Object.keys(targets).forEach(function (name) {
    var field = form.elements.namedItem(name);
    if (!field) { return; }
    var mark = function () { touched[name] = true; };
    field.addEventListener("input", mark);
    field.addEventListener("change", mark);
  });

  function fill(topic) {
    if (!topic) { return; }
    Object.keys(targets).forEach(function (name) {
      var field = form.elements.namedItem(name);
      var value = topic[targets[name]];
      if (field && value && (!touched[name] || field.value === "")) {
        field.value = value;
      }
    });
  }

  function checkTerm() {
    var topic = chosen();
    var day = date ? date.value : "";
    var outside = !!(topic && day && (day < topic.termStart || day > topic.termEnd));
    hint.textContent = outside ? topic.otherTerm : "";
    hint.hidden = !outside;
    var described = (choice.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== hint.id;
    });
    if (outside) { described.push(hint.id); }
    if (described.length) {
      choice.setAttribute("aria-describedby", described.join(" "));
    } else {
      choice.removeAttribute("aria-describedby");
    }
  }

  choice.addEventListener("change", function () {
    fill(chosen());
    checkTerm();
  });
  if (date) {
    date.addEventListener("change", checkTerm);
    date.addEventListener("input", checkTerm);
  }
  checkTerm();
})();
