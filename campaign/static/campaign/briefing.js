/* Briefing page: copy the chat text (Clipboard API, or a selection + execCommand where it is missing). */
(function () {
  "use strict";
  var button = document.getElementById("copy-briefing");
  var text = document.getElementById("briefing-text");
  var status = document.getElementById("copy-status");
  if (!button || !text) return;

  function done(ok) {
    status.textContent = ok ? button.dataset.copied : button.dataset.failed;
  }

  function fallback() {
    text.focus();
    text.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok);
  }

  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  });
})();
