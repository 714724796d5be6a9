/* The session form (templates/sessions_app/sessions/form.html): choosing a planned topic fills
   in the topic, format and lead speaker from the plan, and a topic planned for another term than
   the session's date gets a warning under the field. The data comes from the page's
   <script type="application/json" id="planned-topics"> (sessions_app/forms/sessions.py,
   planned_topic_choices_data). Filled fields stay editable, and a field the user has changed
   on this page is not overwritten (unless empty). The server warns again on save, so the page
   works without this script. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-session-form]");
  var source = document.getElementById("planned-topics");
  if (!form || !source) { return; }
  var topics = JSON.parse(source.textContent);
  var choice = form.elements.namedItem("planned_topic");
  var date = form.elements.namedItem("date");
  if (!choice) { return; }

  var hint = document.createElement("div");
  hint.className = "form-text text-warning-emphasis";
  hint.setAttribute("role", "status");
  hint.setAttribute("aria-live", "polite");
  hint.setAttribute("data-topic-term-hint", "");
  hint.id = choice.id + "-term-hint";
  hint.hidden = true;
  choice.insertAdjacentElement("afterend", hint);

  // A field the user has typed in or changed keeps their value; the others follow the topic.
  var targets = { topic: "title", format: "format", speakers: "lead_speaker" };
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
    var topic = topics[choice.value];
    var day = date ? date.value : "";
    var outside = !!(topic && day && (day < topic.term_start || day > topic.term_end));
    hint.textContent = outside ? topic.other_term : "";
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
    fill(topics[choice.value]);
    checkTerm();
  });
  if (date) {
    date.addEventListener("change", checkTerm);
    date.addEventListener("input", checkTerm);
  }
  checkTerm();
})();
