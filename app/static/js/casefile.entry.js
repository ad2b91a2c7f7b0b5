// Polls a case-file build's status and updates the progress bar; reloads the page when it is done.
(function () {
  const box = document.getElementById('casefile');
  if (!box) return;
  const bar = document.getElementById('casefile-bar');
  const stage = document.getElementById('casefile-stage');
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: 'application/json' } });
      const state = await response.json();
      if (bar) { bar.style.width = state.progress + '%'; bar.textContent = state.progress + '%'; }
      if (bar && bar.parentElement) bar.parentElement.setAttribute('aria-valuenow', state.progress);
      if (stage) stage.textContent = state.stage;
      if (state.done) { window.location.reload(); return; }
    } catch (e) { /* try again */ }
    setTimeout(poll, 700);
  }
  setTimeout(poll, 500);
}());
