/*
 * The shared process-diagram viewer (bpmn-js NavigatedViewer), bundled by `make frontend` into
 * app/static/vendor/build/diagram.js (+ diagram.css). Load both on a page, then:
 *
 *   const viewer = await ArchivesDiagram.show(containerEl, xmlString, {
 *     markers: { elementId: 'diagram-current', other: ['diagram-completed', 'x'] },  // CSS classes per element
 *     overlays: [{ element: 'elementId', html: '<span class="badge">2</span>',
 *                  position: { top: -10, right: 10 } }],                            // HTML pinned to elements
 *     onClick(elementId, info) { ... },   // info = { id, type: 'bpmn:UserTask', name }; not called for the canvas
 *     height: '480px',                    // container height (default: keep the container's CSS height)
 *     toolbar: true,                      // zoom in / zoom out / fit buttons (default true)
 *   });
 *
 * `show` resolves to the bpmn-js viewer (so callers can reach `viewer.get('canvas')` etc.) and rejects with an
 * Error whose message is Chinese when the XML cannot be drawn. Helpers on the global:
 *
 *   ArchivesDiagram.setMarkers(viewer, markers)   // replace the markers set by show()/setMarkers()
 *   ArchivesDiagram.select(viewer, elementId)     // outline one element (diagram-selected) and scroll it into view
 *   ArchivesDiagram.fit(viewer)                   // fit the whole diagram into the container
 *
 * Marker classes with a style in diagram.css: diagram-completed (green), diagram-current (blue, thick),
 * diagram-cancelled (grey, dashed), diagram-error (red), diagram-selected (outline), diagram-added (green),
 * diagram-removed (red, dashed), diagram-changed (orange), diagram-problem (red outline, for lint problems).
 * Any other class name works too: style it in the page's own CSS (`.djs-element.my-class .djs-visual > *`).
 *
 * The ready-made page helper: any element `[data-diagram-xml]` (holding the XML in a <script type="text/xml">
 * child or in the attribute `data-diagram-src` as a URL) is drawn on DOMContentLoaded; clicking an element shows the
 * `<template data-element-detail="ID">` of the same `[data-diagram-scope]` in its `[data-diagram-detail]` panel.
 * Server-side markers and overlays without any script of the page's own: `data-diagram-markers='{"ID": "class"}'`
 * and `data-diagram-overlays='[{"element": "ID", "text": "…", "title": "…", "class": "…"}]'` (text, never HTML).
 * When drawn, the container gets `data-diagram-ready="true"` (browser tests wait for it).
 */
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './diagram.css';

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';
const LABELS = { zoomIn: '放大', zoomOut: '缩小', fit: '适合窗口' };

function markerList(value) {
  if (!value) return [];
  return Array.isArray(value) ? value : String(value).split(/\s+/).filter(Boolean);
}

function setMarkers(viewer, markers) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  (viewer.__archivesMarkers || []).forEach(([id, cls]) => {
    if (registry.get(id)) canvas.removeMarker(id, cls);
  });
  const applied = [];
  Object.entries(markers || {}).forEach(([id, value]) => {
    if (!registry.get(id)) return;
    markerList(value).forEach((cls) => { canvas.addMarker(id, cls); applied.push([id, cls]); });
  });
  viewer.__archivesMarkers = applied;
}

const MIN_READABLE_ZOOM = 0.85;

function fit(viewer) {
  const canvas = viewer.get('canvas');
  canvas.zoom('fit-viewport', 'auto');
}

/* First view: the whole diagram when it stays readable, else its beginning at a readable zoom (pan for the rest). */
function initialView(viewer) {
  const canvas = viewer.get('canvas');
  const zoom = canvas.zoom('fit-viewport', 'auto');
  if (zoom >= MIN_READABLE_ZOOM) return;
  const box = canvas.viewbox();
  const inner = box.inner;
  canvas.zoom(MIN_READABLE_ZOOM, { x: inner.x, y: inner.y });
  const after = canvas.viewbox();
  canvas.viewbox({ x: inner.x - 20, y: inner.y - 20, width: after.width, height: after.height });
}

function select(viewer, elementId) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  if (viewer.__archivesSelected && registry.get(viewer.__archivesSelected)) {
    canvas.removeMarker(viewer.__archivesSelected, 'diagram-selected');
  }
  viewer.__archivesSelected = null;
  const element = registry.get(elementId);
  if (!element) return;
  canvas.addMarker(elementId, 'diagram-selected');
  viewer.__archivesSelected = elementId;
  if (canvas.scrollToElement) canvas.scrollToElement(element);
}

