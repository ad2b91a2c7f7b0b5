"""Placing a process's flow nodes and routing its flows (the geometry behind `layout.py`).

Back edges (loops) are found by a depth-first walk from the start events and ignored for ranking; each flow node
gets a column by longest path (boundary events ride on their host); each lane is a horizontal band in which nodes
sharing a column get separate tracks, a node preferring its first predecessor's track; edges are orthogonal, the
candidate route crossing the fewest shapes wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

FLOW_NODE_TAGS = {
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
}
ARTIFACT_TAGS = {"textAnnotation", "dataObjectReference", "dataStoreReference"}
SIZES = {"event": (36, 36), "gateway": (50, 50), "activity": (140, 84), "artifact": (100, 50)}
COLUMN_GAP = 80  # between the widest shapes of neighbouring columns: room for a flow's label
TRACK_HEIGHT = 140
LANE_HEADER = 30
POOL_HEADER = 30
MARGIN_X, MARGIN_Y = 40, 40
POOL_GAP = 60


def local_name(el: etree._Element) -> str:
    """The element's tag without its namespace ("" for comments)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def kind_of(tag: str) -> str:
    """event, gateway, activity or artifact."""
    if tag.endswith("Event"):
        return "event"
    if tag.endswith("Gateway"):
        return "gateway"
    if tag in ARTIFACT_TAGS:
        return "artifact"
    return "activity"


