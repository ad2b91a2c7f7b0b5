/*
 * The side panel: edits what our engine reads from the selected element, with choices instead of typing where
 * possible. Labels come from the server (config.labels, translated there), so the panel follows the UI language.
 */
import {
  dueExpression, getProperties, getText, laneOf, parseDue, setProperty, setText,
} from './modeler-spiff';

let counter = 0;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  });
  children.forEach((c) => c && node.appendChild(c));
  return node;
}

function field(label, input, help, name) {
  counter += 1;
  const id = `panel-field-${counter}`;
  input.id = id;
  if (name) input.dataset.field = name;
  const wrap = el('div', { class: 'mb-3', 'data-panel-field': name || '' });
  wrap.appendChild(el('label', { class: 'form-label fw-semibold', for: id, text: label }));
  wrap.appendChild(input);
  if (help) wrap.appendChild(el('div', { class: 'form-text', text: help }));
  return wrap;
}

function select(options, value, onchange, empty) {
  const node = el('select', { class: 'form-select', onchange: (e) => onchange(e.target.value) });
  if (empty !== undefined) node.appendChild(el('option', { value: '', text: empty }));
  options.forEach(([v, text]) => {
    const option = el('option', { value: v, text });
    if (v === value) option.selected = true;
    node.appendChild(option);
  });
  if (value && !options.some(([v]) => v === value)) {
    node.appendChild(el('option', { value, text: value, selected: true }));
  }
  return node;
}

function textInput(value, onchange, attrs = {}) {
  return el('input', { class: 'form-control', value: value || '', onchange: (e) => onchange(e.target.value.trim()), ...attrs });
}

function textArea(value, onchange, rows = 4, attrs = {}) {
  const node = el('textarea', { class: 'form-control font-monospace', rows, onchange: (e) => onchange(e.target.value), ...attrs });
  node.value = value || '';
  return node;
}

export class SidePanel {
  constructor(container, modeler, config) {
    this.container = container;
    this.modeler = modeler;
    this.config = config;
    this.L = (key) => (config.labels && config.labels[key]) || key;
    modeler.on('selection.changed', ({ newSelection }) => this.render(newSelection[0] || null));
    modeler.on('import.done', () => this.render(null));
    modeler.on('element.changed', ({ element }) => {
      if (element === this.element && this.title) this.title.textContent = this.titleText(element);
    });
  }

  render(element) {
    this.element = element;
    this.container.replaceChildren();
    const L = this.L;
    if (!element || element.type === 'bpmn:Process' || element.type === 'bpmn:Collaboration') {
      this.container.appendChild(el('p', { class: 'text-muted', text: L('select_hint') }));
      return;
    }
    this.title = el('h2', { class: 'h6 mb-3', 'data-testid': 'panel-title', text: this.titleText(element) });
    this.container.appendChild(this.title);
    if (element.type === 'bpmn:Lane') { this.laneFields(element); return; }
    if (element.type === 'bpmn:Participant') { this.nameField(element); return; }
    if (element.type === 'label') return;
    this.nameField(element);
    if (element.type === 'bpmn:UserTask' || element.type === 'bpmn:ManualTask') this.userTaskFields(element);
    if (element.type === 'bpmn:ScriptTask') this.scriptFields(element);
    if (element.type === 'bpmn:SequenceFlow') this.flowFields(element);
    if (element.type === 'bpmn:ExclusiveGateway' || element.type === 'bpmn:InclusiveGateway') this.gatewayFields(element);
    if (element.type === 'bpmn:CallActivity') this.callFields(element);
    if (element.type === 'bpmn:BusinessRuleTask') this.decisionFields(element);
    const timer = (element.businessObject.eventDefinitions || []).find((d) => d.$type === 'bpmn:TimerEventDefinition');
    if (timer) this.timerFields(element, timer);
  }

  titleText(element) {
    const typeName = element.type.replace('bpmn:', '');
    const key = typeName.charAt(0).toLowerCase() + typeName.slice(1);
    const kind = (this.config.kinds && this.config.kinds[key]) || this.L('element');
    const name = element.businessObject.name;
    return name ? `${kind}：${name}` : kind;
  }

  nameField(element) {
    const modeling = this.modeler.get('modeling');
    this.container.appendChild(field(this.L('name'), textInput(element.businessObject.name, (v) => modeling.updateLabel(element, v)), null, 'name'));
  }

  laneFields(element) {
    const modeling = this.modeler.get('modeling');
    const roles = this.config.roles.map(([name, label]) => [name, label]);
    this.container.appendChild(field(this.L('lane_role'), select(roles, element.businessObject.name || '', (v) => modeling.updateLabel(element, v), this.L('choose')),
      this.L('lane_role_help'), 'lane'));
  }