function toolbar(container, viewer) {
  const bar = document.createElement('div');
  bar.className = 'diagram-toolbar btn-group btn-group-sm';
  bar.setAttribute('role', 'group');
  const zoomScroll = viewer.get('zoomScroll');
  [['zoomIn', '+', () => zoomScroll.stepZoom(1)], ['zoomOut', '−', () => zoomScroll.stepZoom(-1)],
    ['fit', '⤢', () => fit(viewer)]].forEach(([key, text, action]) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-light border';
    button.dataset.diagramAction = key;
    button.title = LABELS[key];
    button.setAttribute('aria-label', LABELS[key]);
    button.textContent = text;
    button.addEventListener('click', action);
    bar.appendChild(button);
  });
  container.appendChild(bar);
}

async function show(container, xml, options = {}) {
  if (options.height) container.style.height = options.height;
  container.classList.add('archives-diagram');
  const viewer = new NavigatedViewer({
    container,
    textRenderer: { defaultStyle: { fontFamily: FONT, fontSize: 13 }, externalStyle: { fontFamily: FONT, fontSize: 12 } },
  });
  try {
    await viewer.importXML(xml);
  } catch (error) {
    viewer.destroy();
    const message = new Error('流程图无法显示：' + (error && error.message ? error.message : error));
    message.cause = error;
    throw message;
  }
  initialView(viewer);
  setMarkers(viewer, options.markers);
  const overlays = viewer.get('overlays');
  (options.overlays || []).forEach((overlay) => {
    if (!viewer.get('elementRegistry').get(overlay.element)) return;
    overlays.add(overlay.element, { position: overlay.position || { top: -12, right: 12 }, html: overlay.html });
  });
  if (options.onClick) {
    viewer.on('element.click', (event) => {
      const element = event.element;
      if (!element || !element.businessObject || element.type === 'bpmn:Process'
          || element.type === 'bpmn:Collaboration' || element.type === 'label') return;
      const bo = element.businessObject;
      options.onClick(element.id, { id: element.id, type: element.type, name: bo.name || '' });
    });
  }
  if (options.toolbar !== false) toolbar(container, viewer);
  return viewer;
}

function badge(overlay) {
  const span = document.createElement('span');
  span.className = 'diagram-badge ' + (overlay.class || '');
  span.textContent = overlay.text || '';
  if (overlay.title) { span.title = overlay.title; span.setAttribute('aria-label', overlay.title); }
  return span;
}

/* The page helper described at the top. */
function wirePage() {
  document.querySelectorAll('[data-diagram-xml]').forEach(async (container) => {
    const scope = container.closest('[data-diagram-scope]') || document;
    const source = container.querySelector('script[type="text/xml"]');
    let xml = source ? source.textContent : '';
    if (!xml && container.dataset.diagramSrc) xml = await (await fetch(container.dataset.diagramSrc)).text();
    const panel = scope.querySelector('[data-diagram-detail]');
    const fallback = scope.querySelector('[data-diagram-fallback]');
    const parse = (value, fallback) => { try { return value ? JSON.parse(value) : fallback; } catch (e) { return fallback; } };
    const overlays = parse(container.dataset.diagramOverlays, []).map((o) => ({
      element: o.element, position: o.position || { top: -12, right: 12 }, html: badge(o),
    }));
    try {
      const viewer = await show(container, xml, {
        markers: parse(container.dataset.diagramMarkers, {}),
        overlays,
        onClick(id) {
          select(viewer, id);
          const template = Array.from(scope.querySelectorAll('template[data-element-detail]'))
            .find((t) => t.dataset.elementDetail === id);
          if (!panel) return;
          panel.replaceChildren(template ? template.content.cloneNode(true) : document.createTextNode(''));
          panel.dataset.elementId = id;
          panel.hidden = !template;
          const hint = scope.querySelector('[data-diagram-hint]');
          if (hint) hint.hidden = Boolean(template);
        },
      });
      container.dataset.diagramReady = 'true';
      container.__viewer = viewer;
    } catch (error) {
      container.classList.add('diagram-failed');
      container.textContent = error.message;
      if (fallback) fallback.open = true;
    }
  });
}

window.ArchivesDiagram = { show, setMarkers, select, fit };
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wirePage);
else wirePage();
