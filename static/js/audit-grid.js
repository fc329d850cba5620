/* SEN audit grid sections: a cell saves itself when left (htmx attributes on each input, see
   templates/audits/includes/cell.html). The Save button posts the whole form with the lock version
   the page holds; if a cell's autosave is still on its way, that version is about to move on, so
   the submit waits for the autosaves to finish (their replies carry the new version) and then
   goes ahead. Without this the user's own autosave would show up as "someone else changed it". */
(function () {
  "use strict";
  var pending = 0;
  var waiting = null;
  document.body.addEventListener("htmx:beforeRequest", function () { pending += 1; });
  document.body.addEventListener("htmx:afterRequest", function () {
    pending = Math.max(0, pending - 1);
    if (pending === 0 && waiting) {
      var form = waiting;
      waiting = null;
      // The reply's new version was swapped in before afterRequest: submit with it.
      setTimeout(function () { form.requestSubmit(); }, 0);
    }
  });
  document.querySelectorAll("form[data-audit-grid]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (pending > 0) {
        event.preventDefault();
        waiting = form;
      }
    });
  });
})();
