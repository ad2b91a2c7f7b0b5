/*
 * What our engine reads beyond plain BPMN: SpiffWorkflow's extension elements, described for bpmn-js's moddle
 * (so they are read, edited and written back instead of being kept as opaque XML), and helpers to edit them
 * through the modeling commands (undo works, the diagram knows it changed).
 */
export const spiffDescriptor = {
  name: 'SpiffWorkflow',
  prefix: 'spiffworkflow',
  uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    { name: 'Properties', superClass: ['Element'],
      properties: [{ name: 'values', type: 'Property', isMany: true }] },
    { name: 'Property', superClass: ['Element'],
      properties: [{ name: 'name', isAttr: true, type: 'String' }, { name: 'value', isAttr: true, type: 'String' }] },
    { name: 'InstructionsForEndUser', superClass: ['Element'], properties: [{ name: 'text', isBody: true, type: 'String' }] },
    { name: 'PreScript', superClass: ['Element'], properties: [{ name: 'text', isBody: true, type: 'String' }] },
    { name: 'PostScript', superClass: ['Element'], properties: [{ name: 'text', isBody: true, type: 'String' }] },
    { name: 'CalledDecisionId', superClass: ['Element'], properties: [{ name: 'text', isBody: true, type: 'String' }] },
  ],
};

function extensionElements(modeler, element, create) {
  const bo = element.businessObject;
  if (bo.extensionElements || !create) return bo.extensionElements;
  const ext = modeler.get('moddle').create('bpmn:ExtensionElements', { values: [] });
  modeler.get('modeling').updateProperties(element, { extensionElements: ext });
  return ext;
}

function child(ext, type) {
  return ext ? (ext.values || []).find((v) => v.$type === type) : undefined;
}

/** Every spiffworkflow:property of an element as {name: value}. */
export function getProperties(element) {
  const props = child(element.businessObject.extensionElements, 'spiffworkflow:Properties');
  const result = {};
  (props && props.values ? props.values : []).forEach((p) => { result[p.name] = p.value || ''; });
  return result;
}

/** Set (or, with an empty value, remove) one spiffworkflow:property. */
export function setProperty(modeler, element, name, value) {
  const modeling = modeler.get('modeling');
  const moddle = modeler.get('moddle');
  const empty = value === undefined || value === null || value === '';
  const ext = extensionElements(modeler, element, !empty);
  if (!ext) return;
  let props = child(ext, 'spiffworkflow:Properties');
  if (!props) {
    if (empty) return;
    props = moddle.create('spiffworkflow:Properties', { values: [] });
    props.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...(ext.values || []), props] });
  }
  const values = props.values || [];
  const existing = values.find((p) => p.name === name);
  if (empty) {
    if (existing) modeling.updateModdleProperties(element, props, { values: values.filter((p) => p !== existing) });
  } else if (existing) {
    modeling.updateModdleProperties(element, existing, { value: String(value) });
  } else {
    const prop = moddle.create('spiffworkflow:Property', { name, value: String(value) });
    prop.$parent = props;
    modeling.updateModdleProperties(element, props, { values: [...values, prop] });
  }
}

/** The body text of a spiffworkflow extension child (instructions, pre/post script, decision id). */
export function getText(element, type) {
  const found = child(element.businessObject.extensionElements, type);
  return found ? found.text || '' : '';
}

export function setText(modeler, element, type, text) {
  const modeling = modeler.get('modeling');
  const ext = extensionElements(modeler, element, !!text);
  if (!ext) return;
  const found = child(ext, type);
  if (!text) {
    if (found) modeling.updateModdleProperties(element, ext, { values: ext.values.filter((v) => v !== found) });
  } else if (found) {
    modeling.updateModdleProperties(element, found, { text });
  } else {
    const created = modeler.get('moddle').create(type, { text });
    created.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...(ext.values || []), created] });
  }
}

/** The lane an element sits in (its name), or null. */
export function laneOf(modeler, element) {
  const lanes = modeler.get('elementRegistry').filter((e) => e.type === 'bpmn:Lane');
  const bo = element.businessObject;
  const lane = lanes.find((l) => (l.businessObject.flowNodeRef || []).includes(bo));
  return lane ? (lane.businessObject.name || '') : null;
}

/** Due rule ↔ the engine's expression: "N 个工作日内" is add_working_days(now(), N). */
export function parseDue(expression) {
  const text = (expression || '').trim();
  let m = text.match(/^add_working_days\(\s*now\(\)\s*,\s*(\d+)\s*\)$/);
  if (m) return { kind: 'working', days: Number(m[1]) };
  m = text.match(/^now\(\)\s*\+\s*timedelta\(\s*days\s*=\s*(\d+)\s*\)$/);
  if (m) return { kind: 'calendar', days: Number(m[1]) };
  return text ? { kind: 'custom', expression: text } : { kind: 'none' };
}

export function dueExpression(kind, days, custom) {
  const n = Math.max(1, Math.min(365, parseInt(days, 10) || 1));
  if (kind === 'working') return `add_working_days(now(), ${n})`;
  if (kind === 'calendar') return `now() + timedelta(days=${n})`;
  if (kind === 'custom') return (custom || '').trim();
  return '';
}
