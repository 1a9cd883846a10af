// Upload forms with a progress bar. The form posts as usual without JavaScript; with it, the
// file is sent by XMLHttpRequest so that its upload progress can be shown. The answer then
// replaces the page: a redirect (a stored track) is followed, a result or a refusal is shown
// in place, as the plain form would have shown it.
(function () {
  "use strict";

  function showAnswer(xhr, form) {
    var target = xhr.responseURL || "";
    if (target && target.split("#")[0] !== form.action.split("#")[0]) {
      window.location.assign(target);
      return;
    }
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    document.replaceChild(document.importNode(doc.documentElement, true), document.documentElement);
    bindAll();
  }

  function bind(form) {
    var bar = document.getElementById(form.getAttribute("data-progress"));
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !bar) {
        return; // the browser posts the form itself
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      bar.hidden = false;
      bar.value = 0;
      status.hidden = false;
      status.textContent = form.getAttribute("data-uploading") || "";
      button.disabled = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
          bar.setAttribute("data-percent", String(bar.value));
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        bar.setAttribute("data-percent", "100");
        status.textContent = form.getAttribute("data-processing") || "";
      });
      xhr.addEventListener("load", function () {
        showAnswer(xhr, form);
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = form.getAttribute("data-failed") || "";
      });
      xhr.send(new FormData(form));
    });
  }

  function bindAll() {
    var forms = document.querySelectorAll("form.upload-form");
    for (var i = 0; i < forms.length; i++) {
      bind(forms[i]);
    }
  }

  bindAll();
})();
