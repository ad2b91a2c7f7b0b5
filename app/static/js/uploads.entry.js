// Resumable uploads of recordings on task forms (Uppy + the tus protocol, against our /uploads/ endpoint).
// Each file field marked `resumable` gets a Dashboard with progress; a finished upload adds a hidden
// `f.<field>.keep` input carrying its attachment id, so the form (and everything typed in it) is submitted
// as usual. Without JavaScript the plain file input stays and works for small files.
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import Tus from '@uppy/tus';
import zhCN from '@uppy/locales/lib/zh_CN.js';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';

const CHUNK = 32 * 1024 * 1024; // under the server's 60 MB request limit; each chunk is one PATCH

function taskId() {
  const match = window.location.pathname.match(/\/tasks\/(\d+)/);
  return match ? match[1] : '';
}

function mount(holder) {
  const form = holder.closest('form');
  const field = holder.dataset.field;
  const chinese = document.documentElement.lang !== 'en';
  const fallback = form.querySelector(`input[type=file][name="f.${field}"]`);
  if (fallback) { fallback.disabled = true; fallback.hidden = true; }
  const csrf = form.querySelector('input[name=csrf_token]');
  const uppy = new Uppy({
    id: `uppy-${field}`,
    autoProceed: true,
    locale: chinese ? zhCN : undefined,
    restrictions: {
      maxFileSize: Number(holder.dataset.max) || null,
      allowedFileTypes: holder.dataset.accept ? holder.dataset.accept.split(',') : null,
    },
    meta: { task_id: taskId(), field },
  });
  uppy.use(Dashboard, {
    inline: true,
    target: holder,
    width: '100%',
    height: 320,
    showProgressDetails: true,
    proudlyDisplayPoweredByUppy: false,
    note: holder.dataset.note || null,
  });
  uppy.use(Tus, {
    endpoint: '/uploads/',
    chunkSize: CHUNK,
    retryDelays: [0, 1000, 2000, 3000, 5000, 8000, 13000, 21000],
    headers: csrf ? { 'X-CSRFToken': csrf.value } : {},
    allowedMetaFields: ['task_id', 'field', 'filename', 'filetype'],
    removeFingerprintOnSuccess: true,
  });
  uppy.on('upload-success', async (file, response) => {
    const head = await fetch(response.uploadURL, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    const id = head.headers.get('Upload-Attachment-Id');
    if (!id) return;
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = `f.${field}.keep`;
    input.value = id;
    input.dataset.uploadedFile = file.id;
    form.appendChild(input);
    holder.dataset.done = String(Number(holder.dataset.done || 0) + 1);
  });
  uppy.on('file-removed', (file) => {
    form.querySelectorAll(`input[data-uploaded-file="${file.id}"]`).forEach((el) => el.remove());
  });
  return uppy;
}

document.addEventListener('DOMContentLoaded', () => {
  const holders = Array.from(document.querySelectorAll('[data-resumable]'));
  const uppies = holders.map(mount);
  window.archivesUploads = uppies; // for the browser test and for debugging
  holders.forEach((holder) => {
    const form = holder.closest('form');
    if (form.dataset.uploadGuard) return;
    form.dataset.uploadGuard = '1';
    form.addEventListener('submit', (event) => {
      const busy = uppies.some((u) => u.getFiles().some((f) => !f.progress.uploadComplete && !f.error));
      if (busy) {
        event.preventDefault();
        form.querySelectorAll('[data-upload-wait]').forEach((el) => { el.hidden = false; });
      }
    });
  });
});
