"""Automatic diagram layout (BPMN DI) for process diagrams: left to right, lanes as horizontal swimlanes.

The shipped diagrams and diagrams drawn elsewhere without layout get `bpmndi` shapes and edges so that bpmn.io,
Camunda Modeler and our viewer can draw them. The algorithm is deliberately small:

1. back edges (loops) are found by a depth-first walk from the start events and ignored for ranking;
2. each flow node gets a column by longest path (boundary events ride on their host; what follows them is one
   column further);
3. each lane is a horizontal band; nodes sharing a lane and a column get separate tracks (rows) in it, a node
   preferring the track of its first predecessor so that straight paths stay straight;
4. edges are orthogonal; of a few candidate routes the one crossing the fewest shapes wins.

A collapsed embedded sub-process gets its own diagram plane (as bpmn-js draws it: click to drill down).
"""

from __future__ import annotations

from lxml import etree

from app.modeler.services.placement import (
    BPMN,
    FLOW_NODE_TAGS,
    MARGIN_X,
    MARGIN_Y,
    POOL_GAP,
    POOL_HEADER,
    TRACK_HEIGHT,
    Box,
    Plane,
    layout_container,
    local_name,
)
from app.workflow.services.xmlsafe import parse_xml

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
DI_NSMAP = {"bpmndi": BPMNDI, "dc": DC, "di": DI}


# -- the document ------------------------------------------------------------------------------------------

def _planes(root: etree._Element) -> list[Plane]:
    """Lay out every process (inside its pool when there is a collaboration)."""
    processes = {p.get("id"): p for p in root.findall(f"{{{BPMN}}}process")}
    collaboration = root.find(f"{{{BPMN}}}collaboration")
    planes: list[Plane] = []
    if collaboration is None:
        for process in processes.values():
            plane = Plane(process.get("id"))
            _w, _h, lanes = layout_container(process, plane, MARGIN_X, MARGIN_Y, with_lanes=True)
            for lane_id, box in lanes:
                plane.shapes[lane_id] = (box, {"isHorizontal": "true"})
            planes.extend([plane, *_children(plane)])
        return planes
    plane = Plane(collaboration.get("id"))
    y = MARGIN_Y
    for participant in collaboration.findall(f"{{{BPMN}}}participant"):
        process = processes.get(participant.get("processRef") or "")
        pool_x = MARGIN_X
        if process is None:
            plane.shapes[participant.get("id")] = (Box(pool_x, y, 800, 100), {"isHorizontal": "true"})
            y += 100 + POOL_GAP
            continue
        width, height, lanes = layout_container(process, plane, pool_x + POOL_HEADER, y, with_lanes=True)
        height = max(height, TRACK_HEIGHT)
        plane.shapes[participant.get("id")] = (Box(pool_x, y, width + POOL_HEADER, height),
                                               {"isHorizontal": "true"})
        for lane_id, box in lanes:
            plane.shapes[lane_id] = (box, {"isHorizontal": "true"})
        y += height + POOL_GAP
    _message_flows(collaboration, plane)
    return [plane, *_children(plane)]


def _children(plane: Plane) -> list[Plane]:
    found = []
    for child in plane.__dict__.get("children", []):
        found.append(child)
        found.extend(_children(child))
    return found


def _message_flows(collaboration: etree._Element, plane: Plane) -> None:
    for flow in collaboration.findall(f"{{{BPMN}}}messageFlow"):
        a, b = flow.get("sourceRef"), flow.get("targetRef")
        if a in plane.shapes and b in plane.shapes:
            sa, sb = plane.shapes[a][0], plane.shapes[b][0]
            down = sb.cy > sa.cy
            plane.edges[flow.get("id")] = [(sa.cx, sa.bottom if down else sa.y), (sa.cx, (sa.cy + sb.cy) / 2),
                                           (sb.cx, (sa.cy + sb.cy) / 2), (sb.cx, sb.y if down else sb.bottom)]


def _num(value: float) -> str:
    return str(int(round(value)))


def _bounds(parent: etree._Element, box: Box) -> None:
    etree.SubElement(parent, f"{{{DC}}}Bounds", x=_num(box.x), y=_num(box.y), width=_num(box.w),
                     height=_num(box.h))


def _diagram_xml(planes: list[Plane]) -> list[etree._Element]:
    diagrams = []
    for index, plane in enumerate(planes):
        diagram = etree.Element(f"{{{BPMNDI}}}BPMNDiagram", nsmap=DI_NSMAP,
                                id=f"BPMNDiagram_{plane.element_id}" if index else "BPMNDiagram_1")
        di_plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"BPMNPlane_{plane.element_id}",
                                    bpmnElement=plane.element_id)
        # pools and lanes first, so that they are drawn beneath the flow
        ordered = sorted(plane.shapes.items(), key=lambda item: "isHorizontal" not in item[1][1])
        for element_id, (box, attrs) in ordered:
            shape = etree.SubElement(di_plane, f"{{{BPMNDI}}}BPMNShape", id=f"{element_id}_di",
                                     bpmnElement=element_id, **attrs)
            _bounds(shape, box)
            if element_id in plane.edge_labels:
                _bounds(etree.SubElement(shape, f"{{{BPMNDI}}}BPMNLabel"), plane.edge_labels[element_id])
        for element_id, points in plane.edges.items():
            edge = etree.SubElement(di_plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{element_id}_di", bpmnElement=element_id)
            for x, y in points:
                etree.SubElement(edge, f"{{{DI}}}waypoint", x=_num(x), y=_num(y))
            if element_id in plane.edge_labels:
                _bounds(etree.SubElement(edge, f"{{{BPMNDI}}}BPMNLabel"), plane.edge_labels[element_id])
        diagrams.append(diagram)
    return diagrams


def apply_layout(xml: str | bytes) -> str:
    """The diagram with any existing layout replaced by a generated one (the process itself is untouched)."""
    tree = parse_xml(xml)
    root = tree.getroot()
    for old in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(old)
    diagrams = _diagram_xml(_planes(root))
    if len(root):
        root[-1].tail = "\n  "
    for diagram in diagrams:
        root.append(diagram)
        diagram.tail = "\n  "
    diagrams[-1].tail = "\n"
    etree.cleanup_namespaces(tree, top_nsmap=DI_NSMAP)
    for diagram in diagrams:
        _indent(diagram, 1)
    body = etree.tostring(tree, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _indent(element: etree._Element, level: int) -> None:
    """Indent a generated subtree without touching the hand-written rest of the file."""
    pad = "\n" + "  " * (level + 1)
    if len(element):
        element.text = pad
        for child in element:
            _indent(child, level + 1)
            child.tail = pad
        element[-1].tail = "\n" + "  " * level


def missing_layout(xml: str | bytes) -> list[str]:
    """Ids of flow nodes, lanes, pools and sequence flows that the diagram does not draw (empty: fully laid out)."""
    root = parse_xml(xml).getroot()
    drawn = {el.get("bpmnElement") for el in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")}
    needed = []
    for el in root.iter():
        name = local_name(el)
        if name in FLOW_NODE_TAGS or name in ("lane", "participant", "sequenceFlow"):
            if el.get("id") and el.get("id") not in drawn:
                needed.append(el.get("id"))
    return needed
