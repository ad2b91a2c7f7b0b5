/*
 * The form editor's live preview (bundled by `make frontend` into app/static/vendor/build/form-editor.js).
 * Without JavaScript the editor works with its "更新预览" button; with it, every change posts the editor's fields to
 * the preview endpoint (data-preview-url, rendered by the task page's own server renderer) and shows the returned
 * HTML; choosing a field's kind shows the settings that kind uses ([data-kinds]).
 */
import './form-editor.css';

function showKindSettings(card) {
  const select = card.querySelector('[data-kind-select]');
  if (!select) return;
  card.querySelectorAll('[data-kinds]').forEach((el) => {
    el.hidden = !el.dataset.kinds.split(' ').includes(select.value);
  });
}

function wire(form) {
  const target = document.getElementById('form-preview');
  const token = form.querySelector('input[name=csrf_token]');
  let timer = null;
  let sequence = 0;
  async function refresh() {
    const mine = ++sequence;
    const response = await fetch(form.dataset.previewUrl, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin',
      headers: token ? { 'X-CSRFToken': token.value } : {},
    });
    if (response.ok && mine === sequence && target) {
      target.innerHTML = await response.text();
      target.dataset.previewRefreshed = String(mine);
    }
  }
  form.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 400); });
  form.addEventListener('change', (event) => {
    const card = event.target.closest('[data-field-card]');
    if (card && event.target.matches('[data-kind-select]')) showKindSettings(card);
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
}

function start() {
  document.querySelectorAll('form[data-preview-url]').forEach(wire);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
