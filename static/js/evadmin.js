// evadmin's only script. Templates carry no inline JavaScript (a Content Security Policy
// will forbid it), so behaviour that htmx attributes cannot express lives here.
(function () {
  "use strict";

  function showFlash(text) {
    var flash = document.getElementById("flash");
    if (!flash) {
      return;
    }
    var article = document.createElement("article");
    article.className = "flash flash-error";
    article.setAttribute("role", "alert");
    article.textContent = text; // textContent: never interpret it as HTML
    flash.replaceChildren(article);
  }

  // htmx 2 does not swap 4xx/5xx responses. The server marks error fragments that are
  // meant to be shown (403 fragment, API errors) with HX-Retarget; swap exactly those.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Any other failed request would otherwise fail silently.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showFlash("That didn’t work (the server answered " + status + "). Please try again or reload the page.");
  });
  // Links styled as buttons (role="button") answer Space as well as Enter, as buttons do.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === " " && target instanceof HTMLAnchorElement && target.getAttribute("role") === "button") {
      event.preventDefault();
      target.click();
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showFlash("evadmin could not be reached. Check your connection and try again.");
  });
})();
