// Forms marked data-progress (imports): while the files upload and the work runs, show that work is going on and
// keep the button from being pressed twice. The forms work without this script.
for (const form of document.querySelectorAll("form[data-progress]")) {
  form.addEventListener("submit", () => {
    const status = document.getElementById(form.dataset.progress);
    if (status) {
      status.hidden = false;
    }
    for (const button of form.querySelectorAll("button[type=submit]")) {
      button.disabled = true;
    }
  });
}
