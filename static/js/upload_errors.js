// markdownx only logs a refused upload; tell the editor why it was refused.
// A file, not an inline script, so the admin works under the site's Content-Security-Policy.
document.addEventListener("markdownx.fileUploadError", function (event) {
  var answer = event.detail && event.detail[0];
  if (answer && answer.error) { window.alert(answer.error); }
}, true);
