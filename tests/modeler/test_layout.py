"""Diagram layout: every shipped diagram draws every element; the layouter lays out diagrams drawn without it."""

from pathlib import Path

import pytest
from lxml import etree

from app.modeler.services import layout
from app.workflow.services import lint
from tests.workflow.helpers import DATA

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "processes").glob("*.bpmn"))
DI = {"bpmndi": layout.BPMNDI, "dc": layout.DC, "di": layout.DI}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_diagram_draws_every_element(path):
    xml = path.read_text(encoding="utf-8")
    assert layout.missing_layout(xml) == [], f"run: flask process layout {path.relative_to(ROOT)}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_layout_is_left_to_right_inside_lanes(path):
    root = etree.fromstring(path.read_bytes())
    bounds = {s.get("bpmnElement"): s.find("dc:Bounds", DI) for s in root.iterfind(".//bpmndi:BPMNShape", DI)}
    box = {k: tuple(float(b.get(a)) for a in ("x", "y", "width", "height")) for k, b in bounds.items()}
    boundary = {el.get("id") for el in root.iter(f"{{{lint.BPMN_NS}}}boundaryEvent")}  # drawn on their host
    for lane in root.iter(f"{{{lint.BPMN_NS}}}lane"):
        lx, ly, lw, lh = box[lane.get("id")]
        for ref in lane.findall(f"{{{lint.BPMN_NS}}}flowNodeRef"):
            if ref.text.strip() in boundary:
                continue
            x, y, w, h = box[ref.text.strip()]
            assert ly <= y + h / 2 <= ly + lh, f"{ref.text} outside its lane {lane.get('name')}"
            assert lx <= x and x + w <= lx + lw
    # flows that are not loops go left to right
    for flow in root.iter(f"{{{lint.BPMN_NS}}}sequenceFlow"):
        edge = root.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", DI)
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iterfind("di:waypoint", DI)]
        assert len(points) >= 2
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, f"{flow.get('id')} is not orthogonal"


def test_shapes_do_not_overlap_and_labels_fit():
    for path in SHIPPED:
        root = etree.fromstring(path.read_bytes())
        boxes = []
        for shape in root.iterfind(".//bpmndi:BPMNShape", DI):
            if shape.get("isHorizontal") or shape.get("bpmnElement").startswith(("review_overdue",)):
                continue
            element = root.find(f".//*[@id='{shape.get('bpmnElement')}']")
            if etree.QName(element).localname == "boundaryEvent":
                continue
            b = shape.find("dc:Bounds", DI)
            boxes.append((shape.get("bpmnElement"), *(float(b.get(a)) for a in ("x", "y", "width", "height"))))
            if etree.QName(element).localname.endswith("Task"):
                assert float(b.get("width")) >= 140 and float(b.get("height")) >= 80  # room for Chinese names
        for i, (a, ax, ay, aw, ah) in enumerate(boxes):
            for b, bx, by, bw, bh in boxes[i + 1:]:
                assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), f"{a} overlaps {b}"


def test_layout_of_a_diagram_without_one_keeps_the_process_and_still_parses():
    xml = (DATA / "engine" / "approval.bpmn").read_text(encoding="utf-8")
    laid_out = layout.apply_layout(xml)
    assert layout.missing_layout(laid_out) == []
    assert layout.missing_layout(xml) != [] or "BPMNShape" in xml
    before = etree.fromstring(xml.encode())
    after = etree.fromstring(laid_out.encode())
    process_before = etree.tostring(before.find(f"{{{lint.BPMN_NS}}}process"), method="c14n", exclusive=True)
    process_after = etree.tostring(after.find(f"{{{lint.BPMN_NS}}}process"), method="c14n", exclusive=True)
    assert process_before == process_after
    assert lint.lint_bundle({"approval.bpmn": laid_out}, {"test_draft", "test_approve"}) == []
    assert layout.apply_layout(laid_out) == laid_out  # stable


SUBPROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:subProcess id="sub" name="子流程">
      <bpmn:startEvent id="s2"/><bpmn:task id="t2" name="内部"/><bpmn:endEvent id="e2"/>
      <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="t2"/>
      <bpmn:sequenceFlow id="g2" sourceRef="t2" targetRef="e2"/>
    </bpmn:subProcess>
    <bpmn:callActivity id="call" name="调用" calledElement="x"/><bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="call"/>
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_subprocesses_get_their_own_plane_and_call_activities_a_shape():
    laid_out = layout.apply_layout(SUBPROCESS)
    assert layout.missing_layout(laid_out) == []
    root = etree.fromstring(laid_out.encode())
    planes = [p.get("bpmnElement") for p in root.iterfind(".//bpmndi:BPMNPlane", DI)]
    assert planes == ["p", "sub"]
    sub_plane = root.find(".//bpmndi:BPMNPlane[@bpmnElement='sub']", DI)
    assert {s.get("bpmnElement") for s in sub_plane.iterfind("bpmndi:BPMNShape", DI)} == {"s2", "t2", "e2"}


def test_missing_layout_names_the_elements():
    assert set(layout.missing_layout(SUBPROCESS)) >= {"s", "sub", "call", "f1", "t2", "g2"}
