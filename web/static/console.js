// The staff console's only script. Pages work without it; with it, removing asks first and uploads
// show their progress (the transfer, then the ingestion job) and refresh the list in place.
"use strict";

(function () {
  // Remove buttons: a confirm dialog, then the form is posted as confirmed.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    event.preventDefault();
    if (!window.confirm(form.dataset.confirm)) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "confirmed";
    input.value = "yes";
    form.appendChild(input);
    form.removeAttribute("data-confirm");
    form.submit();
  });

  // The dashboard chart scrolls sideways on a phone: start at the newest days.
  Array.prototype.forEach.call(document.querySelectorAll(".chart-wrap"), function (wrap) {
    wrap.scrollLeft = wrap.scrollWidth;
  });

  var form = document.getElementById("upload-form");
  if (!form) return;
  var status = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  var message = document.getElementById("upload-message");
  var button = form.querySelector("button[type=submit]");

  function show(text, value, state) {
    status.hidden = false;
    status.dataset.state = state;
    message.textContent = text;
    if (value === null) bar.removeAttribute("value");
    else bar.value = value;
  }

  function finish(text, state) {
    show(text, state === "done" ? 1 : bar.value, state);
    button.disabled = false;
  }

  function errorText(xhr) {
    try {
      return JSON.parse(xhr.responseText).message;
    } catch (e) {
      return "the server answered " + xhr.status;
    }
  }

  function refreshList() {
    return fetch(window.location.pathname, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("documents-list");
        var current = document.getElementById("documents-list");
        if (fresh && current) current.replaceWith(fresh);
      });
  }

  function poll(jobId) {
    fetch("/v1/jobs/" + encodeURIComponent(jobId), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("job status: " + response.status);
        return response.json();
      })
      .then(function (job) {
        if (job.status === "done") {
          var report = (job.detail && job.detail.report) || {};
          var skipped = report.skipped || [];
          var text = "Done: " + (report.added || []).length + " added, " + (report.updated || []).length +
            " updated, " + (report.unchanged || 0) + " unchanged.";
          skipped.forEach(function (s) { text += " Skipped " + s.path.split("/").pop() + ": " + s.reason + "."; });
          (report.replaced || []).forEach(function (r) { text += " Replaced " + r.key + " (from " + r.previous + ")."; });
          refreshList().finally(function () { finish(text, skipped.length ? "warning" : "done"); });
        } else if (job.status === "failed" || job.status === "cancelled") {
          finish((job.status === "failed" ? "Failed: " : "Cancelled: ") + (job.error || "unknown error"), "failed");
        } else {
          var stage = job.stage ? job.stage + " " + job.done + "/" + job.total : "queued";
          show("Indexing: " + stage, job.total ? job.progress : null, "indexing");
          window.setTimeout(function () { poll(jobId); }, 400);
        }
      })
      .catch(function (error) { finish("Could not follow the upload: " + error.message, "failed"); });
  }

  form.addEventListener("submit", function (event) {
    if (!window.FormData || !window.XMLHttpRequest) return; // the plain form post still works
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) show("Uploading: " + Math.round((e.loaded / e.total) * 100) + "%", e.loaded / e.total, "uploading");
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 202) {
        var accepted = JSON.parse(xhr.responseText);
        show("Uploaded " + accepted.files.join(", ") + ". Indexing…", 0, "indexing");
        form.reset();
        poll(accepted.job_id);
      } else if (xhr.status === 401) {
        window.location.assign("/staff/login");
      } else {
        finish("Upload refused: " + errorText(xhr), "failed");
      }
    });
    xhr.addEventListener("error", function () { finish("The upload failed: network error.", "failed"); });
    button.disabled = true;
    show("Uploading: 0%", 0, "uploading");
    xhr.send(new FormData(form));
  });
})();
