/*
 * A case on its diagram (case page and step-through). Uses the shared viewer `window.ArchivesDiagram`
 * (app/static/js/diagram.entry.js, loaded first); adds nothing but the wiring:
 *
 *   <div data-case-scope>
 *     <div data-case-diagram data-xml="…BPMN, HTML-escaped…" data-markers='{"id": ["diagram-completed"]}'
 *          data-focus="id"></div>
 *     <div data-case-detail hidden></div>
 *     <details data-case-fallback><div data-element-detail="id">…what happened there…</div></details>
 *   </div>
 *
 * Clicking an element copies its block from the text version (<details data-case-fallback>, what a reader
 * without JavaScript opens) into the detail panel.
 */
import './case_diagram.css';

function showDetail(scope, viewer, id) {
  const panel = scope.querySelector('[data-case-detail]');
  if (!panel) return;
  window.ArchivesDiagram.select(viewer, id);
  const source = Array.from(scope.querySelectorAll('[data-case-fallback] [data-element-detail]'))
    .find((t) => t.dataset.elementDetail === id);
  const body = document.createElement('div');
  body.className = 'card-body';
  if (source) body.innerHTML = source.innerHTML;
  else body.textContent = panel.dataset.empty || '';
  panel.replaceChildren(body);
  panel.dataset.elementId = id;
  panel.hidden = false;
}

async function drawOne(container) {
  const scope = container.closest('[data-case-scope]') || document;
  const xml = container.dataset.xml || '';
  let markers = {};
  try { markers = JSON.parse(container.dataset.markers || '{}'); } catch (e) { markers = {}; }
  try {
    const viewer = await window.ArchivesDiagram.show(container, xml, {
      markers,
      onClick(id) { showDetail(scope, viewer, id); },
    });
    if (container.dataset.focus) window.ArchivesDiagram.select(viewer, container.dataset.focus);
    container.__viewer = viewer;
    container.dataset.diagramReady = 'true';
  } catch (error) {
    container.classList.add('diagram-failed');
    container.textContent = error.message;
    const fallback = scope.querySelector('[data-case-fallback]');
    if (fallback) fallback.open = true;
  }
}

function wire() {
  if (!window.ArchivesDiagram) return;
  document.querySelectorAll('[data-case-diagram]').forEach(drawOne);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire);
else wire();

/* The step-through's timeline: keep the current step in view inside its scrolling list. */
function showActiveStep() {
  const active = document.querySelector('.step-list .active-step');
  if (!active) return;
  const list = active.closest('.step-list');
  list.scrollTop = active.offsetTop - list.offsetTop - list.clientHeight / 3;
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showActiveStep);
else showActiveStep();
