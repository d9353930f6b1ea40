// Filters the request ledger by status, person and text. The page works without it: every
// request is listed, and the status links lead to a page per status.
"use strict";
(function () {
  var form = document.getElementById("ledger-filter");
  if (!form) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.ledger tbody tr"));
  var params = new URLSearchParams(window.location.search);
  ["status", "person", "q"].forEach(function (name) {
    if (params.has(name)) form.elements[name].value = params.get(name);
  });
  function apply() {
    var status = form.elements.status.value;
    var person = form.elements.person.value;
    var query = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var visible = (!status || row.dataset.status === status) &&
        (!person || row.dataset.people.split(" ").indexOf(person) !== -1) &&
        (!query || row.textContent.toLowerCase().indexOf(query) !== -1);
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    form.elements.shown.value = shown + " of " + rows.length + " shown";
    var next = new URLSearchParams();
    if (status) next.set("status", status);
    if (person) next.set("person", person);
    if (query) next.set("q", query);
    var search = next.toString();
    try {
      window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    } catch (error) {
      // Pages opened from files may not change their address; the filter still works.
    }
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