  userTaskFields(element) {
    const L = this.L;
    const props = getProperties(element);
    const set = (name) => (value) => setProperty(this.modeler, element, name, value);
    const lane = laneOf(this.modeler, element);
    let laneText = this.config.roleNames[lane];
    if (lane === null) laneText = L('no_lane');
    else if (!lane.trim()) laneText = L('lane_unnamed');
    else if (!laneText) laneText = `${lane}（${L('unknown_role')}）`;
    const missing = !this.config.roleNames[lane];
    this.container.appendChild(field(L('role'), el('output', { class: `d-block py-1${missing ? ' text-danger fw-semibold' : ''}`, text: laneText }), L('role_help'), 'role'));

    const forms = this.config.forms.map(([key, title]) => [key, title]);
    const formSelect = select(forms, props.form || '', set('form'), L('choose'));
    const formField = field(L('form'), formSelect, L('form_help'), 'form');
    if (this.config.urls.formEditor) {
      formField.appendChild(el('a', { class: 'btn btn-sm btn-outline-secondary mt-2', href: this.config.urls.formEditor, target: '_blank', text: L('new_form') }));
    }
    this.container.appendChild(formField);

    const assignees = [['team_user_ids', L('team')]];
    this.container.appendChild(field(L('assignees'), select(assignees, props.assignees || '', set('assignees'), L('anyone_in_role')), L('assignees_help'), 'assignees'));

    const chosen = new Set((props.documents || '').split(',').map((s) => s.trim()).filter(Boolean));
    const box = el('div', { class: 'border rounded p-2', style: 'max-height: 12rem; overflow:auto', role: 'group' });
    this.config.docTypes.forEach(([code, title]) => {
      counter += 1;
      const id = `doc-${counter}`;
      const input = el('input', { class: 'form-check-input', type: 'checkbox', id, value: code, 'data-doc-type': code });
      input.checked = chosen.has(code);
      input.addEventListener('change', () => {
        if (input.checked) chosen.add(code); else chosen.delete(code);
        setProperty(this.modeler, element, 'documents', [...chosen].join(','));
      });
      box.appendChild(el('div', { class: 'form-check' }, [input, el('label', { class: 'form-check-label', for: id, text: title })]));
    });
    const docs = el('fieldset', { class: 'mb-3', 'data-panel-field': 'documents' }, [el('legend', { class: 'form-label fs-6 fw-semibold', text: L('documents') }), box,
      el('div', { class: 'form-text', text: L('documents_help') })]);
    this.container.appendChild(docs);

    this.dueFields(element, props.due || '');

    const processes = this.config.processes;
    this.container.appendChild(field(L('starts_process'), select(processes, props.starts_process || '', set('starts_process'), L('none')), L('starts_process_help'), 'starts_process'));

    const check = el('input', { class: 'form-check-input', type: 'checkbox', id: 'records-result' });
    check.checked = props.records_result === 'true';
    check.addEventListener('change', () => setProperty(this.modeler, element, 'records_result', check.checked ? 'true' : ''));
    this.container.appendChild(el('div', { class: 'form-check mb-3', 'data-panel-field': 'records_result' }, [check, el('label', { class: 'form-check-label', for: 'records-result', text: L('records_result') })]));

    this.container.appendChild(field(L('instructions'), textArea(getText(element, 'spiffworkflow:InstructionsForEndUser'),
      (v) => setText(this.modeler, element, 'spiffworkflow:InstructionsForEndUser', v.trim()), 3, { class: 'form-control' }), null, 'instructions'));
  }

  dueFields(element, expression) {
    const L = this.L;
    const due = parseDue(expression);
    const kind = select([['working', L('due_working')], ['calendar', L('due_calendar')], ['custom', L('due_custom')]], due.kind === 'none' ? '' : due.kind, () => apply(), L('due_none'));
    const days = el('input', { class: 'form-control', type: 'number', min: 1, max: 365, value: due.days || 5, 'aria-label': L('days') });
    const custom = el('input', { class: 'form-control font-monospace', value: due.expression || expression, 'aria-label': L('due_custom') });
    const row = el('div', { class: 'input-group mt-2' }, [days, el('span', { class: 'input-group-text', text: L('days_suffix') })]);
    const sync = () => {
      row.hidden = !['working', 'calendar'].includes(kind.value);
      custom.hidden = kind.value !== 'custom';
    };
    const apply = () => {
      sync();
      setProperty(this.modeler, element, 'due', dueExpression(kind.value, days.value, custom.value));
    };
    days.addEventListener('change', apply);
    custom.addEventListener('change', apply);
    const wrap = field(L('due'), kind, L('due_help'), 'due');
    wrap.insertBefore(row, wrap.lastChild);
    wrap.insertBefore(custom, wrap.lastChild);
    custom.classList.add('mt-2');
    sync();
    this.container.appendChild(wrap);
  }

