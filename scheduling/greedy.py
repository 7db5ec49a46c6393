"""A fast greedy plan for one county: the solver's starting hint and its fallback.

Lazy greedy over single moves ordered by their exact change of Σ CV² (recomputed when popped, since
every move changes the counts it depends on). A move is taken only if it keeps H5–H8 and the HR
options; while H4 would fall short, only backbone moves are taken. Improving moves are taken until
none is left or the H3 maximum is reached; then, while H3's minimum is not met, the least harmful
moves. The result is checked with ``scheduling.check`` before it is ever returned as a plan.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from scheduling import rules
from scheduling.model import CountyData, county_problem
from scheduling.problem import Move

_EPS = 1e-12


class _State:
    def __init__(self, data: CountyData):
        self.data = data
        self.teacher = data.teacher
        self.head = dict(data.headcount)
        self.out = defaultdict(int)
        self.backbone_out = defaultdict(int)
        self.subjects = {s: dict(v) for s, v in data.subjects.items()}
        self.moves = 0
        self.backbone = 0
        self.counts = [dict(g.before) for g in data.groups]
        self.totals = [g.total_before for g in data.groups]
        self.q = [float(g.q_before) for g in data.groups]
        limits = data.problem.policy.cv_limit or {}
        self.limit_sq = []
        for g, q in zip(data.groups, self.q):
            before = self._cv2(g.total_pupils, q, g.total_before)
            limit = limits.get(g.stage)
            self.limit_sq.append(None if limit is None else max(limit * limit, before) - 1e-10)
        self.flags = {t.id: rules.indicator_flags(t) for t in data.movable}
        self.required = {s.id: set(s.required_subjects) for s in data.schools}
        self.had = {s.id: {j for j in s.required_subjects if data.subjects[s.id].get(j, 0) > 0} for s in data.schools}
        self.caps = data.problem.options.max_backbone_loss

    @staticmethod
    def _cv2(pupils: int, q: float, total: int) -> float:
        return pupils * q / (total * total) - 1 if total > 0 else 0.0

    def delta(self, tid: str, dest: str) -> float | None:
        """Change of Σ CV² if ``tid`` moves to ``dest``; None if H8 would break."""
        t = self.teacher[tid]
        flags = self.flags[tid]
        change = 0.0
        for i, g in enumerate(self.data.groups):
            if g.stage != t.stage or not flags[g.indicator]:
                continue
            counts, q, total = self.counts[i], self.q[i], self.totals[i]
            new_q, new_total = q, total
            if t.school in counts:
                c = counts[t.school]
                new_q += ((c - 1) ** 2 - c * c) / g.pupils[t.school]
                new_total -= 1
            if dest in counts:
                c = counts[dest]
                new_q += ((c + 1) ** 2 - c * c) / g.pupils[dest]
                new_total += 1
            if new_total == total and abs(new_q - q) < _EPS:
                continue
            before = self._cv2(g.total_pupils, q, total)
            after = self._cv2(g.total_pupils, new_q, new_total)
            if self.limit_sq[i] is not None and after > self.limit_sq[i] and after > before:
                return None
            change += after - before
        return change

    def allowed(self, tid: str, dest: str) -> bool:
        data, t = self.data, self.teacher[tid]
        if data.most is not None and self.moves >= data.most:
            return False
        if self.out[t.school] >= data.outflow_cap[t.school]:
            return False
        if self.head[t.school] - 1 < data.band[t.school][0] or self.head[dest] + 1 > data.band[dest][1]:
            return False
        if t.subject in self.had[t.school] and self.subjects[t.school].get(t.subject, 0) <= 1:
            return False
        return not (t.is_backbone and t.school in self.caps and self.backbone_out[t.school] >= self.caps[t.school])

    def apply(self, tid: str, dest: str) -> None:
        t = self.teacher[tid]
        flags = self.flags[tid]
        for i, g in enumerate(self.data.groups):
            if g.stage != t.stage or not flags[g.indicator]:
                continue
            counts = self.counts[i]
            if t.school in counts:
                c = counts[t.school]
                self.q[i] += ((c - 1) ** 2 - c * c) / g.pupils[t.school]
                counts[t.school] = c - 1
                self.totals[i] -= 1
            if dest in counts:
                c = counts[dest]
                self.q[i] += ((c + 1) ** 2 - c * c) / g.pupils[dest]
                counts[dest] = c + 1
                self.totals[i] += 1
        self.head[t.school] -= 1
        self.head[dest] += 1
        self.out[t.school] += 1
        self.subjects[t.school][t.subject] = self.subjects[t.school].get(t.subject, 0) - 1
        self.subjects[dest][t.subject] = self.subjects[dest].get(t.subject, 0) + 1
        self.moves += 1
        if t.is_backbone:
            self.backbone += 1
            self.backbone_out[t.school] += 1


def greedy_plan(data: CountyData) -> set[tuple[str, str]]:
    """A set of (teacher, destination) moves that tries to keep every rule; may fall short on hard cases."""
    state = _State(data)
    plan: dict[str, str] = {}
    for tid, dest in data.pins.items():
        if dest in data.destinations.get(tid, ()):
            state.apply(tid, dest)
            plan[tid] = dest
    heap = []
    for t in data.movable:
        if t.id in plan:
            continue
        for d in data.destinations.get(t.id, ()):
            change = state.delta(t.id, d)
            if change is not None:
                heap.append((change, t.id, d))
    heapq.heapify(heap)
    deferred = []
    while heap:
        key, tid, dest = heapq.heappop(heap)
        if tid in plan:
            continue
        change = state.delta(tid, dest)
        if change is None or not state.allowed(tid, dest):
            continue
        if change > key + 1e-9:
            heapq.heappush(heap, (change, tid, dest))
            continue
        if change >= -_EPS and state.moves >= data.fewest and state.backbone >= data.backbone_needed(state.moves):
            break
        teacher = state.teacher[tid]
        if not teacher.is_backbone and state.backbone < data.backbone_needed(state.moves + 1):
            deferred.append((change, tid, dest))
            continue
        state.apply(tid, dest)
        plan[tid] = dest
        if teacher.is_backbone and deferred:
            for item in deferred:
                heapq.heappush(heap, item)
            deferred = []
    return set(plan.items())


def is_valid(data: CountyData, plan: set[tuple[str, str]]) -> bool:
    """Whether ``plan`` keeps every hard rule and HR option of the county, by the independent checker."""
    from scheduling import check

    sub = county_problem(data.problem, data.county)
    moves = [Move(tid, data.teacher[tid].school, dest) for tid, dest in plan]
    return not check.validate(sub, moves)
