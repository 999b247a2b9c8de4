// The assessment page's running summary: which competencies have a level
// so far. The page works without it (the review page says the same).
(function () {
  "use strict";
  var form = document.getElementById("assess-form");
  var count = document.getElementById("summary-count");
  var list = document.getElementById("summary-list");
  if (!form || !count || !list) {
    return;
  }
  function update() {
    var sets = form.querySelectorAll("fieldset.competency");
    var n = 0;
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    for (var i = 0; i < sets.length; i++) {
      var on = sets[i].querySelector("input[type=radio]:checked");
      if (!on || on.value === "") {
        continue;
      }
      n++;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + on.id;
      a.textContent = sets[i].getAttribute("data-title") + " : " + on.value + " — " + (on.getAttribute("data-label") || "");
      li.appendChild(a);
      list.appendChild(li);
    }
    count.textContent = n === 0 ? count.getAttribute("data-none") : count.getAttribute("data-some").replace("%d", String(n));
  }
  form.addEventListener("change", update);
  update();
})();
