/*
 * The publish page: draws the draft's diagram with added (green) and changed (orange) elements marked, and, when
 * something was removed, the published diagram with the removed elements marked (red, dashed). Uses the shared
 * viewer (window.ArchivesDiagram from diagram.js, loaded before this script).
 */
function markerMap(ids, cls) {
  const result = {};
  (ids || []).forEach((id) => { result[id] = cls; });
  return result;
}

function mainFile(files) {
  return Object.keys(files).filter((name) => name.endsWith('.bpmn')).sort()[0];
}

async function draw(container, files, fileName, markers) {
  if (!container || !fileName || !files[fileName]) return;
  try {
    const viewer = await window.ArchivesDiagram.show(container, files[fileName], { markers, height: '460px' });
    const first = Object.keys(markers).map((id) => viewer.get('elementRegistry').get(id))
      .find((element) => element && element.type !== 'bpmn:SequenceFlow');
    if (first) viewer.get('canvas').scrollToElement(first, { top: 160, bottom: 160, left: 200, right: 200 });
    container.dataset.diagramReady = 'true';
  } catch (error) {
    container.textContent = error.message;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const source = document.getElementById('diff-data');
  if (!source || !window.ArchivesDiagram) return;
  const data = JSON.parse(source.textContent);
  const file = data.file || mainFile(data.files);
  draw(document.getElementById('diff-diagram'), data.files, file,
    { ...markerMap(data.markers.added, 'diagram-added'), ...markerMap(data.markers.changed, 'diagram-changed') });
  const removed = document.getElementById('diff-removed-diagram');
  if (removed && data.markers.removed.length) {
    draw(removed, data.base_files, data.file && data.base_files[data.file] ? data.file : mainFile(data.base_files),
      markerMap(data.markers.removed, 'diagram-removed'));
  }
});
