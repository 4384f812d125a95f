// The brief's Print button: record the printing (the server audits it), then open the
// browser's print dialog. Without this file the form still posts the record.
(function () {
  "use strict";
  document.querySelectorAll("form[data-print-brief]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      }).then(function (response) {
        if (response.ok) { window.print(); }
        else { window.alert("The brief could not be printed: the server refused (" + response.status + ")."); }
      }).catch(function () {
        window.alert("The brief could not be printed: the server did not answer.");
      });
    });
  });
})();
