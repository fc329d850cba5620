// Autosave of the review form (htmx). The form works without this file: it only lets htmx show
// the replies that refuse a save (409 conflict, 422 invalid value) in the item's live region, and
// says so when the network or the server fails, so that "Saved" is never shown for a lost save.
(function () {
  "use strict";

  function statusRegion(event) {
    var target = event.detail && event.detail.target;
    return target && target.getAttribute("role") === "status" ? target : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function failed(message) {
    return function (event) {
      var region = statusRegion(event);
      if (region) {
        region.textContent = message;
      }
    };
  }

  document.addEventListener(
    "htmx:responseError",
    failed("Not saved. This review may have been submitted, or you may have been signed out. Reload the page.")
  );
  document.addEventListener(
    "htmx:sendError",
    failed("Not saved: there is no connection. Your changes will be saved when you next change this statement.")
  );
})();
