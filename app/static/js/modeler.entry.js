/*
 * The legal section's process modeler: bpmn-js Modeler with a Chinese UI, our side panel, save to the draft
 * service, lint problems shown on the diagram (a marker and a badge with the message on hover) and in a list.
 *
 * The page holds <div id="modeler-app"> and <script type="application/json" id="modeler-config"> with:
 *   draft: {id, version, lock (the draft's revision)}, file (the BPMN file edited), xml, forms [[key, title]],
 *   docTypes [[code, title]], processes [[id, name]], decisions [id], roles [[lane name, label]], roleNames {lane name: label}, kinds {type: label},
 *   labels {key: text}, urls {save, checkScript, formEditor?}, csrf, locale, problems [{element_id, message}].
 * After loading, window.archivesModeler is the bpmn-js modeler (tests may drive it through its API).
 */
import Modeler from 'bpmn-js/lib/Modeler';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import './modeler.css';
import { translateModule } from './modeler-i18n';
import { SidePanel } from './modeler-panel';
import { spiffDescriptor } from './modeler-spiff';

const READABLE_ZOOM = 0.8;
const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

class ModelerPage {
  constructor(root, config) {
    this.config = config;
    this.L = (key) => (config.labels && config.labels[key]) || key;
    this.canvasEl = root.querySelector('[data-modeler-canvas]');
    this.problemsEl = root.querySelector('[data-modeler-problems]');
    this.statusEl = root.querySelector('[data-modeler-status]');
    this.saveButton = root.querySelector('[data-modeler-save]');
    this.reasonEl = root.querySelector('[data-modeler-reason]');
    this.lock = config.draft.lock;
    this.dirty = false;
    this.problemMarkers = [];
    this.modeler = new Modeler({
      container: this.canvasEl,
      additionalModules: config.locale === 'en' ? [] : [translateModule],
      moddleExtensions: { spiffworkflow: spiffDescriptor },
      textRenderer: { defaultStyle: { fontFamily: FONT, fontSize: 13 }, externalStyle: { fontFamily: FONT, fontSize: 12 } },
    });
    this.panel = new SidePanel(root.querySelector('[data-modeler-panel]'), this.modeler, config);
    this.modeler.on('commandStack.changed', () => this.setDirty(true));
    this.saveButton.addEventListener('click', () => this.save());
    this.wireToolbar(root);
    window.addEventListener('beforeunload', (event) => {
      if (this.dirty) { event.preventDefault(); event.returnValue = ''; }
    });
    window.archivesModeler = this.modeler;
    window.archivesModelerPage = this;
  }

  async open() {
    try {
      await this.modeler.importXML(this.config.xml);
      this.initialView();
    } catch (error) {
      this.setStatus(`${this.L('cannot_draw')}${error.message}`, 'danger');
      return;
    }
    this.showProblems(this.config.problems || []);
    this.setDirty(false);
    document.body.dataset.modelerReady = 'true';
  }

  /** The whole diagram when it stays readable, else its beginning at a readable zoom. */
  initialView() {
    const canvas = this.modeler.get('canvas');
    const zoom = canvas.zoom('fit-viewport', 'auto');
    if (zoom >= READABLE_ZOOM) return;
    const { inner } = canvas.viewbox();
    canvas.zoom(READABLE_ZOOM, { x: inner.x, y: inner.y });
    const after = canvas.viewbox();
    canvas.viewbox({ x: inner.x - 150, y: inner.y - 20, width: after.width, height: after.height });
  }

  wireToolbar(root) {
    const actions = {
      undo: () => this.modeler.get('commandStack').undo(),
      redo: () => this.modeler.get('commandStack').redo(),
      zoomIn: () => this.modeler.get('zoomScroll').stepZoom(1),
      zoomOut: () => this.modeler.get('zoomScroll').stepZoom(-1),
      fit: () => this.modeler.get('canvas').zoom('fit-viewport', 'auto'),
    };
    root.querySelectorAll('[data-modeler-action]').forEach((button) => {
      button.addEventListener('click', () => actions[button.dataset.modelerAction]());
    });
  }

  setDirty(dirty) {
    this.dirty = dirty;
    this.saveButton.classList.toggle('btn-primary', dirty);
    this.saveButton.classList.toggle('btn-outline-primary', !dirty);
    if (dirty) this.setStatus(this.L('unsaved'), 'warning-emphasis');
  }