@dataclass
class Box:
    """A placed shape."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        """Centre x."""
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        """Centre y."""
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        """Right edge."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """Lower edge."""
        return self.y + self.h


@dataclass
class Plane:
    """Everything placed on one diagram plane."""

    element_id: str
    shapes: dict[str, tuple[Box, dict[str, str]]] = field(default_factory=dict)
    edges: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    edge_labels: dict[str, Box] = field(default_factory=dict)


# -- ranking -----------------------------------------------------------------------------------------------

def _graph(container: etree._Element) -> tuple[list[etree._Element], dict[str, list[tuple[str, str]]],
                                                 dict[str, str]]:
    """Flow nodes (boundary events excluded), edges keyed by source (boundary flows moved to their host), hosts."""
    nodes = [el for el in container if local_name(el) in FLOW_NODE_TAGS and local_name(el) != "boundaryEvent"]
    hosts = {el.get("id"): el.get("attachedToRef") for el in container if local_name(el) == "boundaryEvent"}
    out: dict[str, list[tuple[str, str]]] = {n.get("id"): [] for n in nodes}
    for flow in container:
        if local_name(flow) != "sequenceFlow":
            continue
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        source = hosts.get(source, source)
        if source in out and target in out:
            out[source].append((target, flow.get("id")))
    return nodes, out, hosts


def _back_edges(nodes: list[etree._Element], out: dict[str, list[tuple[str, str]]]) -> set[str]:
    """Flow ids that close a loop, found by an iterative depth-first walk from nodes without incoming flows."""
    incoming = {t for targets in out.values() for t, _f in targets}
    order = [n.get("id") for n in nodes]
    roots = [n for n in order if n not in incoming] + order
    state: dict[str, int] = {}
    back: set[str] = set()
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            nxt = next(children, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                continue
            target, flow_id = nxt
            if state.get(target) == 1:
                back.add(flow_id)
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(out[target])))
    return back


def _columns(nodes: list[etree._Element], out: dict[str, list[tuple[str, str]]], back: set[str]) -> dict[str, int]:
    """Longest-path column of each node over the graph without its back edges."""
    indegree = {n.get("id"): 0 for n in nodes}
    for targets in out.values():
        for target, flow_id in targets:
            if flow_id not in back:
                indegree[target] += 1
    column = {n: 0 for n in indegree}
    ready = [n for n, d in indegree.items() if d == 0]
    while ready:
        node = ready.pop(0)
        for target, flow_id in out[node]:
            if flow_id in back:
                continue
            column[target] = max(column[target], column[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return column


# -- placing -----------------------------------------------------------------------------------------------

def _lanes(container: etree._Element) -> list[tuple[etree._Element, set[str]]]:
    """Leaf lanes in document order with the ids of their nodes (nested lane sets flattened)."""
    lanes = []
    for lane_set in container.findall(f"{{{BPMN}}}laneSet"):
        for lane in lane_set.iter(f"{{{BPMN}}}lane"):
            if lane.find(f"{{{BPMN}}}childLaneSet") is not None:
                continue
            refs = {(r.text or "").strip() for r in lane.findall(f"{{{BPMN}}}flowNodeRef")}
            lanes.append((lane, refs))
    return lanes


def _place_nodes(container: etree._Element, origin_x: float, origin_y: float, with_lanes: bool
                 ) -> tuple[dict[str, Box], list[tuple[str, Box]], float, float, dict[str, int], set[str]]:
    """Boxes of the flow nodes and of the lanes; returns also the total width/height, columns and back edges."""
    nodes, out, _hosts = _graph(container)
    back = _back_edges(nodes, out)
    column = _columns(nodes, out, back)
    lanes = _lanes(container) if with_lanes else []
    lane_of: dict[str, int] = {}
    for index, (_lane, refs) in enumerate(lanes):
        for ref in refs:
            lane_of.setdefault(ref, index)
    lane_count = max(len(lanes), 1)
    predecessors: dict[str, list[str]] = {n.get("id"): [] for n in nodes}
    for source, targets in out.items():
        for target, flow_id in targets:
            if flow_id not in back:
                predecessors[target].append(source)
    track: dict[str, int] = {}
    taken: set[tuple[int, int, int]] = set()  # (lane, column, track)
    for node in sorted(nodes, key=lambda n: column[n.get("id")]):
        node_id = node.get("id")
        lane = lane_of.get(node_id, 0)
        wanted = next((track[p] for p in predecessors[node_id] if p in track and lane_of.get(p, 0) == lane), 0)
        choice = wanted
        while (lane, column[node_id], choice) in taken:
            choice += 1
        if choice != wanted and wanted > 0:
            choice = next((t for t in range(choice) if (lane, column[node_id], t) not in taken), choice)
        taken.add((lane, column[node_id], choice))
        track[node_id] = choice
    tracks_per_lane = [1 + max([track[n] for n, ln in lane_of.items() if ln == i and n in track] or [0])
                       for i in range(lane_count)]
    header = LANE_HEADER if lanes else 0
    lane_tops, y = [], origin_y
    for count in tracks_per_lane:
        lane_tops.append(y)
        y += count * TRACK_HEIGHT
    columns = 1 + max(column.values() or [0])
    widths = [0.0] * columns
    for node in nodes:
        widths[column[node.get("id")]] = max(widths[column[node.get("id")]], SIZES[kind_of(local_name(node))][0])
    centres, x = [], origin_x + header + MARGIN_X
    for w in widths:
        centres.append(x + w / 2)
        x += w + COLUMN_GAP
    width = x - origin_x
    boxes = {}
    for node in nodes:
        node_id = node.get("id")
        w, h = SIZES[kind_of(local_name(node))]
        cx = centres[column[node_id]]
        cy = lane_tops[lane_of.get(node_id, 0)] + track[node_id] * TRACK_HEIGHT + TRACK_HEIGHT / 2
        boxes[node_id] = Box(cx - w / 2, cy - h / 2, w, h)
    lane_boxes = [(lane.get("id"), Box(origin_x, lane_tops[i], width, tracks_per_lane[i] * TRACK_HEIGHT))
                  for i, (lane, _refs) in enumerate(lanes)]
    return boxes, lane_boxes, width, y - origin_y, column, back


def _place_boundaries(container: etree._Element, boxes: dict[str, Box]) -> None:
    """Boundary events sit on the lower edge of their host, right to left."""
    per_host: dict[str, int] = {}
    for el in container:
        if local_name(el) != "boundaryEvent" or el.get("attachedToRef") not in boxes:
            continue
        host = boxes[el.get("attachedToRef")]
        index = per_host.get(el.get("attachedToRef"), 0)
        per_host[el.get("attachedToRef")] = index + 1
        boxes[el.get("id")] = Box(host.right - 36 - index * 64 - 18, host.bottom - 18, 36, 36)


# -- routing -----------------------------------------------------------------------------------------------

def _crossings(points: list[tuple[float, float]], boxes: list[Box]) -> int:
    hits = 0
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        lo_x, hi_x, lo_y, hi_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        for b in boxes:
            if lo_x < b.right - 2 and hi_x > b.x + 2 and lo_y < b.bottom - 2 and hi_y > b.y + 2:
                hits += 1
    return hits


def _route(source: Box, target: Box, source_kind: str, backward: bool, obstacles: list[Box]
           ) -> list[tuple[float, float]]:
    """An orthogonal route from source to target: of a few candidates, the first that crosses the fewest shapes."""
    candidates: list[list[tuple[float, float]]] = []
    same_row = abs(source.cy - target.cy) < 1
    if not backward and same_row and target.x > source.right:
        candidates.append([(source.right, source.cy), (target.x, target.cy)])
    if backward or same_row:
        for below in (True, False):
            channel = (max(source.bottom, target.bottom) + 22) if below else (min(source.y, target.y) - 22)
            sy, ty = (source.bottom, target.bottom) if below else (source.y, target.y)
            candidates.append([(source.cx, sy), (source.cx, channel), (target.cx, channel), (target.cx, ty)])
    else:
        down = target.cy > source.cy
        edge_y = source.bottom if down else source.y
        vertical_first = [(source.cx, edge_y), (source.cx, target.cy), (target.x, target.cy)]
        mid = target.x - 30
        late_bend = [(source.right, source.cy), (mid, source.cy), (mid, target.cy), (target.x, target.cy)]
        near = source.right + 30
        early_bend = [(source.right, source.cy), (near, source.cy), (near, target.cy), (target.x, target.cy)]
        if source_kind == "gateway":
            candidates += [vertical_first, early_bend, late_bend]
        else:
            candidates += [early_bend, late_bend, vertical_first]
    others = [b for b in obstacles if b is not source and b is not target]
    return min(candidates, key=lambda pts: _crossings(pts, others))


def _edge_label(points: list[tuple[float, float]]) -> Box:
    """A flow's label above its longest horizontal segment (beside the first segment when none is horizontal)."""
    segments = [(a, b) for a, b in zip(points, points[1:], strict=False) if abs(a[1] - b[1]) < 1]
    if segments:
        (x1, y1), (x2, _y2) = max(segments, key=lambda seg: abs(seg[0][0] - seg[1][0]))
        return Box(min(x1, x2) + 6, y1 - 24, 90, 20)
    (x1, y1), (_x2, y2) = points[0], points[1]
    return Box(x1 + 6, (y1 + y2) / 2 - 10, 90, 20)


