// Autosave of the review form (htmx). The form works without this file (its button posts the whole
// section); with it, each statement ([data-autosave]) saves itself:
//
// - it posts only the inputs that changed since its last successful save, with its lock version:
//   the server changes only the fields a save carries;
// - a save goes out 0.8 s after typing stops, at once when a choice is made or a field is left
//   (`change`/`focusout`), and on leaving the page (`pagehide`, or the tab being hidden) through
//   `fetch(..., {keepalive: true})`, which outlives the page, so typing and reloading at once loses
//   nothing;
// - "Saving…" shows in the statement's live region while a save is in flight; the reply replaces
//   it ("Saved at HH:MM", or why it was not saved);
// - leaving the page warns only when a save failed and its changes are still unsaved.
//
// No inline script or eval (the CSP forbids both); htmx is configured in base.html.
(function () {
  "use strict";

  var SAVING = "Saving…";
  var states = new WeakMap();

  function itemOf(node) {
    return node && node.closest ? node.closest("[data-autosave]") : null;
  }

  function state(item) {
    var s = states.get(item);
    if (!s) {
      s = { dirty: {}, seq: 0, sent: null, beacon: null, failed: false };
      states.set(item, s);
    }
    return s;
  }

  function codeOf(item) {
    return item.id.replace(/^item-/, "");
  }

  function versionInput(item) {
    return document.getElementById("id_" + codeOf(item) + "-lock_version");
  }

  function statusRegion(item) {
    return document.getElementById("status-" + codeOf(item));
  }

  function dirtyNames(s) {
    return Object.keys(s.dirty);
  }

  function markDirty(event) {
    var input = event.target;
    var item = itemOf(input);
    if (!item || !input.name) {
      return;
    }
    var s = state(item);
    s.seq += 1;
    s.dirty[input.name] = s.seq;
  }

  document.addEventListener("input", markDirty, true);
  document.addEventListener("change", markDirty, true);

  // The inputs of this statement that changed, as name/value pairs ready to post.
  function changedPairs(item, names) {
    var form = item.closest("form");
    var pairs = [];
    names.forEach(function (name) {
      var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
      var carried = false;
      inputs.forEach(function (input) {
        if ((input.type === "radio" || input.type === "checkbox") && !input.checked) {
          return;
        }
        pairs.push([name, input.value]);
        carried = true;
      });
      var marker = form.querySelector('[name="' + CSS.escape(name + "__present") + '"]');
      if (marker) {
        pairs.push([marker.name, marker.value]); // an unticked box still says "changed"
      } else if (!carried && inputs.length && inputs[0].type === "radio") {
        pairs.push([name, ""]);
      }
    });
    return pairs;
  }

  function csrfToken(item) {
    var input = item.closest("form").querySelector('[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function settle(item, sent, ok) {
    var s = state(item);
    if (ok) {
      Object.keys(sent).forEach(function (name) {
        if (s.dirty[name] === sent[name]) {
          delete s.dirty[name];
        }
      });
      s.failed = false;
    } else {
      s.failed = true;
    }
  }

  // --- saves through htmx ------------------------------------------------------------------------

  document.addEventListener("htmx:configRequest", function (event) {
    var item = event.detail.elt;
    if (!item.hasAttribute || !item.hasAttribute("data-autosave")) {
      return;
    }
    var s = state(item);
    var names = dirtyNames(s);
    if (!names.length || s.beacon || leaving) {
      // Nothing changed (a field left without a change), a save sent on leaving is still in
      // flight (it is followed up when its reply comes), or the page is being left: the save
      // sent then (keepalive) carries it, where this request might be cut off with the page.
      event.preventDefault();
      return;
    }
    var data = event.detail.formData;
    Array.from(data.keys()).forEach(function (key) {
      data.delete(key);
    });
    data.append("csrfmiddlewaretoken", csrfToken(item));
    data.append(codeOf(item) + "-lock_version", versionInput(item).value);
    changedPairs(item, names).forEach(function (pair) {
      data.append(pair[0], pair[1]);
    });
    s.sent = {};
    names.forEach(function (name) {
      s.sent[name] = s.dirty[name];
    });
    s.sentVersion = parseInt(versionInput(item).value, 10);
    var region = statusRegion(item);
    if (region) {
      region.textContent = SAVING;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var item = event.detail.elt;
    if (!item.hasAttribute || !item.hasAttribute("data-autosave")) {
      return;
    }
    var s = state(item);
    var xhr = event.detail.xhr;
    if (s.sent) {
      settle(item, s.sent, !!xhr && xhr.status === 200);
    }
    s.sent = null;
  });

  function failed(message) {
    return function (event) {
      var item = event.detail && event.detail.elt;
      var region = item && item.hasAttribute && item.hasAttribute("data-autosave") && statusRegion(item);
      if (region) {
        region.textContent = message;
        state(item).failed = true;
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

  // --- saves sent on leaving the page ------------------------------------------------------------

  // From `beforeunload` (or `pagehide`) on, saves go out through `flush` only. If the page is
  // still here a few seconds later, leaving was cancelled (or was a download): carry on.
  var leaving = false;
  var leavingTimer = null;

  function startLeaving() {
    leaving = true;
    window.clearTimeout(leavingTimer);
    leavingTimer = window.setTimeout(stayed, 5000);
  }

  function stayed() {
    leaving = false;
    document.querySelectorAll("[data-autosave]").forEach(function (item) {
      if (dirtyNames(state(item)).length && !state(item).failed) {
        htmx.trigger(item, "change");
      }
    });
  }

  window.addEventListener("pageshow", function () {
    window.clearTimeout(leavingTimer);
    if (leaving) {
      stayed();
    }
  });

  // The section's own button posts every statement: nothing is left to flush after it.
  var submitting = false;
  document.addEventListener("submit", function () {
    submitting = true;
  });

  function flush() {
    if (submitting) {
      return;
    }
    document.querySelectorAll("[data-autosave][hx-post]").forEach(function (item) {
      var s = state(item);
      var names = dirtyNames(s);
      if (!names.length || s.beacon) {
        return;
      }
      // A save still in flight may or may not reach the server once the page is gone. If it
      // carries all that is unsaved, send the same again from the same version: whichever lands
      // second finds the text already stored and writes nothing. If more changed since, build on
      // the version the one in flight claims.
      var version = parseInt(versionInput(item).value, 10);
      if (s.sent) {
        var same = names.every(function (name) {
          return s.sent[name] === s.dirty[name];
        });
        version = same ? s.sentVersion : s.sentVersion + 1;
      }
      var body = new URLSearchParams();
      body.append("csrfmiddlewaretoken", csrfToken(item));
      body.append(codeOf(item) + "-lock_version", String(version));
      changedPairs(item, names).forEach(function (pair) {
        body.append(pair[0], pair[1]);
      });
      var sent = {};
      names.forEach(function (name) {
        sent[name] = s.dirty[name];
      });
      s.beacon = sent;
      var region = statusRegion(item);
      if (region) {
        region.textContent = SAVING;
      }
      fetch(item.getAttribute("hx-post"), {
        method: "POST",
        body: body,
        keepalive: true,
        credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRFToken": csrfToken(item) },
      })
        .then(function (reply) {
          return reply.text().then(function (html) {
            // Still on the page (the tab was only hidden): show the reply as htmx would.
            var doc = new DOMParser().parseFromString(html, "text/html");
            var fresh = doc.querySelector('input[name$="-lock_version"]');
            if (reply.status === 200 && fresh) {
              versionInput(item).value = fresh.value;
              fresh.remove();
            }
            if (region) {
              region.innerHTML = doc.body.innerHTML;
            }
            settle(item, sent, reply.status === 200);
          });
        })
        .catch(function () {
          if (region) {
            region.textContent = "Not saved: there is no connection. Your changes will be saved when you next change this statement.";
          }
          settle(item, sent, false);
        })
        .then(function () {
          s.beacon = null;
          if (dirtyNames(s).length && !s.failed) {
            htmx.trigger(item, "change"); // changed again while it was in flight
          }
        });
    });
  }

  window.addEventListener("pagehide", function () {
    startLeaving();
    flush();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flush();
    }
  });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = false;
    document.querySelectorAll("[data-autosave]").forEach(function (item) {
      var s = state(item);
      if (s.failed && dirtyNames(s).length) {
        unsaved = true;
      }
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    } else {
      startLeaving();
    }
  });
})();
