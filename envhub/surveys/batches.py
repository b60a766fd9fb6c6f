"""The rows of a CSV upload checked a batch at a time, column by column, for the batches in
which no row has an issue: what `validation._check_rows` does row by row, with the loops in C.

Why: the `csv` module reads a row of 16 cells in about 1.5 µs, about the cost of one Python
loop step per cell, so checking row by row cannot come near the speed of reading
(docs/benchmarks.md). Column-wise, each column's distinct cells of the batch are looked up once
in the same per-column caches as the row path; the row-level checks (key, references, unit,
point, below detection) look at the batch's distinct combinations; the key digests are the row
path's (`hash` of the typed key). A batch with anything to report, or rows too short to hold
every column, is handed back (`None`) for the row path to check and report as before, so the
report is the row path's whatever the batch size. Every state the two share (caches, key
digests, verdicts) is the row path's own, and changes only when a batch is clean.

Pure module (no Django).
"""

from __future__ import annotations

from itertools import repeat
from operator import not_

from envhub.surveys.cells import CellError

UNSEEN, MISSING, FORMULA = object(), object(), object()
# Distinct cells remembered per column: survey columns repeat their values (sites, dates,
# units, methods), so most cells are one dictionary look-up; a column of distinct values
# stops being remembered at this size, which bounds the memory.
CELL_CACHE = 4_096


def first_sight(missing_values: frozenset, formulas: bool):
    """`see(raw, check)`: a cell's typed value, `MISSING`, `FORMULA` or its `CellError`."""

    def see(raw, check):
        if raw.__class__ is str:
            if not raw or raw.isspace() or (missing_values and raw.strip() in missing_values):
                return MISSING
            if formulas and raw[0] == "=" and len(raw) > 1:
                return FORMULA
        try:
            return check(raw)
        except CellError as error:
            return error
    return see


class _Column:
    """What the batches have learnt of one column: its fine cells' typed values (None when
    empty and allowed), those of them that are empty, and the few cells the last batch held
    (counted rather than hashed: most survey columns hold one to three values a batch)."""

    __slots__ = ("index", "slot", "check", "required", "seen", "fine", "empty", "common",
                 "wanted")

    def __init__(self, index, slot, check, required, seen, wanted):
        self.index, self.slot, self.check, self.required = index, slot, check, required
        self.seen, self.wanted = seen, wanted
        self.fine: dict = {}
        self.empty: set = set()
        self.common: tuple = ()


