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

  // "/" from anywhere goes to the search box: this page's, else the users page's (which focuses it).
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey ||
        (target.closest && target.closest("input, textarea, select, [contenteditable]"))) {
      return;
    }
    var box = document.querySelector("[data-search-box]");
    event.preventDefault();
    if (box) {
      box.focus();
      box.select();
    } else if (document.body.dataset.searchUrl) {
      window.location.href = document.body.dataset.searchUrl;
    }
  });

  // Enter on a result row (rows take the focus) opens it: the row's first link.
  document.addEventListener("keydown", function (event) {
    var row = event.target;
    if (event.key !== "Enter" || !(row instanceof HTMLTableRowElement)) {
      return;
    }
    var link = row.querySelector("a[href]");
    if (link) {
      event.preventDefault();
      link.click();
    }
  });

  // A cell cut short by its column (table.truncating) shows its whole value on hover.
  function titleCutCells(root) {
    root.querySelectorAll("table.truncating td").forEach(function (cell) {
      if (cell.scrollWidth > cell.clientWidth && !cell.title) {
        cell.title = cell.textContent.trim();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    titleCutCells(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    titleCutCells(event.detail.elt || document);
  });

  document.addEventListener("htmx:sendError", function () {
    showFlash("evadmin could not be reached. Check your connection and try again.");
  });
})();