  setStatus(text, tone) {
    this.statusEl.className = `small mb-1 text-${tone || 'muted'}`;
    this.statusEl.textContent = text;
  }

  clearProblems() {
    const overlays = this.modeler.get('overlays');
    const canvas = this.modeler.get('canvas');
    overlays.remove({ type: 'lint-problem' });
    this.problemMarkers.forEach((id) => canvas.removeMarker(id, 'diagram-problem'));
    this.problemMarkers = [];
  }

  /** Every problem: a red marker and a badge (message on hover) on its element, and a line in the list. */
  showProblems(problems) {
    this.clearProblems();
    const registry = this.modeler.get('elementRegistry');
    const overlays = this.modeler.get('overlays');
    const canvas = this.modeler.get('canvas');
    const byElement = {};
    problems.forEach((p) => { (byElement[p.element_id] = byElement[p.element_id] || []).push(p.message || p.message_zh); });
    Object.entries(byElement).forEach(([id, messages]) => {
      if (!id || !registry.get(id)) return;
      canvas.addMarker(id, 'diagram-problem');
      this.problemMarkers.push(id);
      const text = messages.join('\n');
      overlays.add(id, 'lint-problem', {
        position: { top: -12, right: 12 },
        html: `<span class="lint-badge" data-lint-element="${escapeHtml(id)}" title="${escapeHtml(text)}" role="img" aria-label="${escapeHtml(text)}">!</span>`,
      });
    });
    this.problemsEl.replaceChildren();
    if (!problems.length) {
      this.problemsEl.innerHTML = `<p class="text-success mb-0" data-testid="no-problems">${escapeHtml(this.L('no_problems'))}</p>`;
      return;
    }
    const heading = document.createElement('p');
    heading.className = 'fw-semibold text-danger mb-1';
    heading.textContent = this.L('problems_heading').replace('%(count)s', problems.length);
    this.problemsEl.appendChild(heading);
    const list = document.createElement('ul');
    list.className = 'list-unstyled mb-0';
    list.dataset.testid = 'lint-problems';
    problems.forEach((p) => {
      const item = document.createElement('li');
      const element = p.element_id && registry.get(p.element_id);
      if (element) {
        const link = document.createElement('button');
        link.type = 'button';
        link.className = 'btn btn-link btn-sm p-0 text-start';
        link.textContent = `${p.element_name || element.businessObject.name || p.element_id}：${p.message || p.message_zh}`;
        link.addEventListener('click', () => {
          this.modeler.get('selection').select(element);
          canvas.scrollToElement(element);
        });
        item.appendChild(link);
      } else {
        const message = p.message || p.message_zh;
        item.textContent = p.element_name ? `${p.element_name}：${message}` : message;
      }
      list.appendChild(item);
    });
    this.problemsEl.appendChild(list);
    const first = problems.map((p) => p.element_id && registry.get(p.element_id)).find(Boolean);
    if (first) canvas.scrollToElement(first, { top: 120, bottom: 120, left: 160, right: 120 });
  }

  async save() {
    const reason = this.reasonEl ? this.reasonEl.value.trim() : '';
    if (this.reasonEl && !reason) {
      this.reasonEl.classList.add('is-invalid');
      this.reasonEl.focus();
      this.setStatus(this.L('reason_required'), 'danger');
      return;
    }
    if (this.reasonEl) this.reasonEl.classList.remove('is-invalid');
    this.saveButton.disabled = true;
    this.setStatus(this.L('saving'), 'muted');
    try {
      const { xml } = await this.modeler.saveXML({ format: true });
      const response = await fetch(this.config.urls.save, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': this.config.csrf, Accept: 'application/json' },
        body: JSON.stringify({ files: { [this.config.file]: xml }, revision: this.lock, reason }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        if (body.draft && body.draft.revision !== undefined) this.lock = body.draft.revision;
        this.setDirty(false);
        this.showProblems([]);
        this.setStatus(this.L('saved'), 'success');
        document.body.dataset.modelerSaved = String(this.lock);
      } else {
        if (body.problems) this.showProblems(body.problems);
        this.setStatus(body.error || body.message || this.L('save_failed'), 'danger');
      }
    } catch (error) {
      this.setStatus(`${this.L('save_failed')} ${error.message}`, 'danger');
    } finally {
      this.saveButton.disabled = false;
    }
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const root = document.getElementById('modeler-app');
  const source = document.getElementById('modeler-config');
  if (!root || !source) return;
  const page = new ModelerPage(root, JSON.parse(source.textContent));
  page.open();
});
