// Loaded at the very start of <body> (no inline scripts under our CSP): tells GOV.UK Frontend's CSS
// that JavaScript runs, and whether the browser can run its ES module build.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