class Batches:
    """The column-wise checks of one upload. `plan`, `keys`, `foreign_keys`, `units`,
    `points` and `detection` are `_check_rows`' own (shared, not copied)."""

    def __init__(self, *, plan, see, width, keys, foreign_keys, codes, units, points,
                 detection, every_value: bool):
        # The columns whose typed values go row by row into a check (the keys); the others
        # are checked on their cells as written.
        typed = {slot for slots, _name, _seen in keys for slot in slots}
        self.plan = [_Column(index, slot, check, required, seen, every_value or slot in typed)
                     for index, slot, _name, check, required, _label, seen in plan]
        self.last = max((column.index for column in self.plan), default=-1)
        self.see, self.width = see, width
        self.keys, self.foreign_keys, self.codes = keys, foreign_keys, codes
        self.units, self.points, self.detection = units, points, detection
        # The combinations of cells (as written) found fine by each check of several fields.
        self.known: dict[int, set] = {}

    def clean(self, rows: list[list]) -> list | None:
        """None when a row of `rows` has something to report (the row path checks them);
        else the batch's typed columns by field position (all of them only when
        `every_value`), the key digests added."""
        size = len(rows)
        if not size or min(map(len, rows)) <= self.last:
            return None  # a row without some column: the row path reports its cells
        cells = list(zip(*rows, strict=False))  # the shortest row holds every column read
        nothing = (None,) * size
        typed: list = [nothing] * self.width
        raw: dict[int, tuple] = {}  # slot → (cells, typed value of each, empty, distinct)
        for column in self.plan:
            found = self._column(column, cells[column.index], size)
            if found is None:
                return None
            raw[column.slot] = found[0]
            if found[1] is not None:
                typed[column.slot] = found[1]
        digests = []
        for slots, _name, seen in self.keys:
            fresh = set(map(hash, zip(*[typed[slot] for slot in slots], strict=False)))
            if len(fresh) != size or not seen.isdisjoint(fresh):
                return None  # a duplicate (in the batch or before it): the row path says where
            digests.append((seen, fresh))
        if not self._references_known(raw, size):
            return None
        if self.units is not None and not self._combinations_fine(
                raw, self.units.slots, lambda key: key[2] is None or
                self.units.found(key) is None):
            return None
        if self.points is not None and not self._combinations_fine(
                raw, self.points.slots, lambda point: None in point or
                self.points.found(point) is None):
            return None
        if self.detection is not None:
            nones = [_empty(raw[slot], size) if slot in raw else repeat(True, size)
                     for slot in self.detection.slots]
            for empty in set(zip(*nones, strict=False)):
                if self.detection.problem(*empty):
                    return None
        for seen, fresh in digests:
            seen |= fresh
        return typed

    def _column(self, column: _Column, cells: tuple, size: int):
        """((cells, lookup, empty ones, distinct cells or None), typed values or None), or None
        for a cell with something to report."""
        fine = column.fine
        common = column.common
        counts = list(map(cells.count, common)) if common else ()
        if common and sum(counts) == size:
            if 0 in counts:  # a value gone (a date of the last batch): counted no more
                common = column.common = tuple(
                    cell for cell, count in zip(common, counts, strict=True) if count)
            found = (cells, fine, column.empty, common)
            if not column.wanted:
                return found, None
            if len(common) == 1:
                return found, [fine[common[0]]] * size
            return found, list(map(fine.__getitem__, cells))
        if column.wanted and len(fine) >= size:
            try:  # one pass where every cell is known fine (distinct cells then unknown)
                return (cells, fine, column.empty, None), list(map(fine.__getitem__, cells))
            except KeyError:
                pass
        distinct = set(cells)
        lookup, empty = fine, column.empty
        if not fine.keys() >= distinct:
            fresh = {}
            seen = column.seen
            for cell in distinct - fine.keys():
                value = seen.get(cell, UNSEEN)
                if value is UNSEEN:
                    value = self.see(cell, column.check)
                    if len(seen) < CELL_CACHE:
                        seen[cell] = value
                if value.__class__ is CellError or value is FORMULA:
                    return None
                if value is MISSING:
                    if column.required:
                        return None
                    value = None
                fresh[cell] = value
            blank = {cell for cell, value in fresh.items() if value is None}
            if len(fine) + len(fresh) <= CELL_CACHE:
                fine.update(fresh)
                empty |= blank
            else:
                lookup, empty = {**fine, **fresh}, empty | blank
        column.common = tuple(distinct) if len(distinct) <= 3 and lookup is fine else ()
        values = list(map(lookup.__getitem__, cells)) if column.wanted else None
        return (cells, lookup, empty, distinct), values

    def _combinations_fine(self, raw, slots, fine, needed=None) -> bool:
        """Whether `fine(typed values)` for every combination of cells the batch's rows hold
        in `slots` (the ones found fine are remembered as written, up to `CELL_CACHE`).
        With `needed` (a foreign key's `newWith`), a key not fine is fine in the rows where
        those fields are all filled."""
        present = [slot for slot in slots if slot in raw]
        known = self.known.setdefault(id(slots), set())
        if len(present) == 1:
            cells, _lookup, _blank, distinct = raw[present[0]]
            if known.issuperset(cells if distinct is None else distinct):
                return True
            combinations = {(cell,) for cell in set(cells) - known}
        else:
            rows = zip(*[raw[slot][0] for slot in present], strict=False)
            if known.issuperset(rows):
                return True
            combinations = set(zip(*[raw[slot][0] for slot in present], strict=False)) - known
        wrong = set()
        for cells in combinations:
            values = dict(zip(present, cells, strict=True))
            if fine(tuple(raw[slot][1][values[slot]] if slot in values else None
                          for slot in slots)):
                if len(known) < CELL_CACHE:
                    known.add(cells[0] if len(present) == 1 else cells)
            elif needed is None:
                return False
            else:
                wrong.add(cells)
        if not wrong:
            return True
        # A key not in the registry: fine where the row holds what a new one needs.
        columns = [raw[slot][0] for slot in present]
        filled = [_empty(raw[slot], len(columns[0])) if slot in raw else
                  repeat(True, len(columns[0])) for slot in needed]
        for cells, *empty in zip(zip(*columns, strict=False), *filled, strict=False):
            if cells in wrong and any(empty):
                return False
        return True

    def _references_known(self, raw, size) -> bool:
        """Whether every row's foreign keys are in the registry, or new with what a new one
        needs (`newWith` filled), as the row path judges them."""
        codes = self.codes
        for fk, slots, needed, verdicts in self.foreign_keys:

            def known(key, fk=fk, verdicts=verdicts):
                found = verdicts.get(key)
                if found is None:
                    found = None in key or codes.has(fk.resource, fk.reference_fields, key)
                    if len(verdicts) < CELL_CACHE:
                        verdicts[key] = found
                return found
            if not self._combinations_fine(raw, slots, known, needed or None):
                return False
        return True


def _empty(found: tuple, size: int):
    """Whether each cell of a column (cells, lookup, empty ones, …) is empty: where the only
    empty cell is "" (most files), without hashing the cells."""
    cells, _lookup, empty, _distinct = found
    if not empty:
        return repeat(False, size)
    if len(empty) == 1 and "" in empty:
        return map(not_, cells)
    return map(empty.__contains__, cells)