def layout_container(container: etree._Element, plane: Plane, origin_x: float, origin_y: float,
                      with_lanes: bool) -> tuple[float, float, list[tuple[str, Box]]]:
    boxes, lane_boxes, width, height, column, back = _place_nodes(container, origin_x, origin_y, with_lanes)
    _place_boundaries(container, boxes)
    kinds = {el.get("id"): local_name(el) for el in container if local_name(el) in FLOW_NODE_TAGS}
    for node_id, box in boxes.items():
        attrs = {}
        if kinds.get(node_id) in ("subProcess", "transaction", "adHocSubProcess"):
            attrs["isExpanded"] = "false"
        if kinds.get(node_id) == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        plane.shapes[node_id] = (box, attrs)
        name = next((el.get("name") for el in container if el.get("id") == node_id), None)
        if name and kinds.get(node_id, "").endswith("Gateway"):
            plane.edge_labels[node_id] = Box(box.x - 76, box.y - 34, 76, 30)  # above left, clear of the task before
    obstacles = list(boxes.values())
    hosts = {el.get("id"): el.get("attachedToRef") for el in container if local_name(el) == "boundaryEvent"}
    for flow in container:
        if local_name(flow) != "sequenceFlow":
            continue
        source_id, target_id = flow.get("sourceRef"), flow.get("targetRef")
        if source_id not in boxes or target_id not in boxes:
            continue
        source_col = column.get(hosts.get(source_id, source_id), 0)
        backward = flow.get("id") in back or column.get(target_id, 0) <= source_col and source_id not in hosts
        kind = "gateway" if kinds.get(source_id, "").endswith("Gateway") or source_id in hosts else "other"
        points = _route(boxes[source_id], boxes[target_id], kind, backward, obstacles)
        plane.edges[flow.get("id")] = points
        if flow.get("name"):
            plane.edge_labels[flow.get("id")] = _edge_label(points)
    _layout_artifacts(container, plane, origin_x, origin_y + height)
    for el in container:
        if local_name(el) in ("subProcess", "transaction", "adHocSubProcess"):
            sub = Plane(el.get("id"))
            layout_container(el, sub, MARGIN_X, MARGIN_Y, with_lanes=False)
            plane.__dict__.setdefault("children", []).append(sub)
    return width, height, lane_boxes


def _layout_artifacts(container: etree._Element, plane: Plane, x: float, y: float) -> None:
    """Annotations and data references in a row under the flow (associations drawn straight)."""
    for index, el in enumerate(el for el in container if local_name(el) in ARTIFACT_TAGS):
        w, h = SIZES["artifact"] if local_name(el) == "textAnnotation" else (36, 50)
        plane.shapes[el.get("id")] = (Box(x + MARGIN_X + index * 160, y + 20, w, h), {})
    for assoc in container:
        if local_name(assoc) not in ("association", "dataInputAssociation", "dataOutputAssociation"):
            continue
        a, b = assoc.get("sourceRef"), assoc.get("targetRef")
        if a in plane.shapes and b in plane.shapes and assoc.get("id"):
            sa, sb = plane.shapes[a][0], plane.shapes[b][0]
            plane.edges[assoc.get("id")] = [(sa.cx, sa.cy), (sb.cx, sb.cy)]
