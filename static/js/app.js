/* Small behaviours shared by every page; no inline scripts, so a strict CSP can forbid them. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  var submitter = event.submitter;
  var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  var progress = form.getAttribute("data-progress");
  if (progress) {
    var note = document.getElementById(progress);
    if (note) note.hidden = false;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }
});
