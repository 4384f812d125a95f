// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Send Django's CSRF token with htmx requests (the cookie is HttpOnly, so read the form field).
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
})();
