// chainpark: the little script the pages need. Only the import form uses it: it sends the chosen file to
// POST /api/v1/imports with the session's CSRF token in the X-CSRF-Token header, then opens the report page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("import-form");
  if (!form) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("import-file");
    var status = document.getElementById("import-status");
    if (!input.files || input.files.length === 0) return;
    var file = input.files[0];
    var params = new URLSearchParams({ filename: file.name });
    if (document.getElementById("accept-valid").checked) params.set("accept_valid", "true");
    var sheet = document.getElementById("import-sheet");
    if (sheet && sheet.value.trim()) params.set("sheet", sheet.value.trim());
    status.textContent = form.dataset.uploading;
    status.classList.remove("hidden");
    fetch("/api/v1/imports?" + params.toString(), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": form.dataset.csrf, "Content-Type": "application/octet-stream" },
      body: file
    }).then(function (response) {
      return response.json().then(function (body) {
        if (body && body.import && body.import.id) {
          window.location.href = "/imports/" + body.import.id;
        } else {
          status.textContent = form.dataset.failed + ": " + (body.detail || response.status);
          status.classList.add("error");
        }
      });
    }).catch(function (error) {
      status.textContent = form.dataset.failed + ": " + error;
      status.classList.add("error");
    });
  });
});