  syntaxButton(getSource, expression) {
    const result = el('div', { class: 'small mt-1', role: 'status', 'data-testid': 'syntax-result' });
    const button = el('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary mt-2', text: this.L('check_syntax') });
    button.addEventListener('click', async () => {
      result.textContent = '…';
      const response = await fetch(this.config.urls.checkScript, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': this.config.csrf },
        body: JSON.stringify({ source: getSource(), expression }),
      });
      const body = await response.json();
      result.className = `small mt-1 ${body.ok ? 'text-success' : 'text-danger'}`;
      result.textContent = body.message;
    });
    return [button, result];
  }

  scriptFields(element) {
    const modeling = this.modeler.get('modeling');
    const area = textArea(element.businessObject.script, (v) => modeling.updateProperties(element, { script: v }), 8);
    const wrap = field(this.L('script'), area, this.L('script_help'), 'script');
    this.syntaxButton(() => area.value, false).forEach((n) => wrap.appendChild(n));
    this.container.appendChild(wrap);
  }

  flowFields(element) {
    const L = this.L;
    const modeling = this.modeler.get('modeling');
    const moddle = this.modeler.get('moddle');
    const source = element.source;
    if (!source || !['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'].includes(source.type)) return;
    const gateway = source.businessObject;
    const isDefault = gateway.default === element.businessObject;
    const check = el('input', { class: 'form-check-input', type: 'checkbox', id: 'flow-default' });
    check.checked = isDefault;
    check.addEventListener('change', () => {
      modeling.updateProperties(source, { default: check.checked ? element.businessObject : undefined });
      if (check.checked) modeling.updateProperties(element, { conditionExpression: undefined });
      this.render(element);
    });
    this.container.appendChild(el('div', { class: 'form-check mb-3', 'data-panel-field': 'default' }, [check, el('label', { class: 'form-check-label', for: 'flow-default', text: L('default_flow') })]));
    if (isDefault) return;
    const condition = element.businessObject.conditionExpression;
    const input = textInput(condition ? condition.body : '', (v) => {
      modeling.updateProperties(element, { conditionExpression: v ? moddle.create('bpmn:FormalExpression', { body: v }) : undefined });
    }, { class: 'form-control font-monospace' });
    const wrap = field(L('condition'), input, L('condition_help'), 'condition');
    this.syntaxButton(() => input.value, true).forEach((n) => wrap.appendChild(n));
    this.container.appendChild(wrap);
  }

  gatewayFields(element) {
    const modeling = this.modeler.get('modeling');
    const outgoing = element.outgoing.map((c) => [c.id, c.businessObject.name || c.target.businessObject.name || c.id]);
    const current = element.businessObject.default ? element.businessObject.default.id : '';
    this.container.appendChild(field(this.L('default_flow'), select(outgoing, current, (v) => {
      const flow = element.outgoing.find((c) => c.id === v);
      modeling.updateProperties(element, { default: flow ? flow.businessObject : undefined });
      if (flow) modeling.updateProperties(flow, { conditionExpression: undefined });
    }, this.L('none')), this.L('gateway_help'), 'gateway_default'));
  }

  callFields(element) {
    const modeling = this.modeler.get('modeling');
    const processes = this.config.processes;
    this.container.appendChild(field(this.L('called'), select(processes, element.businessObject.calledElement || '', (v) => modeling.updateProperties(element, { calledElement: v || undefined }), this.L('choose')), null, 'called'));
  }

  decisionFields(element) {
    const decisions = (this.config.decisions || []).map((d) => [d, d]);
    const current = getText(element, 'spiffworkflow:CalledDecisionId');
    this.container.appendChild(field(this.L('decision'), select(decisions, current, (v) => setText(this.modeler, element, 'spiffworkflow:CalledDecisionId', v), this.L('choose')), null, 'decision'));
  }

  timerFields(element, timer) {
    const L = this.L;
    const modeling = this.modeler.get('modeling');
    const moddle = this.modeler.get('moddle');
    const kinds = [['timeDate', L('timer_date')], ['timeDuration', L('timer_duration')], ['timeCycle', L('timer_cycle')]];
    const currentKind = ['timeDate', 'timeDuration', 'timeCycle'].find((k) => timer[k]) || 'timeDate';
    const currentBody = timer[currentKind] ? timer[currentKind].body : '';
    const kind = select(kinds, currentKind, () => apply());
    const input = textInput(currentBody, () => apply(), { class: 'form-control font-monospace mt-2', 'aria-label': L('timer_expression') });
    const days = el('input', { class: 'form-control', type: 'number', min: 1, max: 365, value: 7, 'aria-label': L('days') });
    const helper = el('button', { type: 'button', class: 'btn btn-outline-secondary', text: L('timer_working_days') });
    helper.addEventListener('click', () => {
      kind.value = 'timeDate';
      input.value = `iso(add_working_days(now(), ${Math.max(1, parseInt(days.value, 10) || 1)}))`;
      apply();
    });
    const apply = () => {
      const props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      if (input.value.trim()) props[kind.value] = moddle.create('bpmn:FormalExpression', { body: input.value.trim() });
      modeling.updateModdleProperties(element, timer, props);
    };
    const wrap = field(L('timer'), kind, L('timer_help'), 'timer');
    wrap.insertBefore(input, wrap.lastChild);
    wrap.insertBefore(el('div', { class: 'input-group mt-2' }, [days, el('span', { class: 'input-group-text', text: L('days_suffix') }), helper]), wrap.lastChild);
    const wrapCheck = this.syntaxButton(() => input.value, true);
    wrapCheck.forEach((n) => wrap.appendChild(n));
    this.container.appendChild(wrap);
  }
}
